"""Seed 003's model variations: the mock's pictures follow the models a workflow loads."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from ComfyLibrary.client import ComfyClient
from ComfyLibrary.media.compare import ssim
from tests.prompts import shipped


@pytest.fixture(scope="module")
def client(shared_client):
    return shared_client


def render(client: ComfyClient, lora: tuple[str, float] | None = None, **inputs) -> bytes:
    prompt = shipped(
        "z_image_turbo_generation", **{"57:13.width": 256, "57:13.height": 192, **inputs}
    )
    if lora is not None:  # a LoRA between the UNet and the model sampling
        name, strength = lora
        prompt["99"] = {
            "class_type": "LoraLoaderModelOnly",
            "inputs": {"model": ["57:28", 0], "lora_name": name, "strength_model": strength},
        }
        prompt["57:11"]["inputs"]["model"] = ["99", 0]
    handle = client.submit(prompt)
    result = client.wait_for_completion(handle, 30)
    [item] = result.outputs["9"]["images"]
    return client.http.download(item["filename"], item["subfolder"], item["type"])


def gray(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)).convert("L"), dtype=np.float64)


def clearly_different(first: bytes, second: bytes) -> bool:
    """Another picture, not a tint of the same one: the structure differs."""
    score, _ = ssim(gray(first), gray(second))
    return score < 0.6


LORA = "ltx-2-19b-ic-lora-detailer.safetensors"


def test_the_same_choices_give_the_same_bytes(client):
    assert render(client) == render(client, **{"57:3.seed": 12345})


@pytest.mark.parametrize(
    "change",
    [
        {"57:28.unet_name": "z_image_turbo_fp8_e4m3fn.safetensors"},
        {"57:30.clip_name": "qwen_3_4b_fp8_mixed.safetensors"},
        {"57:29.vae_name": "sdxl_vae.safetensors"},
        {"57:3.seed": 54321},
        {"58.value": "A blue whale under a frozen sea"},
    ],
    ids=["unet", "text-encoder", "vae", "seed", "prompt"],
)
def test_another_model_or_input_gives_a_clearly_different_picture(client, change):
    assert clearly_different(render(client), render(client, **change))


def test_a_lora_and_its_strength_change_the_picture(client):
    plain = render(client)
    full = render(client, lora=(LORA, 1.0))
    half = render(client, lora=(LORA, 0.5))
    assert clearly_different(plain, full)
    assert clearly_different(full, half)
    # strength 0 changes no pixel (the bytes differ: SaveImage stores the prompt in the PNG)
    assert np.array_equal(gray(render(client, lora=(LORA, 0.0))), gray(plain))
    assert render(client, lora=(LORA, 0.5)) == half


def test_every_loader_of_the_shipped_workflows_has_two_model_files(client):
    catalog = client.object_info(refresh=True)
    loaders = {
        ("UNETLoader", "unet_name"),
        ("CLIPLoader", "clip_name"),
        ("VAELoader", "vae_name"),
        ("CheckpointLoaderSimple", "ckpt_name"),
        ("LoraLoaderModelOnly", "lora_name"),
        ("LatentUpscaleModelLoader", "model_name"),
    }
    for class_type, name in loaders:
        choices = catalog[class_type]["input"]["required"][name][0]
        assert len(choices) >= 2, (class_type, choices)
