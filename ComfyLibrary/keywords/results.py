"""What keywords return, with documented keys: libdoc lists these types, and every result
reads both as ``${info}[width]`` and as ``${info.width}`` (they are Robot DotDicts)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, TypedDict, TypeVar, cast

from robot.utils import DotDict

T = TypeVar("T")

# Pillow's image modes, the values ``mode=`` of the image checks accepts
ImageMode = Literal[
    "1", "L", "LA", "La", "P", "PA", "RGB", "RGBA", "RGBa", "RGBX", "CMYK", "YCbCr",
    "LAB", "HSV", "I", "I;16", "I;16L", "I;16B", "I;16N", "F",
]  # fmt: skip


class ImageInfo(TypedDict):
    """An image file: ``path``, ``format`` (``PNG``, ``JPEG``, ``WEBP``...), ``width`` and
    ``height`` in pixels, Pillow ``mode`` (``RGB``, ``RGBA``...), ``size`` in bytes and
    ``frames`` (more than 1 for animations)."""

    path: str
    format: str
    width: int
    height: int
    mode: str
    size: int
    frames: int


class VideoInfo(TypedDict):
    """A video file: ``path``, ``container`` (``mp4``, ``webm``...), ``codec``, ``width``,
    ``height``, ``fps``, ``frames``, ``duration`` in seconds, ``size`` in bytes and
    ``audio`` (one entry per audio stream)."""

    path: str
    container: str
    codec: str
    width: int
    height: int
    fps: float
    frames: int
    duration: float
    size: int
    audio: list[dict[str, Any]]


class MediaCheck(TypedDict):
    """One check of a validation: its ``name``, whether it ``passed``, and a ``detail``."""

    name: str
    passed: bool
    detail: str


class MediaValidation(TypedDict):
    """What `Validate Image` and `Validate Video` return: ``path``, ``kind`` (image or
    video), ``passed``, every check in ``checks`` (`MediaCheck`), the failed ones'
    ``errors`` and the file's ``metadata``."""

    path: str
    kind: str
    passed: bool
    checks: list[MediaCheck]
    errors: list[str]
    metadata: dict[str, Any]


def as_result(data: Mapping[str, Any], kind: type[T]) -> T:
    """``data`` as a DotDict (nested dictionaries too) typed as ``kind``."""
    return cast(T, DotDict(data))
