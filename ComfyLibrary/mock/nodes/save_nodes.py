"""Output nodes: they write real files and report them as ComfyUI's UI output."""

from __future__ import annotations

import json
from typing import Any

from ComfyLibrary.mock.nodes import NodeResult, node


@node("SaveImage")
def save_image(ctx, images, filename_prefix: str = "ComfyUI", **_: Any):
    return NodeResult(ui={"images": ctx.save_images(images, filename_prefix, "output")})


@node("PreviewImage")
def preview_image(ctx, images, **_: Any):
    return NodeResult(ui={"images": ctx.save_images(images, ctx.temp_prefix(), "temp")})


@node("MaskPreview")
def mask_preview(ctx, mask, **_: Any):
    images = [m.convert("RGB") for m in mask]
    return NodeResult(ui={"images": ctx.save_images(images, ctx.temp_prefix(), "temp")})


@node("PreviewAny")
def preview_any(ctx, source=None, **_: Any):
    if isinstance(source, str):
        text = source
    elif isinstance(source, int | float | bool) or source is None:
        text = str(source)
    else:
        try:
            text = json.dumps(source, indent=4)
        except TypeError:
            text = str(source)
    return NodeResult(ui={"text": [text]})


@node("SaveImageWebsocket")
def save_image_websocket(ctx, images, **_: Any):
    for index, image in enumerate(images):
        ctx.progress(index, len(images), preview=image)
    return NodeResult()
