"""ComfyUI's own API example flow works against the mock unchanged: post a prompt
with a client_id, read /ws until ``executing`` with ``node: null``, read the history,
fetch every image with /view. Plain requests + websocket-client, not our client."""

from __future__ import annotations

import io
import json
import urllib.parse
import uuid

import requests
import websocket
from PIL import Image

from tests.prompts import sampler_workflow

CHECKPOINT_WORKFLOW = sampler_workflow(steps=20, seed=8566257, size=512)


def run_example(url: str, prompt: dict) -> tuple[dict, list[bytes], list[dict]]:
    host = urllib.parse.urlsplit(url).netloc
    client_id = str(uuid.uuid4())
    ws = websocket.WebSocket()
    ws.connect(f"ws://{host}/ws?clientId={client_id}")
    prompt_id = requests.post(
        f"{url}/prompt", json={"prompt": prompt, "client_id": client_id}, timeout=10
    ).json()["prompt_id"]
    seen = []
    while True:
        out = ws.recv()
        if isinstance(out, str):
            message = json.loads(out)
            seen.append(message)
            if message["type"] == "executing":
                data = message["data"]
                if data["node"] is None and data["prompt_id"] == prompt_id:
                    break
    ws.close()
    history = requests.get(f"{url}/history/{prompt_id}", timeout=10).json()[prompt_id]
    images = []
    for node_output in history["outputs"].values():
        for image in node_output.get("images", []):
            query = urllib.parse.urlencode(
                {
                    "filename": image["filename"],
                    "subfolder": image["subfolder"],
                    "type": image["type"],
                }
            )
            images.append(requests.get(f"{url}/view?{query}", timeout=10).content)
    return history, images, seen


def test_checkpoint_ksampler_example_flow(mock_server):
    history, images, seen = run_example(mock_server.url, CHECKPOINT_WORKFLOW)
    assert history["status"]["status_str"] == "success"
    assert len(images) == 1
    with Image.open(io.BytesIO(images[0])) as img:
        assert img.size == (512, 512)
        assert img.format == "PNG"
        assert len(img.getcolors(512 * 512)) > 100, "a generated picture is not uniform"
    steps = [m["data"]["value"] for m in seen if m["type"] == "progress"]
    assert steps == list(range(1, 21))


def test_same_seed_gives_identical_bytes_and_another_seed_a_different_image(mock_server):
    first = run_example(mock_server.url, CHECKPOINT_WORKFLOW)[1][0]
    changed = json.loads(json.dumps(CHECKPOINT_WORKFLOW))
    changed["9"]["inputs"]["filename_prefix"] = "again"  # only the save node re-runs
    again = run_example(mock_server.url, changed)[1][0]
    other_seed = json.loads(json.dumps(CHECKPOINT_WORKFLOW))
    other_seed["3"]["inputs"]["seed"] = 1
    different = run_example(mock_server.url, other_seed)[1][0]
    decoded = [Image.open(io.BytesIO(b)).tobytes() for b in (first, again, different)]
    assert decoded[0] == decoded[1]
    assert decoded[0] != decoded[2]


def test_unknown_model_file_fails_validation_like_comfyui(mock_server):
    broken = json.loads(json.dumps(CHECKPOINT_WORKFLOW))
    broken["4"]["inputs"]["ckpt_name"] = "missing.safetensors"
    answer = requests.post(f"{mock_server.url}/prompt", json={"prompt": broken}, timeout=10)
    assert answer.status_code == 400
    errors = answer.json()["node_errors"]["4"]["errors"]
    assert errors[0]["type"] == "value_not_in_list"
    assert errors[0]["details"].startswith("ckpt_name: 'missing.safetensors' not in [")
