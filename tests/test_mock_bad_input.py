"""Bad input sent straight to the mock, as a client without validation would send it,
answered as ComfyUI 0.8 answers it, rough edges included."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests

from ComfyLibrary.client import ComfyClient
from tests.media_factory import moving_frames, write_audio, write_video

ROOT = Path(__file__).resolve().parents[1]
EDITOR = ROOT / "resources" / "workflows" / "editor" / "sdxl_simple_example.json"


@pytest.fixture(scope="module")
def url(shared_mock):
    return shared_mock.url


def post(url: str, data: bytes) -> requests.Response:
    return requests.post(
        f"{url}/prompt", data=data, headers={"Content-Type": "application/json"}, timeout=10
    )


@pytest.mark.parametrize(
    "prompt",
    [
        [1, 2],
        ["a"],
        5,
        2.5,
        None,
        True,
        {k: v for k, v in json.loads(EDITOR.read_text()).items() if k != "id"},
    ],
    ids=["array", "array-of-strings", "number", "float", "null", "bool", "editor-format"],
)
def test_a_prompt_that_is_no_api_workflow_gets_a_bare_500(url, prompt):
    answer = post(url, json.dumps({"prompt": prompt}).encode())
    assert answer.status_code == 500
    assert "Internal Server Error" in answer.text


def test_an_editor_workflow_led_by_its_id_misses_a_class_type(url):
    """ComfyUI looks at the first entry: a string (the workflow's id) has no class_type."""
    answer = post(url, json.dumps({"prompt": json.loads(EDITOR.read_text())}).encode())
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error["message"] == "Cannot execute because a node is missing the class_type property."
    assert error["details"] == "Node ID '#id'"


@pytest.mark.parametrize("prompt", [[], ""], ids=["empty-array", "empty-string"])
def test_an_empty_prompt_of_another_type_has_no_outputs(url, prompt):
    answer = post(url, json.dumps({"prompt": prompt}).encode())
    assert answer.status_code == 400
    assert answer.json()["error"]["type"] == "prompt_no_outputs"


def test_a_byte_order_mark_makes_the_body_invalid_json(url):
    body = json.dumps({"prompt": {}}).encode()
    assert post(url, body).status_code == 400
    assert post(url, b"\xef\xbb\xbf" + body).status_code == 500


def test_view_metadata_of_a_model_the_server_lacks_is_an_empty_404(url):
    answer = requests.get(
        f"{url}/view_metadata/checkpoints", params={"filename": "x.safetensors"}, timeout=5
    )
    assert answer.status_code == 404
    assert answer.content == b""


@pytest.fixture(scope="module")
def client(url):
    instance = ComfyClient(url)
    instance.connect(5)
    yield instance
    instance.close()


def run(client: ComfyClient, prompt: dict) -> dict:
    handle = client.submit(prompt)
    try:
        result = client.wait_for_completion(handle, 30)
    except Exception as exc:  # the failure is the result here
        return {"error": str(exc)}
    return {"outputs": result.outputs}


def test_a_truncated_png_is_loaded_as_far_as_it_goes(client, tmp_path):
    whole = tmp_path / "whole.png"
    moving_frames(1, size=(64, 48))[0].save(whole)
    cut = tmp_path / "truncated_upload.png"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size * 2 // 3])
    name = client.upload_image(cut)["name"]
    result = run(
        client,
        {
            "1": {"class_type": "LoadImage", "inputs": {"image": name}},
            "2": {"class_type": "PreviewImage", "inputs": {"images": ["1", 0]}},
        },
    )
    assert "outputs" in result, result


def video_prompt(name: str) -> dict:
    return {
        "1": {"class_type": "LoadVideo", "inputs": {"file": name}},
        "2": {"class_type": "GetVideoComponents", "inputs": {"video": ["1", 0]}},
        "3": {"class_type": "PreviewImage", "inputs": {"images": ["2", 0]}},
    }


def test_uploaded_videos_are_listed_and_run_and_broken_ones_fail_as_pyav_fails(client, tmp_path):
    good = write_video(tmp_path / "good_upload.mp4", moving_frames(6), 12, "libx264")
    empty = tmp_path / "empty_upload.mp4"
    empty.write_bytes(b"")
    audio_only = write_audio(tmp_path / "audio_only_upload.mp4", 0.5, "aac")
    names = {path.name: client.upload_image(path)["name"] for path in (good, empty, audio_only)}
    choices = client.object_info(refresh=True)["LoadVideo"]["input"]["required"]["file"]
    listed = choices[0] if isinstance(choices[0], list) else choices[1]["options"]
    assert set(names.values()) <= set(listed)

    assert "outputs" in run(client, video_prompt(names["good_upload.mp4"]))
    failure = run(client, video_prompt(names["empty_upload.mp4"]))["error"]
    assert "failed at node 2 (GetVideoComponents): av.error.InvalidDataError" in failure
    failure = run(client, video_prompt(names["audio_only_upload.mp4"]))["error"]
    assert "failed at node 2 (GetVideoComponents): IndexError" in failure


def test_a_missing_video_fails_validation_as_comfyui_does(url):
    prompt = video_prompt("nowhere.mp4")
    answer = requests.post(f"{url}/prompt", json={"prompt": prompt}, timeout=10)
    assert answer.status_code == 400
    [error] = answer.json()["node_errors"]["1"]["errors"]
    assert error["details"] == "file - Invalid video file: nowhere.mp4"
