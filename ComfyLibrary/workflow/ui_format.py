"""Converting editor (UI-format) workflows to API-format prompts, as ComfyUI's frontend does.

The editor saves ``nodes`` and ``links`` with widget values by position; the API wants
``{id: {class_type, inputs, _meta}}``. Widget names come from the server's node catalog
(``/object_info``). Subgraphs are flattened to ``"<instance>:<inner>"`` ids, reroutes
followed, primitive nodes written into their targets, muted nodes dropped and bypassed
nodes re-wired to one of their inputs. Node types the catalog lacks are reported.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from ComfyLibrary.errors import WorkflowError
from ComfyLibrary.workflow.subgraph_slots import editor_slot_order, lost_links
from ComfyLibrary.workflow.ui_shape import RESAVE, shape_problem
from ComfyLibrary.workflow.validate import upload_kind

VIRTUAL = {"Note", "MarkdownNote", "Reroute", "PrimitiveNode"}
DYNAMIC_COMBO = "COMFY_DYNAMICCOMBO_V3"
WIDGET_TYPES = {"INT", "FLOAT", "STRING", "BOOLEAN", "COMBO"}
MUTED, BYPASSED = 2, 4
SUBGRAPH_INPUT, SUBGRAPH_OUTPUT = -10, -20
# Titles the frontend's English locale gives instead of the catalog's display name.
TITLE_OVERRIDES = {"FluxKontextMultiReferenceLatentMethod": "FluxKontextMultiReferenceLatentMethod"}
# Widgets the frontend adds to some nodes by extension, with their serialised values.
EXTENSION_WIDGETS: dict[str, dict[str, Any]] = {
    "PreviewAny": {"preview": "", "previewMode": None},
    "SaveGLB": {"image": ""},
    "Preview3D": {"image": ""},
    "LoadAudio": {"audioUI": ""},
    "SaveAudio": {"audioUI": ""},
    "SaveAudioMP3": {"audioUI": ""},
    "SaveAudioOpus": {"audioUI": ""},
    "PreviewAudio": {"audioUI": ""},
}


@dataclass(frozen=True)
class Link:
    node: str
    slot: int


@dataclass(frozen=True)
class Value:
    value: Any


DROP = object()  # the input key disappears (e.g. fed by a muted node)
KEEP = object()  # nothing overrides the node's own widget value


@dataclass
class Scope:
    """One graph level: the root workflow or one subgraph instance."""

    prefix: str
    nodes: dict[int, dict[str, Any]]
    links: dict[int, tuple[int, int, int, int, Any]]
    definition: dict[str, Any] | None = None
    instance: dict[str, Any] | None = None
    parent: Scope | None = None
    children: dict[int, Scope] = field(default_factory=dict)


def is_ui_format(data: Any) -> bool:
    return isinstance(data, dict) and isinstance(data.get("nodes"), list) and "links" in data


def _links(raw: list[Any]) -> dict[int, tuple[int, int, int, int, Any]]:
    table = {}
    for link in raw or []:
        if isinstance(link, dict):
            table[link["id"]] = (
                link["origin_id"],
                link["origin_slot"],
                link["target_id"],
                link["target_slot"],
                link.get("type"),
            )
        else:
            table[link[0]] = (
                link[1],
                link[2],
                link[3],
                link[4],
                link[5] if len(link) > 5 else None,
            )
    return table


def _proxy_widgets(instance: dict[str, Any]) -> list[tuple[str, Any]]:
    """A subgraph instance's ``properties.proxyWidgets`` as (node id, widget name) pairs."""
    raw = (instance.get("properties") or {}).get("proxyWidgets")
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            return []
    if not isinstance(raw, list):
        return []
    return [(str(p[0]), p[1]) for p in raw if isinstance(p, list | tuple) and len(p) == 2]


def _types_fit(a: Any, b: Any) -> bool:
    if a == "*" or b in ("*", a):
        return True
    if isinstance(a, str) and isinstance(b, str):
        return bool({t.strip() for t in a.split(",")} & {t.strip() for t in b.split(",")})
    return False


