"""How long a node takes on real ComfyUI 0.8 on a 2-core CPU: the mock's ``--pace real``.

``fast`` (the default) runs every node as fast as the mock can. ``real`` makes each node
take about what 0.8 takes for it on the machines this project runs on, from a per-class
cost model: image size and batch, blur radius, sampling steps over the latent's size. A
number scales ``real`` (``0.5`` is twice as fast). Suites that interrupt, kill or drop a
connection "while it runs" need a run that lasts; the interrupt recordings of 0.8 (a chain
of twenty 512x512 blurs of radius 31 interrupted after a second) match only at this pace.

Calibration (real 0.8.0 on CPU torch, 2 cores, idle): twenty ``ImageBlur`` of 512x512 at
radius 31 take about 8 s (0.4 s each; it grows with the kernel's area); the test models'
sampler about 0.03 s per step at 64x64 and in proportion to the latent's pixels beyond;
TAESD decodes and encodes at about 0.2 us a pixel; ``SaveImage`` writes a PNG at about 80 ns
a pixel; a checkpoint loads in about 0.3 s.
"""

from __future__ import annotations

from typing import Any

BLUR_SECONDS_512_R31 = 0.4
SAMPLER_STEP_SECONDS = 0.02  # the steps' fixed part, then per pixel of the image the latent makes
SAMPLER_STEP_PER_PIXEL = 2.5e-6
VAE_PER_PIXEL = 2e-7
PNG_PER_PIXEL = 8e-8
IMAGE_OP_PER_PIXEL = 5e-9
NODE_SECONDS = 0.001
LOADER_SECONDS = 0.3

SAMPLERS = {"KSampler", "KSamplerAdvanced", "SamplerCustom", "SamplerCustomAdvanced"}
LOADERS = {
    "CheckpointLoaderSimple",
    "UNETLoader",
    "CLIPLoader",
    "DualCLIPLoader",
    "TripleCLIPLoader",
    "VAELoader",
    "LoraLoader",
    "LoraLoaderModelOnly",
}
VAES = {"VAEDecode", "VAEDecodeTiled", "VAEEncode"}
SAVERS = {"SaveImage", "PreviewImage", "SaveAnimatedWEBP", "SaveAnimatedPNG"}


def parse_pace(value: Any) -> float | None:
    """``fast`` -> None, ``real`` -> 1.0, a positive number -> that factor of ``real``."""
    text = str(value).strip().lower()
    if text in ("", "fast", "none", "0"):
        return None
    if text == "real":
        return 1.0
    try:
        factor = float(text)
    except ValueError:
        raise ValueError(f"pace must be fast, real or a positive number, not {value!r}") from None
    if factor <= 0:
        raise ValueError(f"pace must be fast, real or a positive number, not {value!r}")
    return factor


def describe(pace: float | None) -> str:
    return "fast" if pace is None else "real" if pace == 1.0 else f"{pace:g} x real"


def _pixels(value: Any) -> int:
    """Pixels of an image batch (a list of Pillow images) or of the images a latent makes."""
    if isinstance(value, list) and value and hasattr(value[0], "size"):
        return sum(img.size[0] * img.size[1] for img in value)
    width, height = getattr(value, "width", None), getattr(value, "height", None)
    if isinstance(width, int) and isinstance(height, int):
        return width * height * max(1, getattr(value, "batch", 1)) * getattr(value, "frames", 1)
    return 0


def step_seconds(inputs: dict[str, Any]) -> float:
    """One sampling step of a sampler node, at real pace."""
    latent = inputs.get("latent_image") or inputs.get("samples")
    return SAMPLER_STEP_SECONDS + SAMPLER_STEP_PER_PIXEL * _pixels(latent)


def node_seconds(class_type: str, inputs: dict[str, Any]) -> float:
    """A node's own time at real pace (for samplers, what is not in their steps)."""
    pixels = max((_pixels(v) for v in inputs.values()), default=0)
    if class_type == "ImageBlur":
        radius = int(inputs.get("blur_radius", 1) or 0)
        kernel = ((2 * radius + 1) / 63) ** 2
        return BLUR_SECONDS_512_R31 * kernel * pixels / (512 * 512)
    if class_type in SAMPLERS:
        return NODE_SECONDS
    if class_type in LOADERS:
        return LOADER_SECONDS
    if class_type in VAES:
        return NODE_SECONDS + VAE_PER_PIXEL * pixels
    if class_type in SAVERS:
        return NODE_SECONDS + PNG_PER_PIXEL * pixels
    if class_type == "EmptyImage":
        size = int(inputs.get("width", 0)) * int(inputs.get("height", 0))
        return NODE_SECONDS + IMAGE_OP_PER_PIXEL * size * int(inputs.get("batch_size", 1))
    return NODE_SECONDS + IMAGE_OP_PER_PIXEL * pixels
