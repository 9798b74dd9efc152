"""Every node class of the mock's 0.8 catalog runs, and none outputs ``None``.

For each class a prompt is built from the catalog alone: widget inputs take their default
(or first choice, or minimum), linked inputs are fed by the first class whose outputs have
that type and whose own inputs are all widgets, and every output of the class under test
goes to a PreviewAny, which shows what it received. A class passes when the prompt is
accepted, runs to success, and no output reached PreviewAny as ``None``.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests

from ComfyLibrary.client import ComfyClient
from ComfyLibrary.errors import PromptRejected
from ComfyLibrary.mock.catalog import load_bundled_object_info
from ComfyLibrary.mock.dynamic_inputs import AUTOGROW, DYNAMIC_COMBO, MATCH_TYPE
from tests.conftest import start_mock
from tests.template_corpus import write_input_file

CATALOG = load_bundled_object_info()
FILES = {"image": "probe.png", "audio": "probe.flac", "video": "probe.mp4"}
WIDGETS = ("INT", "FLOAT", "STRING", "BOOLEAN", "COMBO")
# 0.8 classes whose inputs its own editor fills at run time: nothing a prompt can give
NEEDS_THE_EDITOR = {"WebcamCapture", "LoadImageOutput", "LoadLatent", "Load3D", "RecordAudio"}
# 0.8 classes that cannot run on a 0.8 without more: an input type no 0.8 class makes
# (FLOATS, SVG: custom nodes make them) or a choice of folders 0.8 lists none of
NOTHING_TO_GIVE = {"CreateHookKeyframesFromFloats", "SaveSVGNode", "DiffusersLoader"}
# where the first source of a type is not one the class can use, as on 0.8 (an image
# latent decoded as audio fails there too; a video made without sound has no audio)
PREFERRED = {
    "VAEDecodeAudio": {"LATENT": ("EmptyLatentAudio", 0)},
    "GetVideoComponents": {"VIDEO": ("LoadVideo", 0)},
}


def _widget_value(spec: list[Any]) -> Any:
    kind = spec[0]
    options = spec[1] if len(spec) > 1 and isinstance(spec[1], dict) else {}
    if isinstance(kind, list):
        return kind[0] if kind else None
    if kind == "COMBO":
        choices = options.get("options") or []
        return choices[0] if choices else None
    if "default" in options:
        return options["default"]
    if kind in ("INT", "FLOAT"):
        low, high = options.get("min", 0), options.get("max", 1)
        return (0 if low <= 0 <= high else low) if kind == "INT" else float(low <= 0 <= high)
    return ""


def _is_widget(spec: list[Any]) -> bool:
    return isinstance(spec[0], list) or spec[0] in WIDGETS


def _link_types(name: str) -> list[str]:
    types = []
    for spec in CATALOG[name].get("input", {}).get("required", {}).values():
        if not _is_widget(spec) and spec[0] not in (DYNAMIC_COMBO, AUTOGROW):
            types.append("IMAGE" if spec[0] in (MATCH_TYPE, "*") else spec[0].split(",")[0])
    return types


def _sources() -> dict[str, tuple[str, int]]:
    """For each type, a class (and its output slot) that outputs it from widgets and types
    made so (found round by round until nothing new is found)."""
    found: dict[str, tuple[str, int]] = {}
    order = ["EmptyImage", "SolidMask", "EmptyLatentImage", *sorted(CATALOG)]
    changed = True
    while changed:
        changed = False
        for name in order:
            definition = CATALOG[name]
            if name in NEEDS_THE_EDITOR or not all(t in found for t in _link_types(name)):
                continue
            for slot, output in enumerate(definition.get("output", [])):
                if isinstance(output, str) and output not in (MATCH_TYPE, "*", *found):
                    found[output] = (name, slot)
                    changed = True
    return found


SOURCES = _sources()


def _widgets_of(name: str, files: dict[str, str]) -> dict[str, Any]:
    inputs = {}
    for input_name, spec in CATALOG[name].get("input", {}).get("required", {}).items():
        if _is_widget(spec):
            inputs[input_name] = _widget_value(spec)
    for (cls, input_name), kind in {
        ("LoadImage", "image"): "image",
        ("LoadImageMask", "image"): "image",
        ("LoadAudio", "audio"): "audio",
        ("LoadVideo", "file"): "video",
    }.items():
        if cls == name:
            inputs[input_name] = files[kind]
    return inputs


def prompt_for(name: str) -> dict[str, Any] | None:
    """A prompt that runs ``name`` with every output shown; None when a type has no source."""
    prompt: dict[str, Any] = {}
    inputs: dict[str, Any] = {}

    def feed(kind: str) -> list[Any] | None:
        wanted = "IMAGE" if kind in (MATCH_TYPE, "*") else kind.split(",", maxsplit=1)[0]
        source = PREFERRED.get(name, {}).get(wanted) or SOURCES.get(wanted)
        if source is None:
            return None
        node_id = str(len(prompt) + 100)
        inputs = _widgets_of(source[0], FILES)
        prompt[node_id] = {"class_type": source[0], "inputs": inputs}
        for input_name, spec in CATALOG[source[0]].get("input", {}).get("required", {}).items():
            if not _is_widget(spec):
                inputs[input_name] = feed(spec[0])
        return [node_id, source[1]]

    for input_name, spec in CATALOG[name].get("input", {}).get("required", {}).items():
        kind = spec[0]
        options = spec[1] if len(spec) > 1 and isinstance(spec[1], dict) else {}
        if kind == DYNAMIC_COMBO:
            option = options["options"][0]
            inputs[input_name] = option["key"]
            for sub, sub_spec in option.get("inputs", {}).get("required", {}).items():
                link = None if _is_widget(sub_spec) else feed(sub_spec[0])
                value = _widget_value(sub_spec) if _is_widget(sub_spec) else link
                inputs[f"{input_name}.{sub}"] = value
        elif kind == AUTOGROW:
            template = options["template"]
            names = template.get("names") or [
                f"{template['prefix']}{i}" for i in range(template["max"])
            ]
            inner = next(iter(next(iter(template["input"].values())).values()))
            for grown in names[: max(1, template.get("min", 1))]:
                inputs[f"{input_name}.{grown}"] = feed(inner[0])
        elif _is_widget(spec):
            inputs[input_name] = _widget_value(spec)
        else:
            link = feed(kind)
            if link is None:
                return None
            inputs[input_name] = link
    inputs.update(
        {k: v for k, v in _widgets_of(name, FILES).items() if k in ("image", "audio", "file")}
    )
    prompt["1"] = {"class_type": name, "inputs": inputs}
    for index, _ in enumerate(CATALOG[name].get("output", [])):
        prompt[str(10 + index)] = {"class_type": "PreviewAny", "inputs": {"source": ["1", index]}}
    return prompt


@pytest.fixture(scope="module")
def everything_mock(tmp_path_factory):
    root = tmp_path_factory.mktemp("every-class")
    from ComfyLibrary.mock.catalog import COMFYUI_FOLDERS

    models = {folder: ["probe.safetensors"] for folder in COMFYUI_FOLDERS}
    (root / "models.json").write_text(json.dumps(models))
    server = start_mock(root, "every-class", models=root / "models.json")
    client = ComfyClient(server.url)
    try:
        client.connect(10)
        for kind, name in FILES.items():
            write_input_file(root / "files" / name, kind)
            client.upload_image(root / "files" / name, name=name)
        # the catalog with the mock's file choices filled in
        CATALOG.update(requests.get(f"{server.url}/object_info", timeout=30).json())
        yield server, client
    finally:
        client.close()
        server.kill()


RUNNABLE = sorted(
    name
    for name, definition in CATALOG.items()
    if name not in NEEDS_THE_EDITOR | NOTHING_TO_GIVE
    and (definition.get("output") or definition.get("output_node"))
)


@pytest.mark.parametrize("name", RUNNABLE)
def test_every_class_runs_and_outputs_no_none(everything_mock, name):
    _, client = everything_mock
    prompt = prompt_for(name)
    if prompt is None:
        pytest.fail(f"{name}: no class of the catalog makes one of its input types")
    if not CATALOG[name].get("output") and not CATALOG[name].get("output_node"):
        return
    if not any(n["class_type"] == "PreviewAny" for n in prompt.values()):
        prompt["1"]["inputs"].setdefault("filename_prefix", "every/probe")
    try:
        handle = client.submit(prompt)
    except PromptRejected as exc:
        pytest.fail(f"{name}: {exc}")
    completion = client.wait_for_completion(handle, 60)
    assert completion.status == "success", f"{name}: {completion.history['status']}"
    for node_id, ui in completion.outputs.items():
        if prompt[node_id]["class_type"] == "PreviewAny":
            assert ui["text"] != ["None"], f"{name} output {int(node_id) - 10} is None"
