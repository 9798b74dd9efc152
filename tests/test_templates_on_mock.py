"""ComfyUI 0.8's own templates on the mock, against real 0.8's recorded answers.

The recording (tests/recorders/record_template_answers.py, on the real lane's 0.8 with
empty model files of the right names) holds every template the library's converter turns
into a core-node prompt, and 777 graphs made invalid from them. The mock, given the same
model names and input files (uploaded through its own route), must answer each as 0.8
did, and run every template 0.8 accepts to the end, each output node writing what its
class writes (PNG, WEBP, MP4, FLAC, MP3, GLB, text...).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from tests.conftest import REFERENCE, start_mock
from tests.template_corpus import (
    answer_of,
    apply,
    converted,
    expected_kind,
    output_kinds,
    recording,
    serve_templates,
    template_paths,
    write_input_file,
)

RECORDING = recording(REFERENCE / "template_answers.json.gz")
PROMPTS: dict[str, dict] = RECORDING["prompts"]
ACCEPTED = [name for name, answer in RECORDING["answers"].items() if answer["status"] == 200]


@pytest.fixture(scope="module")
def templates_mock(tmp_path_factory):
    """A mock with the recording's model names, and its input files uploaded."""
    server, client = serve_templates(tmp_path_factory.mktemp("templates"), RECORDING, start_mock)
    try:
        yield server, client
    finally:
        client.close()
        server.kill()


def _post(url: str, prompt: dict) -> dict:
    answer = requests.post(f"{url}/prompt", json={"prompt": prompt}, timeout=30)
    body = (
        answer.json()
        if answer.headers.get("Content-Type", "").startswith("application/json")
        else None
    )
    if answer.status_code == 200:
        requests.post(f"{url}/queue", json={"delete": [body["prompt_id"]]}, timeout=30)
    return answer_of(answer.status_code, body)


def test_the_recording_is_of_comfyui_0_8_with_every_template():
    assert RECORDING["comfyui_version"] == "0.8.0"
    assert len(PROMPTS) >= 105
    assert len(ACCEPTED) >= 105
    assert len(RECORDING["variants"]) >= 700


def test_the_converter_still_makes_the_recorded_prompts():
    """The recorded answers are to these prompts: the library's converter, run on the
    installed templates (the version 0.8 pins), still makes every one of them."""
    if not template_paths():
        pytest.skip("comfyui-workflow-templates is not installed (the [frontend] extra)")
    catalog = {**_bundled_catalog()}
    prompts, _ = converted(catalog)
    changed = [name for name in PROMPTS if prompts.get(name) != PROMPTS[name]]
    assert not changed, f"the converter now makes other prompts for: {changed}"


def _bundled_catalog() -> dict:
    from ComfyLibrary.mock.catalog import load_bundled_object_info

    return load_bundled_object_info()


def test_the_mock_answers_every_template_and_invalid_graph_as_0_8(templates_mock):
    server, _ = templates_mock
    differences = []
    for name, prompt in PROMPTS.items():
        ours = _post(server.url, prompt)
        if ours != RECORDING["answers"][name]:
            differences.append((name, RECORDING["answers"][name], ours))
    for key, variant in RECORDING["variants"].items():
        name, kind = key.split("/")
        ours = _post(server.url, apply(PROMPTS[name], (kind, *variant["change"])))
        if ours != variant["answer"]:
            differences.append((key, variant["answer"], ours))
    total = len(PROMPTS) + len(RECORDING["variants"])
    assert not differences, f"{len(differences)} of {total} answers differ: {differences[:10]}"


@pytest.mark.parametrize("name", ACCEPTED)
def test_every_template_0_8_accepts_runs_to_its_outputs(templates_mock, name):
    server, client = templates_mock
    prompt = PROMPTS[name]
    completion = client.wait_for_completion(client.submit(prompt), 120)
    assert completion.status == "success"
    kinds = output_kinds(completion.outputs, prompt)
    for node_id in completion.history["prompt"][4]:
        wanted = expected_kind(prompt[node_id]["class_type"])
        assert wanted is not None, f"no known output kind for {prompt[node_id]['class_type']}"
        assert wanted in kinds.get(node_id, set()), (
            f"node {node_id} ({prompt[node_id]['class_type']}) reported {kinds.get(node_id)}"
        )
    for item in (i for ui in completion.outputs.values() for v in ui.values() for i in v):
        if isinstance(item, dict) and "filename" in item:
            answer = requests.get(f"{server.url}/view", params=item, timeout=30)
            assert answer.status_code == 200, item
            assert answer.content, item


def test_input_files_are_real_media(tmp_path: Path):
    for kind, name in (("image", "a.png"), ("audio", "a.flac"), ("video", "a.mp4")):
        write_input_file(tmp_path / name, kind)
        assert (tmp_path / name).stat().st_size > 100
