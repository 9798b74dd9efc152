"""Renders ComfyUI's POST /prompt error bodies as readable lines."""

from __future__ import annotations

from typing import Any

READABLE = {
    "required_input_missing": "required input is missing",
    "value_smaller_than_min": "value {value} below minimum {min}",
    "value_bigger_than_max": "value {value} above maximum {max}",
    "value_not_in_list": "value {value!r} is not one of the choices",
    "invalid_input_type": "value {value!r} is not a valid {type}",
    "return_type_mismatch": "linked output of type {received} does not fit input type {type}",
    "bad_linked_input": "link {value} must be [node id, output index]",
}


def describe_node_error(node_id: str, class_type: str, error: dict[str, Any]) -> str:
    """One line such as ``node 3 (KSampler) input 'seed': value -1 below minimum 0``."""
    extra = error.get("extra_info") or {}
    name = extra.get("input_name")
    config = extra.get("input_config") or [None, {}]
    options = config[1] if len(config) > 1 and isinstance(config[1], dict) else {}
    template = READABLE.get(error.get("type", ""))
    if template is not None:
        text = template.format(
            value=extra.get("received_value"),
            min=options.get("min"),
            max=options.get("max"),
            type=config[0],
            received=extra.get("received_type"),
        )
    else:
        text = f"{error.get('message', 'error')}: {error.get('details', '')}".rstrip(": ")
    where = f"node {node_id} ({class_type})"
    if name:
        where += f" input '{name}'"
    return f"{where}: {text}"


def describe_rejection(body: Any) -> str:
    """Summarises a 400 answer of POST /prompt in one line."""
    if not isinstance(body, dict):
        return f"the server rejected the workflow: {body!r}"
    error = body.get("error") or {}
    problems = []
    for node_id, entry in (body.get("node_errors") or {}).items():
        for item in entry.get("errors", []):
            problems.append(describe_node_error(node_id, entry.get("class_type", "?"), item))
    if problems:
        return "the server rejected the workflow: " + "; ".join(problems)
    message = error.get("message", "invalid prompt") if isinstance(error, dict) else str(error)
    details = error.get("details") if isinstance(error, dict) else ""
    return f"the server rejected the workflow: {message}" + (f" ({details})" if details else "")