class UiConverter:
    def __init__(self, workflow: dict[str, Any], object_info: dict[str, Any]):
        self.workflow = workflow
        self.catalog = object_info
        definitions = (workflow.get("definitions") or {}).get("subgraphs") or []
        self.subgraphs = {d["id"]: d for d in definitions}
        self.prompt: dict[str, Any] = {}
        self.missing: dict[str, list[str]] = {}

    # Public -------------------------------------------------------------------

    def convert(self) -> dict[str, Any]:
        root = Scope(
            "", {n["id"]: n for n in self.workflow["nodes"]}, _links(self.workflow["links"])
        )
        self._emit_scope(root)
        self._note_missing_anywhere()
        return self.prompt

    def _note_missing_anywhere(self) -> None:
        """Node types the catalog lacks in muted or bypassed nodes and unused subgraphs too:
        a server without them cannot load the workflow either."""
        graphs = [("", self.workflow.get("nodes") or [])]
        graphs += [(f"{d['id'][:8]}…:", d.get("nodes") or []) for d in self.subgraphs.values()]
        for prefix, nodes in graphs:
            for node in nodes:
                kind = node.get("type")
                if not kind or kind in VIRTUAL or kind in self.subgraphs or kind in self.catalog:
                    continue
                where = f"{prefix}{node.get('id')}"
                known = self.missing.setdefault(str(kind), [])
                if not any(w.endswith(f":{node.get('id')}") or w == where for w in known):
                    known.append(where)

    # Graph walking ------------------------------------------------------------

    def _child(self, scope: Scope, instance: dict[str, Any]) -> Scope:
        if instance["id"] not in scope.children:
            definition = self.subgraphs[instance["type"]]
            scope.children[instance["id"]] = Scope(
                f"{scope.prefix}{instance['id']}:",
                {n["id"]: n for n in definition.get("nodes", [])},
                _links(definition.get("links", [])),
                definition,
                instance,
                scope,
            )
        return scope.children[instance["id"]]

    def _emit_scope(self, scope: Scope) -> None:
        for node in scope.nodes.values():
            kind = node.get("type")
            if kind in self.subgraphs:
                # ComfyUI's frontend emits the inner nodes whatever the instance's mode is.
                self._emit_scope(self._child(scope, node))
            elif kind in VIRTUAL or node.get("mode", 0) in (MUTED, BYPASSED):
                continue
            else:
                self._emit_node(scope, node)

    def _upstream(self, scope: Scope, link_id: int) -> Any:
        link = scope.links.get(link_id)
        if link is None:
            return DROP
        origin, slot = link[0], link[1]
        if origin == SUBGRAPH_INPUT:
            return self._from_instance(scope, slot)
        node = scope.nodes.get(origin)
        if node is None:
            return DROP
        return self._output(scope, node, slot)

    def _output(self, scope: Scope, node: dict[str, Any], slot: int) -> Any:
        kind = node.get("type")
        mode = node.get("mode", 0)
        if kind in self.subgraphs:
            if mode == BYPASSED:
                return self._bypass(scope, node, slot)
            inner = self._child(scope, node)
            for link_id, link in inner.links.items():
                if link[2] == SUBGRAPH_OUTPUT and link[3] == slot:
                    return self._upstream(inner, link_id)
            return DROP
        if kind == "Reroute":
            inputs = node.get("inputs") or []
            source = inputs[0].get("link") if inputs else None
            return DROP if source is None else self._upstream(scope, source)
        if kind == "PrimitiveNode":
            values = node.get("widgets_values") or []
            return Value(values[0]) if values else DROP
        if mode == MUTED:
            return DROP
        if mode == BYPASSED:
            return self._bypass(scope, node, slot)
        return Link(f"{scope.prefix}{node['id']}", slot)

    def _bypass(self, scope: Scope, node: dict[str, Any], slot: int) -> Any:
        outputs = node.get("outputs") or []
        wanted = outputs[slot].get("type") if slot < len(outputs) else "*"
        inputs = node.get("inputs") or []
        choice = None
        if slot < len(inputs) and _types_fit(inputs[slot].get("type"), wanted):
            choice = inputs[slot]
        if choice is None:
            choice = next((i for i in inputs if i.get("type") == wanted), None)
        if choice is None:
            choice = next((i for i in inputs if _types_fit(i.get("type"), wanted)), None)
        if choice is None or choice.get("link") is None:
            return DROP
        return self._upstream(scope, choice["link"])

    def _from_instance(self, scope: Scope, slot: int) -> Any:
        definition, instance, parent = scope.definition, scope.instance, scope.parent
        assert definition is not None
        assert instance is not None
        assert parent is not None
        inputs = definition.get("inputs") or []
        if slot >= len(inputs):
            return DROP
        wanted = inputs[slot]
        for entry in instance.get("inputs") or []:
            if entry.get("name") == wanted.get("name") and entry.get("link") is not None:
                return self._upstream(parent, entry["link"])
        promoted = self._promoted_inputs(scope)
        index = next((i for i, p in enumerate(promoted) if p is wanted), None)
        values = instance.get("widgets_values") or []
        if index is None or not isinstance(values, list):
            return KEEP
        value = values[index] if index < len(values) else KEEP
        # With ``proxyWidgets`` the editor then gives each promoted widget the value at the
        # position its ["-1", name] entry has there (a null leaves the first value).
        for position, (node_id, name) in enumerate(_proxy_widgets(instance)):
            given = values[position] if position < len(values) else None
            if node_id == "-1" and name == wanted.get("name") and given is not None:
                value = given
        return KEEP if value is KEEP else Value(value)

    def _promoted_inputs(self, scope: Scope) -> list[dict[str, Any]]:
        """The subgraph inputs that show a widget on the instance, in order: those linked to
        an inner widget that exists. The instance's ``widgets_values`` belong to them by
        position (an input whose inner widget does not exist takes no value, and the later
        ones shift, as in the editor)."""
        assert scope.definition is not None
        promoted = []
        for sub_input in scope.definition.get("inputs") or []:
            for link_id in sub_input.get("linkIds") or []:
                link = scope.links.get(link_id)
                inner = scope.nodes.get(link[2]) if link else None
                entry = next(
                    (i for i in (inner or {}).get("inputs") or [] if i.get("link") == link_id),
                    None,
                )
                if inner is not None and entry is not None and self._has_widget(inner, entry):
                    promoted.append(sub_input)
                    break
        return promoted

    def _has_widget(self, node: dict[str, Any], entry: dict[str, Any]) -> bool:
        """Whether the editor gives ``node`` the widget that input slot ``entry`` stands for."""
        name = (entry.get("widget") or {}).get("name")
        if not name:
            return False
        kind = node.get("type")
        if kind in self.subgraphs:
            return entry.get("type") in WIDGET_TYPES
        spec = self.catalog.get(str(kind))
        if spec is None:
            return True  # unknown here: reported as missing, not second-guessed
        if name in EXTENSION_WIDGETS.get(str(kind), {}):
            return True
        for widget, _, real in self._widgets(spec):
            if widget == name and real is True:
                return True
            if isinstance(real, list) and (name == widget or name.startswith(widget + ".")):
                return True
        return False

    def _has_input(self, node: dict[str, Any], entry: dict[str, Any]) -> bool:
        """Whether ``node``'s definition has the input a widget slot ``entry`` names."""
        name = str((entry.get("widget") or {}).get("name") or entry.get("name"))
        kind = str(node.get("type"))
        if kind in self.subgraphs:
            return any(i.get("name") == name for i in self.subgraphs[kind].get("inputs") or [])
        spec = self.catalog.get(kind)
        if spec is None or name in EXTENSION_WIDGETS.get(kind, {}):
            return True
        sections = (spec.get("input") or {}).values()
        names = {n for section in sections if isinstance(section, dict) for n in section}
        return name in names or name.split(".", 1)[0] in names

    # Nodes --------------------------------------------------------------------

    def _widgets(self, spec: dict[str, Any]) -> list[tuple[str, Any, Any]]:
        """``(name, default, real)`` per widget in order; ``real`` False for frontend extras,
        or the option list of a V3 dynamic combo (its chosen option's widgets follow it)."""
        widgets: list[tuple[str, Any, Any]] = []
        order = spec.get("input_order") or {}
        for category in ("required", "optional"):
            section = (spec.get("input") or {}).get(category) or {}
            for name in order.get(category) or list(section):
                config = section.get(name)
                if not config:
                    continue
                kind = config[0]
                options = config[1] if len(config) > 1 and isinstance(config[1], dict) else {}
                if kind == DYNAMIC_COMBO:
                    choices = options.get("options") or []
                    first = choices[0]["key"] if choices else None
                    widgets.append((name, options.get("default", first), choices))
                    continue
                if options.get("forceInput") or not (
                    isinstance(kind, list) or kind in WIDGET_TYPES
                ):
                    continue
                default = options.get("default")
                if default is None and isinstance(kind, list) and kind:
                    default = kind[0]
                elif default is None and kind == "COMBO" and options.get("options"):
                    default = options["options"][0]
                widgets.append((name, default, True))
                if kind == "INT" and options.get("control_after_generate"):
                    widgets.append(("control_after_generate", None, False))
                if upload_kind(options) is not None:
                    widgets.append(("upload", None, False))
        return widgets

    def _positional(self, widgets: list[tuple[str, Any, Any]], values: list[Any]) -> dict:
        """Widget values by position, as the frontend reads them: a dynamic combo's value
        picks which widgets follow it, named ``<combo>.<widget>``."""
        inputs: dict[str, Any] = {}
        index = 0
        for name, default, real in widgets:
            value = values[index] if index < len(values) else default
            index += 1
            if isinstance(real, list):  # a dynamic combo and its chosen option's widgets
                inputs[name] = value
                chosen = next((o for o in real if o.get("key") == value), None) or {}
                sub_spec = {"input": chosen.get("inputs") or {}}
                for sub, sub_default, sub_real in self._widgets(sub_spec):
                    sub_value = values[index] if index < len(values) else sub_default
                    index += 1
                    if sub_real is True:
                        inputs[f"{name}.{sub}"] = _wrap(sub_value)
            elif real:
                inputs[name] = _wrap(value)
        return inputs

    def _emit_node(self, scope: Scope, node: dict[str, Any]) -> None:
        class_type = str(node.get("type"))
        node_id = f"{scope.prefix}{node['id']}"
        spec = self.catalog.get(class_type)
        if spec is None:
            self.missing.setdefault(str(class_type), []).append(node_id)
            return
        inputs: dict[str, Any] = {}
        values = node.get("widgets_values")
        widgets = self._widgets(spec)
        if isinstance(values, dict):
            for name, default, real in widgets:
                if real:
                    inputs[name] = _wrap(values.get(name, default))
        else:
            inputs.update(self._positional(widgets, list(values or [])))
        for name, value in EXTENSION_WIDGETS.get(class_type, {}).items():
            inputs[name] = value
        lost: set[int] = set()
        if scope.definition is not None and not any(isinstance(w[2], list) for w in widgets):
            order = editor_slot_order(spec, (name for name, _, real in widgets if real is True))
            lost = lost_links(node, scope.links, order)
        for entry in node.get("inputs") or []:
            link = entry.get("link")
            if link is None:
                continue
            if link in lost:  # the editor loses it on loading: the widget keeps its value
                if not entry.get("widget"):
                    inputs.pop(str(entry.get("name")), None)
                continue
            if entry.get("widget") and not self._has_input(node, entry):
                continue  # the editor removes a widget slot for an input the node lacks
            name = (entry.get("widget") or {}).get("name") or entry.get("name")
            source = self._upstream(scope, link)
            if isinstance(source, Link):
                inputs[name] = [source.node, source.slot]
            elif isinstance(source, Value):
                inputs[name] = _wrap(source.value)
            elif source is DROP and not entry.get("widget"):
                inputs.pop(name, None)  # a widget input keeps its own value, as the editor does
        text_spec = ((spec.get("input") or {}).get("required") or {}).get("text")
        dynamic = text_spec and len(text_spec) > 1 and (text_spec[1] or {}).get("dynamicPrompts")
        if dynamic and isinstance(inputs.get("text"), str):
            inputs["text"] = strip_dynamic_prompt(inputs["text"])
        title = (
            node.get("title")
            or TITLE_OVERRIDES.get(class_type)
            or spec.get("display_name")
            or class_type
        )
        self.prompt[node_id] = {
            "inputs": inputs,
            "class_type": class_type,
            "_meta": {"title": title},
        }


