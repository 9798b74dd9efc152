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
AUDIO_SUFFIXES = (".wav", ".mp3", ".flac", ".ogg", ".opus", ".m4a")
AUDIO_TYPES = {".mp3": "audio/mpeg", ".flac": "audio/flac", ".ogg": "audio/ogg",
               ".opus": "audio/ogg", ".m4a": "audio/mp4"}  # fmt: skip
WAVE_WIDTH, WAVE_HEIGHT = 480, 64


def waveform_svg(envelope: list[float], label: str) -> str:
    """A waveform picture: one vertical bar per value of ``envelope`` (0 to 1)."""
    step = WAVE_WIDTH / max(1, len(envelope))
    middle = WAVE_HEIGHT / 2
    bars = "".join(
        f'<rect x="{i * step:.1f}" y="{middle - max(0.5, v * middle):.1f}" '
        f'width="{max(1.0, step - 0.5):.1f}" height="{max(1.0, v * WAVE_HEIGHT):.1f}"/>'
        for i, v in enumerate(envelope)
    )
    return (
        f'<svg class="comfy-waveform" xmlns="http://www.w3.org/2000/svg" width="{WAVE_WIDTH}" '
        f'height="{WAVE_HEIGHT}" role="img" aria-label="{escape(label, quote=True)}">'
        f'<rect width="100%" height="100%" fill="#f4f4f4"/><g fill="#3a6ea5">{bars}</g></svg>'
    )


def _thumbnail_data(image: Any) -> str:
    image = preview_of(image)
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, format="JPEG", quality=80)
    return base64.b64encode(buffer.getvalue()).decode()


def _strip_frames(path: Path) -> list[tuple[str, Any]]:
    """The first, middle and last frames of a video, labelled (fewer for short videos, none
    for one that cannot be decoded)."""
    from ComfyLibrary.errors import MediaError
    from ComfyLibrary.media.video import frames_at, video_info

    try:
        count = video_info(path).frames
        wanted = list(dict.fromkeys([0, count // 2, count - 1])) if count > 0 else []
        names = ("first", "middle", "last") if len(wanted) == 3 else ("first", "last", "")
        found = frames_at(path, wanted)
    except MediaError:
        return []
    return [
        (f"{label} frame ({index + 1} of {count})", found[index])
        for label, index in zip(names, wanted, strict=False)
        if index in found
    ]


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
        if suffix in AUDIO_SUFFIXES:
            self.audio(path)
            return
        if suffix in VIDEO_SUFFIXES:
            self.video(path)
            return
        logger.info(f'<a href="{self.href(path)}">{escape(path.name)}</a>', html=True)

    def audio(self, path: Path) -> None:
        """A waveform picture and a player (linked to the file, or the file embedded when
        embedding is on), then a link."""
        from ComfyLibrary.errors import MediaError
        from ComfyLibrary.media.audio import audio_envelope

        href, name = self.href(path), escape(path.name, quote=True)
        try:
            picture = waveform_svg(audio_envelope(path), f"waveform of {path.name}")
        except MediaError:
            picture = ""
        kind = AUDIO_TYPES.get(path.suffix.lower(), "audio/wav")
        source = href
        if self.library.embed_media and path.stat().st_size <= EMBED_LIMIT:
            source = f"data:{kind};base64,{base64.b64encode(path.read_bytes()).decode()}"
        logger.info(
            f'{picture}<br><audio class="comfy-audio" controls preload="metadata" '
            f'src="{source}" title="{name}"></audio> <a href="{href}">{name}</a>',
            html=True,
        )

    def picture(self, image: Any, label: str) -> None:
        """An embedded thumbnail of an in-memory image (a diff, a frame)."""
        label = escape(label, quote=True)
        logger.info(
            f'<img src="data:image/jpeg;base64,{_thumbnail_data(image)}" alt="{label}" '
            f'title="{label}"> {label}',
            html=True,
        )

    def video(self, path: Path) -> None:
        """A strip of the first, middle and last frames, each linking to the file, or the
        whole video when embedding is on; a link alone for a video that cannot be decoded."""
        href, name = self.href(path), escape(path.name, quote=True)
        if self.library.embed_media and path.stat().st_size <= EMBED_LIMIT:
            kind = "video/webm" if path.suffix.lower() == ".webm" else "video/mp4"
            data = base64.b64encode(path.read_bytes()).decode()
            logger.info(
                f'<video controls width="320" src="data:{kind};base64,{data}"></video>', html=True
            )
            return
        pictures = []
        for label, frame in _strip_frames(path):
            title = escape(f"{path.name}, {label}", quote=True)
            pictures.append(
                f'<a href="{href}"><img src="data:image/jpeg;base64,{_thumbnail_data(frame)}" '
                f'alt="{title}" title="{title}"></a>'
            )
        logger.info(f'{" ".join(pictures)} <a href="{href}">{name}</a>', html=True)
