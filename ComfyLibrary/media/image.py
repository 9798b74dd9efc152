"""Reading and checking image files with Pillow; corrupt files and decompression
bombs give a clear error, never a crash."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ComfyLibrary.errors import MediaError
from ComfyLibrary.media.files import checked_file
from ComfyLibrary.media.ranges import describe, within

MAX_IMAGE_PIXELS = 16384 * 16384
DEFAULT_FORMATS = ("PNG", "JPEG", "WEBP")


@dataclass
class ImageInfo:
    path: str
    format: str
    width: int
    height: int
    mode: str
    size: int
    frames: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@contextmanager
def open_image(path: str | Path) -> Iterator[Any]:
    """Opens and decodes an image, refusing corrupt files and decompression bombs clearly."""
    from PIL import Image

    file = checked_file(path, "Image")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(file)
            if img.width * img.height > MAX_IMAGE_PIXELS:
                img.close()
                raise MediaError(
                    f"Image file {file} claims {img.width}x{img.height} pixels, more than "
                    f"the {MAX_IMAGE_PIXELS} allowed: refusing to decode a decompression bomb."
                )
            img.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise MediaError(f"Image file {file} is a decompression bomb: {exc}") from None
    except MediaError:
        raise
    except (OSError, ValueError, SyntaxError) as exc:
        raise MediaError(f"Image file {file} is not a readable image: {exc}") from None
    try:
        yield img
    finally:
        img.close()


PREVIEW_PIXELS = 160


def preview_of(decoded: Any) -> Any:
    """A thumbnail (at most 160 pixels a side) of a decoded image, for the log."""
    preview = decoded.copy()
    preview.thumbnail((PREVIEW_PIXELS, PREVIEW_PIXELS))
    return preview


def image_info(path: str | Path, decoded: Any = None) -> ImageInfo:
    """Opens and fully decodes an image (unless ``decoded``, from `open_image`, is given);
    raises MediaError naming the problem."""
    file = Path(path)
    if decoded is None:
        with open_image(file) as img:
            return image_info(file, img)
    return ImageInfo(
        str(file),
        decoded.format or "unknown",
        decoded.width,
        decoded.height,
        decoded.mode,
        file.stat().st_size,
        getattr(decoded, "n_frames", 1),
    )


def check_image(
    path: str | Path,
    formats: tuple[str, ...] | list[str] = DEFAULT_FORMATS,
    width: int | None = None,
    height: int | None = None,
    min_width: int | None = None,
    max_width: int | None = None,
    min_height: int | None = None,
    max_height: int | None = None,
    min_size: int | None = 10 * 1024,
    max_size: int | None = 50 * 1024 * 1024,
    mode: str | None = None,
    decoded: Any = None,
) -> tuple[ImageInfo, list[str]]:
    """Returns the image's info and the list of failed checks (empty when valid)."""
    info = image_info(path, decoded)
    problems = []
    allowed = [f.upper().replace("JPG", "JPEG") for f in formats]
    if info.format.upper() not in allowed:
        problems.append(f"format is {info.format}, expected one of {', '.join(allowed)}")
    if not within(info.width, width, min_width, max_width):
        problems.append(f"width is {info.width}, expected {describe(width, min_width, max_width)}")
    if not within(info.height, height, min_height, max_height):
        problems.append(
            f"height is {info.height}, expected {describe(height, min_height, max_height)}"
        )
    if not within(info.size, None, min_size, max_size):
        problems.append(
            f"file size is {info.size} bytes, expected "
            f"{describe(None, min_size, max_size, ' bytes')}"
        )
    if mode is not None and info.mode != mode:
        problems.append(f"mode is {info.mode}, expected {mode}")
    return info, problems
