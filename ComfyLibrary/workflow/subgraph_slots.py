"""Which links ComfyUI's editor (frontend 1.35.9) loses when it loads a node inside a
subgraph whose saved input slots are not where the editor puts them.

The editor gives a node every input slot of its definition, the plain inputs first and then
one per widget, and matches the saved slots to them by name. Inside a subgraph it then checks
each link, in the subgraph's order, against the slot its ``target_slot`` names: a slot that
holds another link whose own ``target_slot`` is not that slot loses that link, and the
checked link moves to the slot that holds it by name (or is lost when none does). A saved
node that lists ``steps`` and ``cfg`` as linked slots but not ``seed`` therefore loses the
link into ``steps``, and the prompt takes the widget's value. At the top level the editor
keeps every link; so does this module.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

LinkTable = Mapping[int, tuple[int, int, int, int, Any]]


def editor_slot_order(spec: dict[str, Any], widget_names: Iterable[str]) -> list[str]:
    """The node's input slots in the editor's order: plain inputs, then widget inputs."""
    widgets = set(widget_names)
    order = spec.get("input_order") or {}
    names: list[str] = []
    for category in ("required", "optional"):
        section = (spec.get("input") or {}).get(category) or {}
        names += [n for n in (order.get(category) or list(section)) if n in section]
    return [n for n in names if n not in widgets] + [n for n in names if n in widgets]


def lost_links(node: dict[str, Any], links: LinkTable, slot_order: list[str]) -> set[int]:
    """The ids of the links into ``node`` that the editor drops when it loads it in a
    subgraph (empty when a saved slot's name is not one the editor knows)."""
    position = {name: index for index, name in enumerate(slot_order)}
    holding: dict[int, int] = {}  # editor slot -> link id
    for entry in node.get("inputs") or []:
        link = entry.get("link")
        if link is None:
            continue
        name = (entry.get("widget") or {}).get("name") or entry.get("name")
        if name not in position:
            return set()
        holding[position[name]] = link
    target_slot = {link_id: link[3] for link_id, link in links.items() if link[2] == node.get("id")}
    lost: set[int] = set()
    for link_id, slot in list(target_slot.items()):
        holder = holding.get(slot)
        if holder == link_id:
            continue
        if holder is not None and target_slot.get(holder) != slot:
            del holding[slot]
            lost.add(holder)
        claimed = next((s for s, held in holding.items() if held == link_id), None)
        if claimed is None:
            lost.add(link_id)
        else:
            target_slot[link_id] = claimed
    return lost
