"""Whether an editor (UI-format) workflow has the shape the converter reads: nodes with ids
and types, links of numbers, subgraph definitions with ids. A file that does not is named
in one line, with what is wrong where, instead of failing somewhere in the conversion."""

from __future__ import annotations

import json
from typing import Any

RESAVE = "Save it again from ComfyUI's editor, or export it in API format (Workflow > Export (API))"
LINK_KEYS = ("id", "origin_id", "origin_slot", "target_id", "target_slot")


def _graph_problem(graph: Any, where: str) -> str | None:
    nodes, links = graph.get("nodes"), graph.get("links")
    if not isinstance(nodes, list):
        return f"{where} has no 'nodes' list"
    for index, node in enumerate(nodes):
        if not isinstance(node, dict) or not isinstance(node.get("id"), int | str):
            return f"{where}: node {index} is not an object with an 'id'"
        if not isinstance(node.get("type"), str):
            return f"{where}: node {node.get('id')} has no 'type'"
        for field_name in ("inputs", "outputs"):
            value = node.get(field_name)
            if value is not None and not (
                isinstance(value, list) and all(isinstance(v, dict) for v in value)
            ):
                return (
                    f"{where}: node {node['id']} has '{field_name}' that is not a list of objects"
                )
    if links is not None and not isinstance(links, list):
        return f"{where}: 'links' is not a list"
    for link in links or []:
        if isinstance(link, dict):
            fields = [link.get(key) for key in LINK_KEYS]
        elif isinstance(link, list) and len(link) >= 5:
            fields = link[:5]
        else:
            return f"{where}: link {json.dumps(link)[:60]} is not [id, origin, slot, target, slot]"
        if not all(isinstance(f, int) and not isinstance(f, bool) for f in fields):
            return f"{where}: link {json.dumps(link)[:60]} has ids or slots that are not numbers"
    return None


def shape_problem(workflow: dict[str, Any]) -> str | None:
    """What makes ``workflow`` not an editor workflow the converter can read, or None."""
    problem = _graph_problem(workflow, "the workflow")
    if problem is not None:
        return problem
    definitions = workflow.get("definitions") or {}
    if not isinstance(definitions, dict):
        return "'definitions' is not an object"
    subgraphs = definitions.get("subgraphs")
    if subgraphs is None:
        return None
    if not isinstance(subgraphs, list):
        return "'definitions.subgraphs' is not a list"
    for index, subgraph in enumerate(subgraphs):
        if not isinstance(subgraph, dict) or not isinstance(subgraph.get("id"), str):
            return f"subgraph {index} is not an object with an 'id'"
        problem = _graph_problem(subgraph, f"subgraph {subgraph['id'][:8]}")
        if problem is not None:
            return problem
    return None