def _wrap(value: Any) -> Any:
    return {"__value__": value} if isinstance(value, list) else value


def strip_dynamic_prompt(text: str) -> str:
    """Removes ``//`` and ``/* */`` comments and unwraps ``{x}`` groups with no choices."""
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.DOTALL)
    text = re.sub(r"(?<!:)//[^\n]*", "", text)
    return re.sub(r"(?<!\\)\{([^{}|]*)(?<!\\)\}", r"\1", text)


def convert_ui_workflow(
    workflow: dict[str, Any], object_info: dict[str, Any], source: str = "workflow"
) -> dict[str, Any]:
    """Converts an editor workflow to an API prompt; fails listing node types the catalog lacks,
    or in one line naming what is malformed."""
    problem = shape_problem(workflow)
    if problem is not None:
        raise WorkflowError(f"Cannot convert {source}: {problem}. {RESAVE}")
    try:
        converter = UiConverter(workflow, object_info)
        prompt = converter.convert()
    except (TypeError, KeyError, IndexError, AttributeError, ValueError) as exc:
        raise WorkflowError(
            f"Cannot convert {source}: it is not a well-formed editor workflow "
            f"({type(exc).__name__}: {exc}). {RESAVE}"
        ) from None
    if converter.missing:
        listed = ", ".join(
            f"{kind} (node {', '.join(ids)})" for kind, ids in sorted(converter.missing.items())
        )
        raise WorkflowError(
            f"Cannot convert {source}: the server's node catalog has no {listed}. Install those "
            "custom nodes on the server, or load a catalog dump that has them."
        )
    return prompt
