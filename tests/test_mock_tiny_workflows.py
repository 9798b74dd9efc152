"""The tiny test-model workflows run on the mock as on real ComfyUI 0.8 (whose run is
checked by the real lane), and the mock's ``/free`` acts on ComfyUI's flags as 0.8 does."""

from __future__ import annotations

import io
from pathlib import Path

import av
import pytest
from PIL import Image

from ComfyLibrary.client import ComfyClient
from tests.prompts import shipped

START_FRAME = Path(__file__).resolve().parents[1] / "resources" / "fixtures" / "start_frame.png"


@pytest.fixture(scope="module")
def client(shared_client: ComfyClient) -> ComfyClient:
    return shared_client


@pytest.fixture(scope="module")
def start(client: ComfyClient) -> str:
    return client.upload_image(START_FRAME)["name"]


def run(client: ComfyClient, prompt: dict) -> tuple[dict, list[bytes]]:
    completion = client.wait_for_completion(client.submit(prompt), 30)
    assert completion.status == "success"
    files = [
        client.http.download(item["filename"], item["subfolder"], item["type"])
        for output in completion.outputs.values()
        for item in output.get("images", [])
    ]
    return completion.outputs, files


def cached_nodes(client: ComfyClient, prompt_id: str) -> list[str]:
    [event] = client.events.events(
        0,
        lambda e: (
            e.type == "execution_cached"
            and isinstance(e.data, dict)
            and e.data.get("prompt_id") == prompt_id
        ),
    )
    return event.data["nodes"]


def test_image_to_image_encodes_the_uploaded_picture(client, start):
    first = shipped("tiny_image_to_image", **{"13.image": start, "3.seed": 5})
    _, [redrawn] = run(client, first)
    assert Image.open(io.BytesIO(redrawn)).size == (64, 64)
    other_input = shipped("tiny_image_to_image", **{"13.image": start, "3.seed": 5, "14.width": 72})
    _, [other] = run(client, other_input)
    assert Image.open(io.BytesIO(other)).size == (72, 64)
    assert other != redrawn


def test_image_to_video_makes_one_mp4_frame_per_repeated_latent(client, start):
    prompt = shipped("tiny_image_to_video", **{"13.image": start, "16.amount": 6, "17.fps": 6.0})
    outputs, [video] = run(client, prompt)
    assert outputs["18"]["animated"] == [True]
    with av.open(io.BytesIO(video)) as container:
        stream = container.streams.video[0]
        frames = [frame.to_ndarray(format="gray") for frame in container.decode(stream)]
        assert stream.codec_context.name == "h264"
    assert len(frames) == 6
    assert frames[0].shape == (64, 64)
    assert any((frames[0] != frame).any() for frame in frames[1:])  # not a still


def test_free_memory_drops_the_cache_and_an_identical_prompt_runs_again(client):
    prompt = shipped("tiny_text_to_image", **{"3.seed": 77})
    run(client, prompt)
    again = client.submit(prompt)
    client.wait_for_completion(again, 30)
    assert len(cached_nodes(client, again.prompt_id)) == len(prompt)
    client.free(unload_models=True, free_memory=True)
    fresh = client.submit(prompt)
    client.wait_for_completion(fresh, 30)
    assert cached_nodes(client, fresh.prompt_id) == []


def test_unloading_models_alone_keeps_the_cache_as_0_8_does(client):
    prompt = shipped("tiny_text_to_image", **{"3.seed": 78})
    run(client, prompt)
    client.free(unload_models=True, free_memory=False)
    again = client.submit(prompt)
    client.wait_for_completion(again, 30)
    assert len(cached_nodes(client, again.prompt_id)) == len(prompt)
    vram = client.http.get_json("/system_stats")["devices"][0]
    assert vram["vram_free"] == vram["vram_total"]  # nothing loaded after the unload
