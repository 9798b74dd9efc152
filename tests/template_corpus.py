"""ComfyUI's official templates as a test corpus: the editor workflows of the
``comfyui-workflow-templates`` packages 0.8 pins, converted to API prompts by the library's
own converter, the model and input files they name, and graphs made invalid from them in
the ways users make them invalid (a value out of range, a wrong choice, a missing input,
a link to a missing node or of the wrong type, an unknown class).

Used by the template tests, the template benchmark and the recorder of real 0.8's answers.
"""

from __future__ import annotations

import copy
import importlib.util
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ComfyLibrary.errors import WorkflowError
from ComfyLibrary.mock.catalog import load_node_facts
from ComfyLibrary.workflow.ui_format import convert_ui_workflow

PACKAGES = ("image", "video", "other", "api")
# The inputs that name a file of the input folder, by class, and the kind of file.
INPUT_FILES = {
    ("LoadImage", "image"): "image",
    ("LoadImageMask", "image"): "image",
    ("LoadAudio", "audio"): "audio",
    ("LoadVideo", "file"): "video",
}
# What each output node writes, as the extension of the files its UI output lists, or the
# UI key it fills when it writes no file.
OUTPUT_KINDS = {
    "SaveImage": ".png",
    "PreviewImage": ".png",
    "MaskPreview": ".png",
    "SaveAnimatedPNG": ".png",
    "SaveAnimatedWEBP": ".webp",
    "SaveWEBM": ".webm",
    "SaveVideo": ".mp4",
    "SaveAudio": ".flac",
    "PreviewAudio": ".flac",
    "SaveAudioMP3": ".mp3",
    "SaveAudioOpus": ".opus",
    "SaveGLB": ".glb",
    "Preview3D": "result",
    "SaveLatent": ".latent",
    "PreviewAny": "text",
}


def template_paths() -> list[Path]:
    """The editor workflows of the installed template packages, by name."""
    paths: list[Path] = []
    for package in PACKAGES:
        spec = importlib.util.find_spec(f"comfyui_workflow_templates_media_{package}")
        if spec is None or spec.origin is None:
            continue
        folder = Path(spec.origin).parent / "templates"
        paths.extend(p for p in folder.glob("*.json") if not p.name.startswith("index"))
    return sorted(paths, key=lambda p: p.stem)


def converted(object_info: dict[str, Any]) -> tuple[dict[str, dict[str, Any]], dict[str, str]]:
    """Every template the converter turns into a prompt of ``object_info``'s classes, and why
    the others were not (custom or API nodes the catalog lacks, not a workflow)."""
    prompts: dict[str, dict[str, Any]] = {}
    refused: dict[str, str] = {}
    for path in template_paths():
        try:
            workflow = json.loads(path.read_text(encoding="utf-8"))
            prompts[path.stem] = convert_ui_workflow(workflow, object_info, path.name)
        except WorkflowError as exc:
            refused[path.stem] = str(exc)
    return prompts, refused


def recording(path: Path) -> dict[str, Any]:
    """A recording of real ComfyUI's answers (tests/recorders/record_template_answers.py)."""
    import gzip

    loaded: dict[str, Any] = json.loads(gzip.decompress(path.read_bytes()))
    return loaded


def serve_templates(root: Path, recorded: dict[str, Any], start: Any) -> tuple[Any, Any]:
    """A mock (``start(root, name, **options)``) with the recording's model names, and a
    connected client that uploaded the recording's input files through the mock's route."""
    from ComfyLibrary.client import ComfyClient

    (root / "models.json").write_text(json.dumps(recorded["models"]))
    server = start(root, "templates", models=root / "models.json")
    client = ComfyClient(server.url)
    try:
        client.connect(10)
        for name, kind in recorded["inputs"].items():
            local = root / "files" / name
            write_input_file(local, kind)
            client.upload_image(local, name=name)
    except BaseException:
        client.close()
        server.kill()
        raise
    return server, client


def needed_files(prompts: dict[str, dict[str, Any]]) -> tuple[dict[str, set[str]], dict[str, str]]:
    """The model files the prompts name, per folder, and their input files with their kind."""
    folders = load_node_facts()["model_folders"]
    models: dict[str, set[str]] = {}
    inputs: dict[str, str] = {}
    for prompt in prompts.values():
        for node in prompt.values():
            for name, value in node.get("inputs", {}).items():
                if not isinstance(value, str):
                    continue
                folder = folders.get(f"{node['class_type']}.{name}")
                if folder is not None:
                    models.setdefault(folder, set()).add(value)
                kind = INPUT_FILES.get((node["class_type"], name))
                if kind is not None:
                    inputs[value] = kind
    return models, inputs


