"""Named parameters for a workflow, kept in ``<name>.bindings.json`` (or ``.yaml``) next to it.

A bindings file maps a friendly name to one or more input paths::

    {"prompt": "58.value", "seed": ["57:3.seed"], "width": "57:13.width"}

or, with a description and a type, ``{"seed": {"targets": ["92:11.noise_seed",
"92:67.noise_seed"], "type": "int", "description": "..."}}``.
"""

from __future__ import annotations

import difflib
import json
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ComfyLibrary.errors import WorkflowError
from ComfyLibrary.workflow.inputs import find_node, set_input, split_path

SEED_MAX = 2**53 - 1
TYPES = {"int": int, "float": float, "str": str, "string": str, "bool": bool}


@dataclass
class Binding:
    name: str
    targets: list[str]
    type: str | None = None
    description: str = ""


@dataclass
class Bindings:
    source: Path | None
    items: dict[str, Binding] = field(default_factory=dict)

    def names(self) -> list[str]:
        return sorted(self.items)


def bindings_path(workflow_path: Path) -> Path | None:
    """The bindings file next to a workflow; one linked from outside its folder is refused."""
    folder = workflow_path.parent.resolve()
    for suffix in (".bindings.json", ".bindings.yaml", ".bindings.yml"):
        candidate = workflow_path.with_name(workflow_path.stem + suffix)
        if not candidate.is_file():
            continue
        if not candidate.resolve().is_relative_to(folder):
            raise WorkflowError(
                f"Bindings file {candidate} links outside the workflow folder {folder}: "
                "keep bindings files in that folder."
            )
        return candidate
    return None


def load_bindings(workflow_path: Path) -> Bindings:
    """The bindings next to ``workflow_path``, or empty bindings when there is no file."""
    path = bindings_path(workflow_path)
    if path is None:
        return Bindings(None)
    text = path.read_text(encoding="utf-8")
    loads: Callable[[str], Any]
    if path.suffix == ".json":
        loads = json.loads
    else:
        try:
            import yaml
        except ImportError:
            raise WorkflowError(
                f"Bindings file {path} is YAML, which needs PyYAML: "
                "pip install 'robotframework-comfylibrary[yaml]' (or use a .bindings.json)."
            ) from None
        loads = yaml.safe_load
    try:
        data = loads(text)
    except Exception as exc:
        raise WorkflowError(f"Bindings file {path} is not valid: {exc}") from None
    if not isinstance(data, dict):
        raise WorkflowError(f"Bindings file {path} must map names to input paths.")
    bindings = Bindings(path)
    for name, given in data.items():
        if isinstance(given, str):
            spec = {"targets": [given]}
        elif isinstance(given, list):
            spec = {"targets": given}
        else:
            spec = given
        if not isinstance(spec, dict) or not spec.get("targets"):
            raise WorkflowError(f"Bindings file {path}: '{name}' needs one or more input paths.")
        targets = spec["targets"] if isinstance(spec["targets"], list) else [spec["targets"]]
        kind = spec.get("type")
        bindings.items[str(name)] = Binding(
            str(name),
            [str(t) for t in targets],
            None if kind is None else str(kind),
            str(spec.get("description", "")),
        )
    return bindings


def coerce(value: Any, binding: Binding, current: Any) -> Any:
    """Converts a Robot value to the binding's type, or to the type the input has now."""
    if (
        isinstance(value, str)
        and value.strip().lower() == "random"
        and (binding.type in ("int", None) and isinstance(current, int))
    ):
        return random.SystemRandom().randint(0, SEED_MAX)
    kind = TYPES.get(binding.type or "") or (
        type(current)
        if isinstance(current, int | float | str | bool) and not isinstance(value, type(current))
        else None
    )
    if kind is None or isinstance(value, kind):
        return value
    try:
        if kind is bool:
            return str(value).strip().lower() in ("1", "true", "yes", "on")
        return kind(value)
    except (TypeError, ValueError):
        raise WorkflowError(
            f"Parameter '{binding.name}' must be {kind.__name__}, got {value!r}."
        ) from None


def apply(
    workflow: dict[str, Any],
    bindings: Bindings,
    values: dict[str, Any],
    keyword_arguments: list[str] | tuple[str, ...] = (),
) -> dict[str, Any]:
    """Sets every named parameter; returns the values actually written (after coercion).

    A name that is neither a parameter nor one of ``keyword_arguments`` (the calling
    keyword's own arguments) fails naming the closest of both."""
    unknown = [name for name in values if name not in bindings.items]
    if unknown:
        name = unknown[0]
        close = difflib.get_close_matches(name, [*bindings.names(), *keyword_arguments], n=1)
        hint = f" did you mean '{close[0]}'?" if close else ""
        known = ", ".join(bindings.names()) or "none (no bindings file)"
        own = ", ".join(keyword_arguments) or "none"
        raise WorkflowError(
            f"Unknown argument '{name}':{hint} (workflow parameters: {known}; "
            f"keyword arguments: {own})"
        )
    written = {}
    for name, value in values.items():
        binding = bindings.items[name]
        first = binding.targets[0]
        target, input_name = split_path(first)
        current = workflow[find_node(workflow, target)]["inputs"].get(input_name)
        final = coerce(value, binding, current)
        for path in binding.targets:
            set_input(workflow, path, final)
        written[name] = final
    return written
