"""Small per-class rules where the typed rule's shapes are too coarse: sizes read back as
numbers, audio encoded to a latent, batches grown from v3 autogrow inputs, the switch, and
the files 0.8 writes for 3D meshes (GLB) and latents (``.latent``, a safetensors file)."""

from __future__ import annotations

import json
import struct
from typing import Any

from ComfyLibrary.mock.nodes import ExecutionFailure, NodeResult, node
from ComfyLibrary.mock.nodes.model_nodes import Latent, identity

# The latent channels of each family, as 0.8's latent formats have them: a .latent file's
# tensor has this many channels at an eighth of the picture's size.
LATENT_CHANNELS = {"flux": 16, "sd3": 16, "wan": 16, "qwen": 16, "ltx": 128, "default": 4}


def _grown(inputs: dict[str, Any], name: str) -> list[Any]:
    """The values of an autogrow input (``images.image0``, ``images.image1``...), in order."""
    prefix = f"{name}."
    keys = sorted((k for k in inputs if k.startswith(prefix)), key=_natural)
    return [inputs[k] for k in keys if inputs[k] is not None]


def _natural(key: str) -> tuple[str, int]:
    stem = key.rstrip("0123456789")
    digits = key[len(stem) :]
    return (stem, int(digits) if digits else -1)


@node("GetImageSize")
def get_image_size(ctx, image, **_: Any):
    width, height = image[0].size
    return (width, height, len(image))


@node("BatchImagesNode", "BatchMasksNode")
def batch_images(ctx, **inputs: Any):
    name = "images" if any(k.startswith("images.") for k in inputs) else "masks"
    batches = _grown(inputs, name)
    if not batches:
        raise ExecutionFailure(f"no {name} were given\n", "ValueError")
    size = batches[0][0].size
    return ([image.resize(size) for batch in batches for image in batch],)


@node("BatchLatentsNode")
def batch_latents(ctx, **inputs: Any):
    latents = _grown(inputs, "latents")
    if not latents:
        raise ExecutionFailure("no latents were given\n", "ValueError")
    first = latents[0]
    recipe = tuple(identity(latent.recipe) for latent in latents)
    batch = sum(latent.batch for latent in latents)
    return (Latent(first.width, first.height, batch, first.frames, recipe, first.extra),)


@node("ComfySwitchNode")
def switch(ctx, switch: bool, on_false=None, on_true=None, **_: Any):
    chosen = on_true if switch else on_false
    if chosen is None:
        chosen = on_false if switch else on_true
    return (chosen,)


@node("VAEEncodeAudio")
def vae_encode_audio(ctx, audio, vae=None, **_: Any):
    waveform, rate = audio["waveform"], audio["sample_rate"]
    seconds = waveform.shape[-1] / rate
    frames = max(2, round(seconds * 44100 / 2048))
    recipe = (waveform.shape, float(abs(waveform).sum()), identity(vae))
    return (Latent(1, 1, int(waveform.shape[0]), 1, recipe, {"audio_frames": frames}),)


def _tetrahedron_glb(recipe: Any) -> bytes:
    """A valid binary glTF 2.0 file holding one small mesh, shaped by ``recipe``."""
    import hashlib

    digest = hashlib.sha256(repr(recipe).encode()).digest()
    lift = 0.5 + digest[0] / 255.0
    vertices = [(0.0, 0.0, 0.0), (1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.0, 0.0, lift)]
    faces = [(0, 2, 1), (0, 1, 3), (0, 3, 2), (1, 2, 3)]
    vertex_bytes = b"".join(struct.pack("<3f", *v) for v in vertices)
    index_bytes = b"".join(struct.pack("<3I", *f) for f in faces)
    document = {
        "asset": {"version": "2.0", "generator": "comfy-mock"},
        "scene": 0,
        "scenes": [{"nodes": [0]}],
        "nodes": [{"mesh": 0}],
        "meshes": [{"primitives": [{"attributes": {"POSITION": 0}, "indices": 1}]}],
        "buffers": [{"byteLength": len(vertex_bytes) + len(index_bytes)}],
        "bufferViews": [
            {"buffer": 0, "byteOffset": 0, "byteLength": len(vertex_bytes), "target": 34962},
            {
                "buffer": 0,
                "byteOffset": len(vertex_bytes),
                "byteLength": len(index_bytes),
                "target": 34963,
            },
        ],
        "accessors": [
            {
                "bufferView": 0,
                "componentType": 5126,
                "count": len(vertices),
                "type": "VEC3",
                "min": [0.0, 0.0, 0.0],
                "max": [1.0, 1.0, lift],
            },
            {"bufferView": 1, "componentType": 5125, "count": len(faces) * 3, "type": "SCALAR"},
        ],
    }
    text = json.dumps(document, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 4)
    binary = vertex_bytes + index_bytes
    binary += b"\0" * (-len(binary) % 4)
    total = 12 + 8 + len(text) + 8 + len(binary)
    return (
        struct.pack("<4sII", b"glTF", 2, total)
        + struct.pack("<I4s", len(text), b"JSON")
        + text
        + struct.pack("<I4s", len(binary), b"BIN\0")
        + binary
    )


@node("SaveGLB")
def save_glb(ctx, mesh, filename_prefix: str = "mesh/ComfyUI", **_: Any):
    folder, name, counter = ctx.save_path(filename_prefix, None, "output")
    filename = f"{name}_{counter:05}_.glb"
    (folder / filename).write_bytes(_tetrahedron_glb(identity(mesh)))
    return NodeResult(ui={"3d": [ctx.file_entry(folder, filename, "output")]})


def _latent_file(latent: Latent, metadata: dict[str, str]) -> bytes:
    """A safetensors file of ``latent_tensor`` (zeros, the latent's shape) and an empty
    ``latent_format_version_0``, as 0.8's SaveLatent writes."""
    family = next((f for f in LATENT_CHANNELS if f in repr(latent.recipe).lower()), "default")
    shape = [latent.batch, LATENT_CHANNELS[family], max(1, latent.height // 8)]
    shape.append(max(1, latent.width // 8))
    if latent.frames > 1:
        shape.insert(2, (latent.frames - 1) // 4 + 1)
    size = 4
    for dimension in shape:
        size *= dimension
    header = {
        "__metadata__": metadata,
        "latent_tensor": {"dtype": "F32", "shape": shape, "data_offsets": [0, size]},
        "latent_format_version_0": {"dtype": "F32", "shape": [0], "data_offsets": [size, size]},
    }
    encoded = json.dumps(header, separators=(",", ":")).encode()
    encoded += b" " * (-len(encoded) % 8)
    return struct.pack("<Q", len(encoded)) + encoded + bytes(size)


@node("SaveLatent")
def save_latent(ctx, samples: Latent, filename_prefix: str = "latents/ComfyUI", **_: Any):
    folder, name, counter = ctx.save_path(filename_prefix, None, "output")
    filename = f"{name}_{counter:05}_.latent"
    metadata = {"prompt": json.dumps(ctx.run.prompt)}
    (folder / filename).write_bytes(_latent_file(samples, metadata))
    return NodeResult(ui={"latents": [ctx.file_entry(folder, filename, "output")]})
