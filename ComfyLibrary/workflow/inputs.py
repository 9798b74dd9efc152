"""Setting workflow inputs by path: ``<node id>.<input>``, ``"<title>".<input>`` or
``<class>.<input>`` (when the class is unique in the workflow)."""

from __future__ import annotations

from typing import Any

from ComfyLibrary.errors import WorkflowError


def _title(node: dict[str, Any]) -> str | None:
    meta = node.get("_meta")
    return meta.get("title") if isinstance(meta, dict) else None


def split_path(path: str) -> tuple[str, str]:
    text = str(path).strip()
    if text.startswith('"'):
        end = text.find('"', 1)
        if end < 0 or text[end + 1 : end + 2] != ".":
            raise WorkflowError(f'Input path {path!r} must look like "Title".input')
        return text[1:end], text[end + 2 :]
    target, dot, name = text.rpartition(".")
    if not dot or not target or not name:
        raise WorkflowError(
            f'Input path {path!r} must be <node>.<input>, e.g. 3.seed, "Positive Prompt".text '
            "or KSampler.seed"
        )
    return target, name


def find_node(workflow: dict[str, Any], target: str) -> str:
    """The id of the node that ``target`` names: id, then title, then unique class."""
    if target in workflow:
        return target
    by_title = [nid for nid, node in workflow.items() if _title(node) == target]
    if len(by_title) == 1:
        return by_title[0]
    by_class = [nid for nid, node in workflow.items() if node.get("class_type") == target]
    if len(by_class) == 1 and not by_title:
        return by_class[0]
    candidates = by_title or by_class
    if candidates:
        listed = ", ".join(f"{nid} ({workflow[nid]['class_type']})" for nid in candidates)
        raise WorkflowError(f"'{target}' matches several nodes: {listed}. Use a node id instead.")
    known = ", ".join(
        f"{nid} ({node.get('class_type')}" + (f' "{_title(node)}")' if _title(node) else ")")
        for nid, node in list(workflow.items())[:30]
    )
    raise WorkflowError(f"No node '{target}' in the workflow. Nodes: {known}")


def set_input(workflow: dict[str, Any], path: str, value: Any) -> str:
    """Sets the input at ``path`` to ``value``; returns the node id that changed."""
    target, name = split_path(path)
    node_id = find_node(workflow, target)
    inputs = workflow[node_id].setdefault("inputs", {})
    if name not in inputs:
        names = ", ".join(sorted(inputs)) or "none"
        raise WorkflowError(
            f"Node {node_id} ({workflow[node_id]['class_type']}) has no input '{name}'. "
            f"Its inputs: {names}"
        )
    inputs[name] = value
    return node_id
