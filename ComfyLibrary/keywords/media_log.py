"""Showing media in log.html: image thumbnails, video poster frames, links that survive
moving the results folder (relative) and pabot's merged logs."""

from __future__ import annotations

import base64
import io
from html import escape
from pathlib import Path
from typing import Any

from robot.api import logger
from robot.utils import get_link_path

from ComfyLibrary.media.image import preview_of

EMBED_LIMIT = 8 * 1024 * 1024
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp", ".gif", ".bmp", ".tif", ".tiff")
VIDEO_SUFFIXES = (".mp4", ".webm", ".mov", ".mkv")


def _thumbnail_data(image: Any) -> str:
    image = preview_of(image)
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, format="JPEG", quality=80)
    return base64.b64encode(buffer.getvalue()).decode()


class MediaLog:
    def __init__(self, library: Any):
        self.library = library

    def href(self, path: Path) -> str:
        """The link to ``path`` from log.html, escaped for an HTML attribute."""
        return escape(get_link_path(str(path), str(self.library.log_dir)), quote=True)

    def image(self, path: Path, caption: str = "", preview: Any = None) -> None:
        """A small embedded thumbnail linking to the full image (made from ``preview``, a
        decoded image, when the caller has one)."""
        from PIL import Image

        try:
            if preview is not None:
                data = _thumbnail_data(preview)
            else:
                with Image.open(path) as img:
                    data = _thumbnail_data(img)
        except (OSError, ValueError, Image.DecompressionBombError):
            return
        name = escape(path.name, quote=True)  # file names come from the server
        logger.info(
            f'<a href="{self.href(path)}"><img src="data:image/jpeg;base64,{data}" '
            f'alt="{name}" title="{name}"></a> {escape(caption)}',
            html=True,
        )

    def output(self, path: Path) -> None:
        """A downloaded output as people look at it: a thumbnail for an image, a poster
        frame for a video, a link for anything else (or what cannot be decoded)."""
        suffix = path.suffix.lower()
        if suffix in IMAGE_SUFFIXES:
            self.image(path)
            return
        if suffix in VIDEO_SUFFIXES:
            from ComfyLibrary.media.video import frame_at

            try:
                poster = frame_at(path, 0)
            except Exception:  # an unreadable video is the checks' business, not the log's
                poster = None
            self.video(path, poster)
            return
        logger.info(f'<a href="{self.href(path)}">{escape(path.name)}</a>', html=True)

    def picture(self, image: Any, label: str) -> None:
        """An embedded thumbnail of an in-memory image (a diff, a frame)."""
        label = escape(label, quote=True)
        logger.info(
            f'<img src="data:image/jpeg;base64,{_thumbnail_data(image)}" alt="{label}" '
            f'title="{label}"> {label}',
            html=True,
        )

    def video(self, path: Path, poster: Any | None) -> None:
        """A poster frame and a link to the file, or the whole video when embedding is on."""
        href, name = self.href(path), escape(path.name, quote=True)
        if self.library.embed_media and path.stat().st_size <= EMBED_LIMIT:
            kind = "video/webm" if path.suffix.lower() == ".webm" else "video/mp4"
            data = base64.b64encode(path.read_bytes()).decode()
            logger.info(
                f'<video controls width="320" src="data:{kind};base64,{data}"></video>', html=True
            )
            return
        if poster is not None:
            logger.info(
                f'<a href="{href}"><img src="data:image/jpeg;base64,'
                f'{_thumbnail_data(poster)}" alt="{name}" title="{name}"></a> '
                f'<a href="{href}">{name}</a>',
                html=True,
            )
        else:
            logger.info(f'<a href="{href}">{name}</a>', html=True)
