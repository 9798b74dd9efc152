"""Checking an API-format workflow against a server's node catalog before it is submitted.

Every problem is collected, each naming the node id, title, class and input, so one
run shows everything that would make the server reject the workflow or waste GPU time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

WIDGET_CONVERTERS = {"INT": int, "FLOAT": float, "STRING": str, "BOOLEAN": bool}
UPLOAD_FLAGS = {"image_upload": "image", "video_upload": "video", "audio_upload": "audio"}


def upload_kind(options: dict[str, Any]) -> str | None:
    """``image``, ``video`` or ``audio`` for an input whose choices are the files of the
    server's input folder (``LoadImage``'s ``image``), else None."""
    for flag, kind in UPLOAD_FLAGS.items():
        if options.get(flag):
            return kind
    return None


def missing_input_file(value: Any, choices: list[Any] | None, kind: str) -> str:
    """Why a file input's value is refused, and how to put the file there (``choices``:
    the files there, None when not known)."""
    upload = "Upload Image" if kind == "image" else "Upload Image (it uploads any file)"
    if choices is None:
        return (
            f"{kind} {value!r} is not in the server's input folder; put it there with "
            f"{upload} first"
        )
    if not choices:
        return (
            f"{kind} {value!r} is not on the server: its input folder has no {kind} files; "
            f"put one there with {upload} first"
        )
    shown = ", ".join(map(str, choices[:8])) + (" ..." if len(choices) > 8 else "")
    return (
        f"{kind} {value!r} is not in the server's input folder (it has: {shown}); "
        f"put it there with {upload} first"
    )


MODEL_INPUTS = (
    "ckpt_name",
    "unet_name",
    "vae_name",
    "lora_name",
    "clip_name",
    "clip_name1",
    "clip_name2",
    "clip_name3",
    "control_net_name",
    "model_name",
    "upscale_model_name",
    "style_model_name",
    "text_encoder",
)


@dataclass(frozen=True)
class Problem:
    node_id: str
    title: str
    class_type: str
    input_name: str | None
    message: str

    def __str__(self) -> str:
        if not self.node_id:
            return self.message
        where = f"node {self.node_id}"
        if self.title and self.title != self.class_type:
            where += f' "{self.title}"'
        where += f" ({self.class_type})"
        if self.input_name:
            where += f" input '{self.input_name}'"
        return f"{where}: {self.message}"


def _is_link(value: Any) -> bool:
    return isinstance(value, list) and len(value) == 2 and isinstance(value[1], int)


def _types_fit(received: Any, expected: Any) -> bool:
    if isinstance(expected, list) or expected == "COMBO":
        return received in {"COMBO", "*"} or isinstance(received, list)
    if received == "*" or expected in ("*", received):
        return True
    if isinstance(received, str) and isinstance(expected, str):
        return bool(
            {t.strip() for t in received.split(",")} & {t.strip() for t in expected.split(",")}
        )
    return False


class WorkflowValidator:
    def __init__(self, workflow: dict[str, Any], catalog: dict[str, Any]):
        self.workflow = workflow
        self.catalog = catalog
        self.problems: list[Problem] = []

    def _problem(self, node_id: str, input_name: str | None, message: str) -> None:
        node = self.workflow.get(node_id) or {}
        title = (node.get("_meta") or {}).get("title") or ""
        self.problems.append(
            Problem(node_id, title, str(node.get("class_type", "?")), input_name, message)
        )

    def validate(self) -> list[Problem]:
        outputs = []
        for node_id, node in self.workflow.items():
            class_type = node.get("class_type")
            spec = self.catalog.get(class_type)
            if spec is None:
                self._problem(
                    node_id, None, f"node type '{class_type}' is not installed on the server"
                )
                continue
            if spec.get("output_node"):
                outputs.append(node_id)
            self._check_inputs(node_id, node, spec)
        if not outputs:
            self.problems.append(
                Problem(
                    "",
                    "",
                    "",
                    None,
                    "the workflow has no output node (such as SaveImage), so nothing would run",
                )
            )
        self._check_cycles()
        return self.problems

    def _check_inputs(self, node_id: str, node: dict[str, Any], spec: dict[str, Any]) -> None:
        inputs = node.get("inputs") or {}
        order = spec.get("input_order") or {}
        for category in ("required", "optional"):
            section = (spec.get("input") or {}).get(category) or {}
            for name in order.get(category) or list(section):
                config = section.get(name)
                if config is None:
                    continue
                kind = config[0] if config else "*"
                options = config[1] if len(config) > 1 and isinstance(config[1], dict) else {}
                if name not in inputs:
                    if category == "required":
                        self._problem(node_id, name, "required input is missing")
                    continue
                value = inputs[name]
                if _is_link(value):
                    self._check_link(node_id, name, value, kind)
                elif isinstance(value, list) and not isinstance(kind, list):
                    self._problem(node_id, name, f"link {value} must be [node id, output index]")
                else:
                    self._check_value(node_id, name, value, kind, options)

    def _check_link(self, node_id: str, name: str, link: list[Any], kind: Any) -> None:
        source_id, slot = str(link[0]), link[1]
        source = self.workflow.get(source_id)
        if source is None:
            self._problem(
                node_id, name, f"linked to node {source_id}, which is not in the workflow"
            )
            return
        source_spec = self.catalog.get(source.get("class_type"))
        if source_spec is None:
            return  # reported on the source node
        outputs = source_spec.get("output") or []
        if not 0 <= slot < len(outputs):
            self._problem(
                node_id,
                name,
                f"linked to output {slot} of node {source_id} "
                f"({source['class_type']}), which has {len(outputs)} output(s)",
            )
            return
        if not _types_fit(outputs[slot], kind):
            self._problem(
                node_id,
                name,
                f"linked output of type {outputs[slot]} does not fit input type {kind}",
            )

    def _check_value(
        self, node_id: str, name: str, value: Any, kind: Any, options: dict[str, Any]
    ) -> None:
        if isinstance(value, dict) and "__value__" in value:
            value = value["__value__"]
        if isinstance(kind, str) and kind in WIDGET_CONVERTERS:
            try:
                value = WIDGET_CONVERTERS[kind](value)
            except (TypeError, ValueError):
                self._problem(node_id, name, f"value {value!r} is not a valid {kind}")
                return
        if name == "filename_prefix" and isinstance(value, str) and _leaves_output(value):
            self._problem(
                node_id,
                name,
                f"prefix {value!r} would save outside the server's output folder, which "
                "ComfyUI refuses only when it saves, after the run: give a prefix inside it, "
                "such as 'my_run/image'",
            )
        if isinstance(value, int | float) and not isinstance(value, bool):
            if "min" in options and value < options["min"]:
                self._problem(node_id, name, f"value {value} below minimum {options['min']}")
            if "max" in options and value > options["max"]:
                self._problem(node_id, name, f"value {value} above maximum {options['max']}")
        choices = (
            kind
            if isinstance(kind, list)
            else (options.get("options") if kind == "COMBO" else None)
        )
        if choices is not None and value not in choices:
            upload = upload_kind(options)
            if upload is not None:
                self._problem(node_id, name, missing_input_file(value, choices, upload))
            elif name in MODEL_INPUTS or str(value).endswith(
                (".safetensors", ".ckpt", ".pt", ".pth", ".gguf", ".bin")
            ):
                shown = ", ".join(map(str, choices[:8])) + (" ..." if len(choices) > 8 else "")
                self._problem(
                    node_id,
                    name,
                    f"model file {value!r} is not on the server (it has: {shown or 'none'})",
                )
            elif len(choices) <= 12:
                self._problem(
                    node_id, name, f"value {value!r} is not one of {', '.join(map(repr, choices))}"
                )
            else:
                first = ", ".join(map(str, choices[:5]))
                self._problem(
                    node_id,
                    name,
                    f"value {value!r} is not one of the {len(choices)} choices ({first}, ...)",
                )

    def _check_cycles(self) -> None:
        state: dict[str, int] = {}

        def visit(node_id: str, path: list[str]) -> None:
            state[node_id] = 1
            for value in (self.workflow[node_id].get("inputs") or {}).values():
                if not _is_link(value) or str(value[0]) not in self.workflow:
                    continue
                source = str(value[0])
                if state.get(source) == 1:
                    cycle = [*path[path.index(source) :], source] if source in path else [source]
                    self._problem(source, None, "its links form a cycle " + " -> ".join(cycle))
                elif source not in state:
                    visit(source, [*path, source])
            state[node_id] = 2

        for node_id in self.workflow:
            if node_id not in state:
                visit(node_id, [node_id])


def _leaves_output(prefix: str) -> bool:
    """Whether a save prefix names a folder outside the output folder, as ComfyUI works
    the folder out (the prefix's directory joined to the output folder)."""
    import posixpath

    folder = posixpath.dirname(prefix)  # as a POSIX server reads it
    joined = posixpath.normpath(posixpath.join("/output", folder))
    return not (joined == "/output" or joined.startswith("/output/"))


def validate_workflow(workflow: dict[str, Any], catalog: dict[str, Any]) -> list[Problem]:
    """Every problem that would make the server reject ``workflow``, or that wastes GPU time."""
    return WorkflowValidator(workflow, catalog).validate()
