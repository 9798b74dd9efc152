"""Image nodes that need no model: the mock does their real pixel work with Pillow.

IMAGE values are lists of RGB ``PIL.Image`` objects (a batch); MASK values are
lists of ``L`` images.
"""

from __future__ import annotations

from typing import Any

from PIL import Image, ImageChops, ImageFilter, ImageOps

from ComfyLibrary.mock.nodes import ExecutionFailure, node

MAX_PIXELS = 16384 * 16384
RESAMPLING = {
    "nearest-exact": Image.Resampling.NEAREST,
    "bilinear": Image.Resampling.BILINEAR,
    "area": Image.Resampling.BOX,
    "bicubic": Image.Resampling.BICUBIC,
    "lanczos": Image.Resampling.LANCZOS,
}


def rgb_of(color: int) -> tuple[int, int, int]:
    return ((color >> 16) & 0xFF, (color >> 8) & 0xFF, color & 0xFF)


def _allocate(width: int, height: int, batch: int) -> None:
    if width * height * batch > MAX_PIXELS:
        needed = width * height * batch * 4
        raise ExecutionFailure(
            "[enforce fail at alloc_cpu.cpp:127] err == 0. DefaultCPUAllocator: can't "
            f"allocate memory: you tried to allocate {needed} bytes. "
            "Error code 12 (Cannot allocate memory)\n",
            "RuntimeError",
        )


@node("EmptyImage")
def empty_image(ctx, width: int, height: int, batch_size: int = 1, color: int = 0, **_: Any):
    _allocate(width, height, batch_size)
    return ([Image.new("RGB", (width, height), rgb_of(color)) for _ in range(batch_size)],)


def _open_tolerantly(path: Any) -> Any:
    """Opens an image as ComfyUI 0.8 does: a truncated file is loaded as far as it goes."""
    from PIL import ImageFile

    try:
        with Image.open(path) as img:
            img.load()
            return img.convert("RGBA")
    except OSError:
        ImageFile.LOAD_TRUNCATED_IMAGES = True  # ComfyUI's node_helpers.pillow retries so
        try:
            with Image.open(path) as img:
                img.load()
                return img.convert("RGBA")
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = False


@node("LoadImage")
def load_image(ctx, image: str, **_: Any):
    path = ctx.input_path(image)
    try:
        frames = [_open_tolerantly(path)]
    except (OSError, ValueError) as exc:
        raise ExecutionFailure(
            f"cannot identify image file '{path}'", "PIL.UnidentifiedImageError"
        ) from exc
    rgba = frames[0]
    alpha = rgba.getchannel("A")
    mask = ImageOps.invert(alpha)
    return ([rgba.convert("RGB")], [mask])


@node("ImageInvert")
def image_invert(ctx, image: list[Image.Image], **_: Any):
    return ([ImageOps.invert(img) for img in image],)


@node("ImageScale")
def image_scale(
    ctx, image, upscale_method: str, width: int, height: int, crop: str = "disabled", **_
):
    out = []
    for img in image:
        w = width or round(img.width * height / img.height)
        h = height or round(img.height * width / img.width)
        if crop == "center":
            out.append(ImageOps.fit(img, (w, h), RESAMPLING[upscale_method]))
        else:
            out.append(img.resize((w, h), RESAMPLING[upscale_method]))
    return (out,)


@node("ImageScaleBy")
def image_scale_by(ctx, image, upscale_method: str, scale_by: float, **_: Any):
    return (
        [
            img.resize(
                (max(1, round(img.width * scale_by)), max(1, round(img.height * scale_by))),
                RESAMPLING[upscale_method],
            )
            for img in image
        ],
    )


@node("ImageBlur")
def image_blur(ctx, image, blur_radius: int, sigma: float = 1.0, **_: Any):
    return (
        [img.filter(ImageFilter.GaussianBlur(radius=blur_radius * sigma / 2)) for img in image],
    )


@node("ImageCrop")
def image_crop(ctx, image, width: int, height: int, x: int, y: int, **_: Any):
    out = []
    for img in image:
        left, top = min(x, img.width - 1), min(y, img.height - 1)
        out.append(
            img.crop((left, top, min(left + width, img.width), min(top + height, img.height)))
        )
    return (out,)


@node("ImageBatch")
def image_batch(ctx, image1, image2, **_: Any):
    size = image1[0].size
    return (list(image1) + [img if img.size == size else img.resize(size) for img in image2],)


@node("ImageFromBatch")
def image_from_batch(ctx, image, batch_index: int, length: int, **_: Any):
    start = min(batch_index, len(image) - 1)
    return (image[start : start + length],)


@node("RepeatImageBatch")
def repeat_image_batch(ctx, image, amount: int, **_: Any):
    return (list(image) * amount,)


@node("SolidMask")
def solid_mask(ctx, value: float, width: int, height: int, **_: Any):
    return ([Image.new("L", (width, height), round(value * 255))],)


@node("InvertMask")
def invert_mask(ctx, mask, **_: Any):
    return ([ImageOps.invert(m) for m in mask],)


@node("MaskToImage")
def mask_to_image(ctx, mask, **_: Any):
    return ([m.convert("RGB") for m in mask],)


@node("ImageToMask")
def image_to_mask(ctx, image, channel: str, **_: Any):
    index = "RGB".index(channel[0].upper()) if channel != "alpha" else None
    return (
        [
            img.getchannel(index) if index is not None else Image.new("L", img.size, 255)
            for img in image
        ],
    )


@node("ImageCompositeMasked")
def image_composite_masked(
    ctx, destination, source, x: int, y: int, resize_source: bool, mask=None, **_: Any
):
    out = []
    for i, dest in enumerate(destination):
        src = source[min(i, len(source) - 1)]
        if resize_source:
            src = src.resize(dest.size)
        result = dest.copy()
        paste_mask = mask[min(i, len(mask) - 1)].resize(src.size) if mask else None
        result.paste(src, (x, y), paste_mask)
        out.append(result)
    return (out,)


@node("ImageBlend")
def image_blend(ctx, image1, image2, blend_factor: float, blend_mode: str = "normal", **_: Any):
    out = []
    for a, second in zip(image1, image2, strict=False):
        b = second.resize(a.size)
        mixed = {
            "multiply": ImageChops.multiply,
            "screen": ImageChops.screen,
            "difference": ImageChops.difference,
        }.get(blend_mode, lambda _x, y: y)(a, b)
        out.append(Image.blend(a, mixed, blend_factor))
    return (out,)
