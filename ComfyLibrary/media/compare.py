"""Comparing images: pixel identity, blankness, and perceptual similarity (SSIM) with masks."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ComfyLibrary.errors import MediaError
from ComfyLibrary.media.image import open_image

Region = tuple[int, int, int, int]  # x, y, width, height


def gray(image: Any) -> np.ndarray:
    return np.asarray(image.convert("L"), dtype=np.float64)


def pixel_stats(path: str | Path, decoded: Any = None) -> dict[str, float]:
    """Mean and standard deviation of the grayscale pixels, and the share of the dominant value
    (of the image at ``path``, or of ``decoded``, an image `open_image` gave)."""
    if decoded is None:
        with open_image(path) as img:
            return pixel_stats(path, img)
    levels = np.asarray(decoded.convert("L"))
    counts = np.bincount(levels.ravel(), minlength=256)
    pixels = levels.astype(np.float32)
    return {
        "mean": float(pixels.mean(dtype=np.float64)),
        "stddev": float(pixels.std(dtype=np.float64)),
        "dominant_share": float(counts.max() / levels.size),
        "dominant_value": int(counts.argmax()),
    }


def identical(first: str | Path, second: str | Path) -> tuple[bool, str]:
    """Whether two images have the same size and the same pixels; with the reason if not."""
    with open_image(first) as a, open_image(second) as b:
        if a.size != b.size:
            return False, f"sizes differ: {a.width}x{a.height} and {b.width}x{b.height}"
        pa = np.asarray(a.convert("RGBA"), dtype=np.int16)
        pb = np.asarray(b.convert("RGBA"), dtype=np.int16)
    different = int(np.any(pa != pb, axis=2).sum())
    if different:
        return False, (
            f"{different} of {pa.shape[0] * pa.shape[1]} pixels differ "
            f"(largest channel difference {int(np.abs(pa - pb).max())})"
        )
    return True, "all pixels are equal"


WINDOW = 7


def _box_mean(values: np.ndarray, size: int = WINDOW) -> np.ndarray:
    """Mean over a ``size`` x ``size`` window around every pixel, from an integral image;
    the edges are mirrored with the edge pixel repeated (SciPy's ``reflect`` mode)."""
    pad = size // 2
    padded = np.pad(values, pad, mode="symmetric")
    integral = np.pad(padded.cumsum(0).cumsum(1), ((1, 0), (1, 0)))
    total = (
        integral[size:, size:]
        - integral[:-size, size:]
        - integral[size:, :-size]
        + integral[:-size, :-size]
    )
    return total / (size * size)


def ssim(a: np.ndarray, b: np.ndarray) -> tuple[float, np.ndarray]:
    """Structural similarity of two grayscale arrays (0-255): the mean and the per-pixel
    map. It is scikit-image's ``structural_similarity`` with its defaults and
    ``data_range=255``: uniform 7x7 windows, sample covariances (49/48), SciPy's edge
    mirroring, and the mean taken without the 3-pixel border; a test holds the two
    within 1e-9 of each other."""
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    samples = WINDOW * WINDOW
    correction = samples / (samples - 1)
    mu_a, mu_b = _box_mean(a), _box_mean(b)
    var_a = correction * (_box_mean(a * a) - mu_a**2)
    var_b = correction * (_box_mean(b * b) - mu_b**2)
    cov = correction * (_box_mean(a * b) - mu_a * mu_b)
    numerator = (2 * mu_a * mu_b + c1) * (2 * cov + c2)
    smap = numerator / ((mu_a**2 + mu_b**2 + c1) * (var_a + var_b + c2))
    border = WINDOW // 2
    inner = smap[border:-border, border:-border] if min(smap.shape) > 2 * border else smap
    return float(inner.mean()), smap


def mask_of(shape: tuple[int, ...], masks: list[Region]) -> np.ndarray:
    """True where a pixel lies in one of the mask regions."""
    masked = np.zeros(shape[:2], dtype=bool)
    for x, y, width, height in masks:
        masked[max(0, y) : max(0, y + height), max(0, x) : max(0, x + width)] = True
    return masked


def masked_score(smap: np.ndarray, masked: np.ndarray) -> float:
    """The mean of an SSIM map over the pixels that masks leave out of it: each pixel
    whose 7x7 window touches no masked pixel (so a masked pixel counts neither as a match
    nor as a difference), without the 3-pixel border, as `ssim` takes its mean."""
    touched = _box_mean(masked.astype(np.float64)) > 0
    border = WINDOW // 2
    if min(smap.shape) > 2 * border:
        smap = smap[border:-border, border:-border]
        touched = touched[border:-border, border:-border]
    kept = ~touched
    if not kept.any():
        raise MediaError(
            "The masks leave no part of the image to compare (every 7x7 window touches a "
            "masked pixel): mask less of it."
        )
    return float(smap[kept].mean())


@dataclass
class Comparison:
    score: float
    size: tuple[int, int]
    diff: Any  # a PIL image showing where the images differ


def compare(
    candidate: str | Path,
    reference: str | Path,
    masks: list[Region] | None = None,
    max_side: int = 1024,
    resize_reference: bool = False,
) -> Comparison:
    """SSIM of two images of the same size (downscaled to ``max_side`` for speed). Masked
    regions leave the score: it is the mean over the pixels whose windows they do not
    touch, so masking part of two unrelated images does not make them similar."""
    from PIL import Image

    with open_image(candidate) as c, open_image(reference) as loaded:
        r = loaded.resize(c.size) if resize_reference and loaded.size != c.size else loaded
        if c.size != r.size:
            raise MediaError(
                f"Image {Path(candidate).name} is {c.width}x{c.height} but the "
                f"reference is {r.width}x{r.height}: they cannot be compared."
            )
        size = c.size
        scale = min(1.0, max_side / max(size))
        shape = (max(1, round(size[0] * scale)), max(1, round(size[1] * scale)))
        a = gray(c.resize(shape) if scale < 1 else c)
        b = gray(r.resize(shape) if scale < 1 else r)
    scaled = [
        (round(x * scale), round(y * scale), round(w * scale), round(h * scale))
        for x, y, w, h in masks or []
    ]
    score, smap = ssim(a, b)
    if scaled:
        masked = mask_of(a.shape, scaled)
        score = masked_score(smap, masked)
        smap = np.where(masked, 1.0, smap)  # the difference image shows masked areas as equal
    heat = np.clip((1 - smap) * 255 * 2, 0, 255).astype(np.uint8)
    diff = Image.fromarray(heat, mode="L").convert("RGB")
    return Comparison(score, size, diff)


def parse_masks(value: Any) -> list[Region]:
    """Mask regions from ``[[x, y, w, h], ...]``, ``{"x":..}`` dicts or ``"x,y,w,h; ..."``."""
    if value in (None, "", [], "NONE"):
        return []
    if isinstance(value, str):
        items: list[Any] = [part.split(",") for part in value.split(";") if part.strip()]
    elif isinstance(value, dict):
        items = [value]
    else:
        items = list(value)
    regions = []
    for item in items:
        if isinstance(item, dict):
            item = [item.get("x", 0), item.get("y", 0), item.get("width"), item.get("height")]  # noqa: PLW2901
        try:
            x, y, w, h = (int(str(v).strip()) for v in item)
        except (TypeError, ValueError):
            raise MediaError(
                f"Mask region {item!r} must be x, y, width, height in pixels, e.g. 0,0,100,50."
            ) from None
        regions.append((x, y, w, h))
    return regions
