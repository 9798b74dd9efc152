"""Renders ComfyUI's POST /prompt error bodies as readable lines."""

from __future__ import annotations

import re
from typing import Any

from ComfyLibrary.workflow.validate import missing_input_file, upload_kind

INVALID_FILE = re.compile(r"Invalid (image|video|audio) file: (.+)$")

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
    choices = config[0] if isinstance(config[0], list) else options.get("options")
    upload = upload_kind(options)
    invalid_file = INVALID_FILE.search(str(error.get("details", "")))
    if error.get("type") == "value_not_in_list" and upload is not None:
        text = missing_input_file(extra.get("received_value"), list(choices or []), upload)
    elif error.get("type") == "custom_validation_failed" and invalid_file:
        # LoadImage and its kin check the file themselves: "Invalid image file: x.png"
        kind, value = invalid_file.groups()
        text = missing_input_file(value, None, kind)
    elif template is not None:
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
