"""The order in which ComfyUI visits a prompt's nodes.

Nodes are gathered from each output node by a depth-first walk with a stack (the
last input is visited first), skipping links to nodes whose result is cached.
Among the nodes whose inputs are ready, an output node goes first, then a node
that feeds an output node, then one two steps before an output node, then the
first gathered.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def is_link(value: Any) -> bool:
    return isinstance(value, list) and len(value) == 2 and isinstance(value[1], int)


def gather(prompt: dict[str, Any], outputs: list[str], cached: set[str]) -> dict[str, set[str]]:
    """Node id -> ids of the nodes it waits for, in ComfyUI's gathering order."""
    pending: dict[str, set[str]] = {}
    for output in outputs:
        stack = [output]
        while stack:
            node_id = stack.pop()
            if node_id in pending:
                continue
            deps: set[str] = set()
            pending[node_id] = deps
            for value in prompt[node_id].get("inputs", {}).values():
                if not is_link(value):
                    continue
                source = str(value[0])
                if source in cached:
                    continue
                deps.add(source)
                stack.append(source)
    return pending


def execution_order(
    prompt: dict[str, Any], outputs: list[str], cached: set[str], is_output: Callable[[str], bool]
) -> list[str]:
    pending = gather(prompt, outputs, cached)
    feeds: dict[str, set[str]] = {node_id: set() for node_id in pending}
    for node_id, deps in pending.items():
        for dep in deps:
            feeds[dep].add(node_id)

    def pick(ready: list[str]) -> str:
        for node_id in ready:
            if is_output(node_id):
                return node_id
        for node_id in ready:
            if any(is_output(n) for n in feeds[node_id]):
                return node_id
        for node_id in ready:
            if any(is_output(n2) for n in feeds[node_id] for n2 in feeds[n]):
                return node_id
        return ready[0]

    order: list[str] = []
    done: set[str] = set()
    while len(done) < len(pending):
        ready = [n for n, deps in pending.items() if n not in done and deps <= done]
        if not ready:
            break  # a cycle: validation rejects these before they get here
        chosen = pick(ready)
        order.append(chosen)
        done.add(chosen)
    return order
