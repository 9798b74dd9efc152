"""What changed between two node catalogs (``/object_info``): classes added and removed,
and for each class both have, inputs added, removed, retyped or moved between required
and optional, defaults, ranges and choices changed, outputs changed.

Choices that list files (models, inputs) are the server's files, not its code: they are
left out, so two servers with other model files show no change there.
"""

from __future__ import annotations

from typing import Any

from ComfyLibrary.mock.catalog import INPUT_FILE_CHOICES, MODEL_INPUT_FOLDERS, load_node_facts

RANGE_KEYS = ("min", "max", "step")
BREAKS, MAY_CHANGE, COMPATIBLE = "breaks", "may change results", "compatible"


def impact(change: dict[str, Any]) -> str:
    """What a change does to a workflow that uses the class: ``breaks`` it (the server
    refuses it, or it links to what is gone), ``may change results``, or ``compatible``."""
    what = change["what"]
    if what in ("required input added", "input retyped", "output changed", "class removed"):
        return BREAKS
    if what.endswith("input removed") or what == "input became required":
        return BREAKS
    if what == "choices changed":
        return BREAKS if change["old"] else COMPATIBLE  # choices taken away, or only added
    if what == "min changed":
        return BREAKS if _narrower(change, larger_is_narrower=True) else COMPATIBLE
    if what == "max changed":
        return BREAKS if _narrower(change, larger_is_narrower=False) else COMPATIBLE
    if what in ("optional input added", "input became optional", "deprecated changed"):
        return COMPATIBLE
    return MAY_CHANGE


def _narrower(change: dict[str, Any], larger_is_narrower: bool) -> bool:
    before, after = change["old"], change["new"]
    if before is None:
        return after is not None
    if after is None:
        return False
    return after > before if larger_is_narrower else after < before


def _file_input(class_type: str, name: str) -> bool:
    facts = load_node_facts().get("model_folders", {})
    return (
        f"{class_type}.{name}" in facts
        or (class_type, name) in INPUT_FILE_CHOICES
        or name in MODEL_INPUT_FOLDERS
    )


def _inputs(definition: dict[str, Any]) -> dict[str, tuple[str, list[Any]]]:
    found: dict[str, tuple[str, list[Any]]] = {}
    for category in ("required", "optional"):
        for name, spec in (definition.get("input", {}).get(category) or {}).items():
            if isinstance(spec, list) and spec:
                found[name] = (category, spec)
    return found


def _type_name(spec: list[Any]) -> str:
    return "COMBO" if isinstance(spec[0], list) else str(spec[0])


def _options(spec: list[Any]) -> dict[str, Any]:
    return spec[1] if len(spec) > 1 and isinstance(spec[1], dict) else {}


def _choices(spec: list[Any]) -> list[Any] | None:
    if isinstance(spec[0], list):
        return list(spec[0])
    options = _options(spec).get("options")
    return list(options) if isinstance(options, list) else None


def class_changes(
    class_type: str, old: dict[str, Any], new: dict[str, Any]
) -> list[dict[str, Any]]:
    """The changes of one class both catalogs have, each ``{what, input, old, new}``."""
    changes: list[dict[str, Any]] = []

    def change(what: str, name: str | None, before: Any, after: Any) -> None:
        found = {"what": what, "input": name, "old": before, "new": after}
        changes.append({**found, "impact": impact(found)})

    old_inputs, new_inputs = _inputs(old), _inputs(new)
    for name in new_inputs.keys() - old_inputs.keys():
        category, spec = new_inputs[name]
        change(f"{category} input added", name, None, _type_name(spec))
    for name in old_inputs.keys() - new_inputs.keys():
        category, spec = old_inputs[name]
        change(f"{category} input removed", name, _type_name(spec), None)
    for name in sorted(old_inputs.keys() & new_inputs.keys()):
        (old_category, old_spec), (new_category, new_spec) = old_inputs[name], new_inputs[name]
        if old_category != new_category:
            change("input became " + new_category, name, old_category, new_category)
        if _type_name(old_spec) != _type_name(new_spec):
            change("input retyped", name, _type_name(old_spec), _type_name(new_spec))
            continue
        old_options, new_options = _options(old_spec), _options(new_spec)
        if old_options.get("default") != new_options.get("default"):
            change("default changed", name, old_options.get("default"), new_options.get("default"))
        for key in RANGE_KEYS:
            if old_options.get(key) != new_options.get(key):
                change(f"{key} changed", name, old_options.get(key), new_options.get(key))
        if not _file_input(class_type, name):
            before, after = _choices(old_spec), _choices(new_spec)
            if before is not None and after is not None and before != after:
                change(
                    "choices changed",
                    name,
                    sorted(set(before) - set(after), key=str),
                    sorted(set(after) - set(before), key=str),
                )
    for key in ("output", "output_is_list"):
        if list(old.get(key) or []) != list(new.get(key) or []):
            change(f"{key.replace('_', ' ')} changed", None, old.get(key), new.get(key))
    if bool(old.get("output_node")) != bool(new.get("output_node")):
        change("output node changed", None, old.get("output_node"), new.get("output_node"))
    if bool(old.get("deprecated")) != bool(new.get("deprecated")):
        change("deprecated changed", None, old.get("deprecated"), new.get("deprecated"))
    return changes


def diff_catalogs(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """``added`` and ``removed`` class names, and ``changed``: class -> its changes."""
    changed = {}
    for class_type in sorted(old.keys() & new.keys()):
        changes = class_changes(class_type, old[class_type], new[class_type])
        if changes:
            changed[class_type] = changes
    return {
        "added": sorted(new.keys() - old.keys()),
        "removed": sorted(old.keys() - new.keys()),
        "changed": changed,
    }
