"""ComfyUI 0.8's v3 dynamic inputs, expanded as its validation and execution expand them.

A v3 node may declare inputs whose real names depend on the prompt:

- ``COMFY_AUTOGROW_V3``: a template input repeated under names (``image0``, ``image1``...
  or a fixed list); each name the prompt gives becomes an input, the first ``min`` of them
  required, the rest optional, nested under the autogrow's own name (``images.image0``).
- ``COMFY_DYNAMICCOMBO_V3``: a choice whose selected option brings its own inputs
  (``resize_type.width``); the choice itself stays an input of its own type, so its value is
  never checked against the options, and an unknown choice brings nothing.
- ``COMFY_DYNAMICSLOT_V3``: a slot that, once given, brings further inputs.

Everything else passes through under its own name. ``expand`` returns the inputs a prompt's
node really has, by category, with the dotted paths of the nested ones.
"""

from __future__ import annotations

from typing import Any

AUTOGROW = "COMFY_AUTOGROW_V3"
DYNAMIC_COMBO = "COMFY_DYNAMICCOMBO_V3"
DYNAMIC_SLOT = "COMFY_DYNAMICSLOT_V3"
MATCH_TYPE = "COMFY_MATCHTYPE_V3"
DYNAMIC_TYPES = (AUTOGROW, DYNAMIC_COMBO, DYNAMIC_SLOT)
CATEGORIES = ("required", "optional")

Sections = dict[str, dict[str, Any]]


def is_v3(definition: dict[str, Any]) -> bool:
    """Whether /object_info describes a v3 node (its schema adds these keys; v1 nodes lack
    them). 0.8 names a v3 node's missing input by the last part of its path."""
    return "output_matchtypes" in definition or "api_node" in definition


def expand(input_spec: dict[str, Any], live: dict[str, Any]) -> tuple[Sections, set[str]]:
    """The inputs ``{"required": {...}, "optional": {...}}`` of a node whose prompt inputs are
    ``live``, and the names that are nested paths."""
    out: Sections = {"required": {}, "optional": {}}
    nested: set[str] = set()
    sections = {k: v for k, v in input_spec.items() if k in CATEGORIES and isinstance(v, dict)}
    _parse(out, nested, live, sections, [])
    return out, nested


def _path(prefix: list[str], name: str | None = None) -> str:
    return ".".join(prefix + ([name] if name is not None else []))


def _parse(
    out: Sections, nested: set[str], live: dict[str, Any], sections: Sections, prefix: list[str]
) -> None:
    for category, inputs in sections.items():
        if category not in out or not isinstance(inputs, dict):
            continue
        for name, spec in inputs.items():
            kind = spec[0] if isinstance(spec, list | tuple) and spec else None
            if isinstance(kind, str) and kind in DYNAMIC_TYPES:
                options = spec[1] if len(spec) > 1 and isinstance(spec[1], dict) else {}
                EXPANDERS[kind](out, nested, live, list(spec), options, category, [*prefix, name])
                continue
            path = _path(prefix, name)
            out[category][path] = spec
            if prefix:
                nested.add(path)


def _autogrow(
    out: Sections,
    nested: set[str],
    live: dict[str, Any],
    spec: list[Any],
    options: dict[str, Any],
    category: str,
    prefix: list[str],
) -> None:
    template = options.get("template", {})
    if "names" in template:
        names = list(template["names"])
    elif "prefix" in template:
        names = [f"{template['prefix']}{i}" for i in range(int(template.get("max", 0)))]
    else:
        return
    minimum = int(template.get("min", 0))
    template_input = None
    for section in template.get("input", {}).values():
        if isinstance(section, dict) and section:
            template_input = next(iter(section.values()))
    grown: Sections = {}
    for index, name in enumerate(names):
        if _path(prefix, name) in live:
            kind = "required" if index < minimum else "optional"
            grown.setdefault(kind, {})[name] = template_input
    _parse(out, nested, live, grown, prefix)


def _chosen_inputs(kind: str, options: dict[str, Any], value: Any) -> Sections | None:
    """The inputs a present dynamic input brings: a dynamic combo's chosen option's (None
    for an unknown choice), a dynamic slot's own."""
    if kind == DYNAMIC_SLOT:
        return options.get("inputs", {})
    chosen = next((o for o in options.get("options", []) if o.get("key") == value), None)
    return None if chosen is None else chosen.get("inputs", {})


def _chosen(
    out: Sections,
    nested: set[str],
    live: dict[str, Any],
    spec: list[Any],
    options: dict[str, Any],
    category: str,
    prefix: list[str],
) -> None:
    """A dynamic combo or slot: when the prompt gives it, the inputs it brings, and itself
    under its own type (never checked against its options, as on 0.8)."""
    path = _path(prefix)
    if path not in live:
        return
    inputs = _chosen_inputs(spec[0], options, live[path])
    if inputs is None:
        return
    _parse(out, nested, live, inputs, prefix)
    out[category][path] = spec
    if len(prefix) > 1:
        nested.add(path)


EXPANDERS = {AUTOGROW: _autogrow, DYNAMIC_COMBO: _chosen, DYNAMIC_SLOT: _chosen}


def nest(values: dict[str, Any]) -> dict[str, Any]:
    """Flat dotted inputs as a v3 node receives them: ``{"images.image0": x}`` becomes
    ``{"images": {"image0": x}}``; a dynamic combo's choice sits under its own name too."""
    result: dict[str, Any] = {}
    for path, value in values.items():
        if "." not in path:
            if isinstance(result.get(path), dict):
                result[path].setdefault(path, value)
            else:
                result[path] = value
            continue
        parts = path.split(".")
        target = result
        for part in parts[:-1]:
            existing = target.get(part)
            if not isinstance(existing, dict):
                target[part] = {} if existing is None else {part: existing}
            target = target[part]
        target[parts[-1]] = value
    return result
