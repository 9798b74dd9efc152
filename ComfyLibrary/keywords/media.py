"""Keywords that check generated media and show it in the log."""

from __future__ import annotations

import base64
import io
import time
from pathlib import Path
from typing import Any

from robotlibcore import keyword

from ComfyLibrary.errors import MediaError
from ComfyLibrary.keywords.context import LibraryComponent, parse_size
from ComfyLibrary.media import check_image, image_info

THUMBNAIL_PIXELS = 160


class MediaKeywords(LibraryComponent):
    """Media keywords."""

    @keyword(tags=("Media",))
    def image_should_be_valid(
        self,
        path: Path,
        format: str = "PNG, JPEG, WEBP",
        width: int | None = None,
        height: int | None = None,
        min_size: str = "10 KB",
        max_size: str = "50 MB",
        mode: str | None = None,
    ) -> dict[str, Any]:
        """Checks that ``path`` is a readable image with the expected properties.

        Every check runs; the failure lists all that failed. The image is shown in
        the log as a thumbnail. Returns the image's information (``format``,
        ``width``, ``height``, ``mode``, ``size`` in bytes, ``frames``).

        | =Argument= | =Description= |
        | ``format`` | Allowed formats, comma separated. Default ``PNG, JPEG, WEBP``. |
        | ``width``, ``height`` | Exact dimensions in pixels. |
        | ``min_size``, ``max_size`` | Size limits like ``10 KB``, ``50 MB``; ``none``: no limit. |
        | ``mode`` | Pillow mode such as ``RGB`` or ``RGBA``. |

        Corrupt files, empty files and decompression bombs fail with a clear message.

        Example:
        | Image Should Be Valid    ${file}    width=512    height=512
        | Image Should Be Valid    ${file}    format=PNG    min_size=100 B
        """
        formats = [f.strip() for f in format.split(",") if f.strip()]
        started = time.perf_counter()
        info, problems = check_image(
            path,
            formats=formats,
            width=width,
            height=height,
            min_size=parse_size(min_size),
            max_size=parse_size(max_size),
            mode=mode,
        )
        self.library.record_validation(time.perf_counter() - started)
        self.log_thumbnail(Path(path))
        if problems:
            raise MediaError(f"Image {Path(path).name} is not valid: " + "; ".join(problems) + ".")
        self.info(
            f"Image {Path(path).name}: {info.format} {info.width}x{info.height} {info.mode}, "
            f"{info.size} bytes."
        )
        return info.as_dict()

    @keyword(tags=("Media",))
    def get_image_info(self, path: Path) -> dict[str, Any]:
        """Returns ``format``, ``width``, ``height``, ``mode``, ``size`` and ``frames`` of an image.

        Example:
        | ${info} =    Get Image Info    ${file}
        | Should Be Equal As Integers    ${info}[width]    512
        """
        return image_info(path).as_dict()

    def log_thumbnail(self, path: Path) -> None:
        """Embeds a small thumbnail of ``path`` in the log (a few kB), linked to the file."""
        from PIL import Image

        try:
            with Image.open(path) as img:
                img.thumbnail((THUMBNAIL_PIXELS, THUMBNAIL_PIXELS))
                buffer = io.BytesIO()
                img.convert("RGB").save(buffer, format="JPEG", quality=80)
        except (OSError, ValueError, Image.DecompressionBombError):
            return
        data = base64.b64encode(buffer.getvalue()).decode()
        from robot.utils import get_link_path

        href = get_link_path(str(path), str(self.library.log_dir))
        self.info(
            f'<a href="{href}"><img src="data:image/jpeg;base64,{data}" '
            f'alt="{path.name}" title="{path.name}"></a>',
            html=True,
        )