def write_input_file(path: Path, kind: str) -> None:
    """A small real file of ``kind`` (image, audio or video) at ``path``."""
    from tests.media_factory import moving_frames, write_audio, write_video

    path.parent.mkdir(parents=True, exist_ok=True)
    if kind == "image":
        moving_frames(1, (96, 64))[0].save(path, format="PNG")
    elif kind == "audio":
        codec = {".mp3": "mp3", ".flac": "flac", ".ogg": "libopus", ".opus": "libopus"}
        write_audio(path, 1.0, codec.get(path.suffix.lower(), "pcm_s16le"))
    else:
        write_video(path, moving_frames(8, (96, 64)), audio_seconds=0.5)


def output_kinds(entry_outputs: dict[str, Any], prompt: dict[str, Any]) -> dict[str, set[str]]:
    """For each output node of a history entry: the kinds of what it reported (file
    extensions, or ``text`` / ``3d`` for what is not a file list)."""
    kinds: dict[str, set[str]] = {}
    for node_id, ui in entry_outputs.items():
        found: set[str] = set()
        for key, items in ui.items():
            if key in ("text", "result"):  # PreviewAny's text, Preview3D's file name
                found.add(key)
                continue
            for item in items if isinstance(items, list) else []:
                if isinstance(item, dict) and "filename" in item:
                    found.add(Path(item["filename"]).suffix.lower())
                    if key == "3d":
                        found.add("3d")
        kinds[node_id] = found
    return kinds


def expected_kind(class_type: str) -> str | None:
    return OUTPUT_KINDS.get(class_type)


Change = tuple[str, str, str, Any]  # (kind, node id, input name or "class_type", value)
REMOVED = {"removed": True}  # the value of a change that takes the input away


def mutations(prompt: dict[str, Any], object_info: dict[str, Any]) -> Iterator[Change]:
    """Mistakes to make in a valid prompt, one kind each, made at the first node where that
    kind can be made (deterministic for one catalog)."""
    made: set[str] = set()

    def first(kind: str) -> bool:
        if kind in made:
            return False
        made.add(kind)
        return True

    for node_id, node in sorted(prompt.items(), key=lambda item: item[0]):
        definition = object_info.get(node["class_type"], {})
        required = definition.get("input", {}).get("required", {})
        declared = {**definition.get("input", {}).get("optional", {}), **required}
        for name, value in node.get("inputs", {}).items():
            spec = declared.get(name)
            if not isinstance(spec, list) or not spec:
                continue
            options = spec[1] if len(spec) > 1 and isinstance(spec[1], dict) else {}
            number = spec[0] in ("INT", "FLOAT")
            if number and "max" in options and first("too_big"):
                yield "too_big", node_id, name, options["max"] * 2 + 1
            if number and first("not_a_number"):
                yield "not_a_number", node_id, name, "many"
            choices = spec[0] if isinstance(spec[0], list) else options.get("options")
            if isinstance(choices, list) and choices and first("bad_choice"):
                yield "bad_choice", node_id, name, "no-such-choice"
            if name in required and first("missing_input"):
                yield "missing_input", node_id, name, REMOVED
            if isinstance(value, list) and len(value) == 2:
                if first("dangling_link"):
                    yield "dangling_link", node_id, name, ["999999", 0]
                if first("bad_slot"):
                    yield "bad_slot", node_id, name, [value[0], 99]
        if first("unknown_class"):
            yield "unknown_class", node_id, "class_type", "NoSuchNodeClass"


def apply(prompt: dict[str, Any], change: Change) -> dict[str, Any]:
    """The prompt with one mistake made."""
    _, node_id, name, value = change
    changed = copy.deepcopy(prompt)
    node = changed[node_id]
    if name == "class_type":
        node["class_type"] = value
    elif value == REMOVED:
        del node["inputs"][name]
    else:
        node["inputs"][name] = value
    return changed


def answer_of(status: int, body: Any) -> dict[str, Any]:
    """What a server's answer to POST /prompt says, in terms two servers can be compared
    by: the status, the top error's type and the set of node error types."""
    if not isinstance(body, dict):
        return {"status": status}
    error = body.get("error")
    node_types = sorted(
        {
            e.get("type")
            for entry in (body.get("node_errors") or {}).values()
            for e in entry.get("errors", [])
        }
    )
    return {
        "status": status,
        "error": error.get("type") if isinstance(error, dict) else None,
        "node_errors": node_types,
    }
