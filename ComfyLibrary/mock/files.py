"""GET /view and POST /upload/image|mask: files in the output, input and temp folders."""

from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path
from typing import TYPE_CHECKING

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError

from ComfyLibrary.mock.routes import empty

if TYPE_CHECKING:
    from ComfyLibrary.mock.server import MockServer

CONTENT_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".webp": "image/webp",
    ".gif": "image/gif",
    ".mp4": "video/mp4",
    ".webm": "video/webm",
    ".wav": "audio/wav",
    ".mp3": "audio/mpeg",
    ".flac": "audio/flac",
    ".opus": "audio/opus",
    ".json": "application/json",
}


class FileRoutes:
    def __init__(self, server: MockServer):
        self.server = server

    def folder(self, folder_type: str | None) -> Path | None:
        return self.server.dirs.by_type(folder_type or "output")

    async def view(self, request: web.Request) -> web.StreamResponse:
        filename = request.query.get("filename")
        if not filename:
            return empty(404)
        folder_type = request.query.get("type", "output")
        if filename.endswith("]") and " [" in filename:
            filename, _, annotated = filename[:-1].rpartition(" [")
            folder_type = annotated
        if filename.startswith("/") or ".." in filename:
            return empty(400)
        subfolder = request.query.get("subfolder", "")
        if "\x00" in filename + subfolder:
            return empty(404)  # ComfyUI: os.path.isfile() is False for such a name
        base = self.folder(folder_type)
        if base is None:
            return empty(400)
        base = base.resolve()
        filename = os.path.basename(filename)
        folder = (base / subfolder).resolve() if subfolder else base
        if not folder.is_relative_to(base):
            return empty(403)
        path = folder / filename
        if not os.path.isfile(path):  # False for over-long names too, as in ComfyUI
            return empty(404)
        preview = request.query.get("preview")
        channel = request.query.get("channel")
        if preview or channel:
            return await self._transcoded(path, preview, channel)
        content_type = CONTENT_TYPES.get(path.suffix.lower(), "application/octet-stream")
        return web.FileResponse(
            path,
            headers={
                "Content-Type": content_type,
                "Content-Disposition": f'filename="{filename}"',
            },
        )

    async def _transcoded(self, path: Path, preview: str | None, channel: str | None):
        from PIL import Image

        with Image.open(path) as img:
            img.load()
            if channel == "a":
                rgba = img.convert("RGBA")
                alpha = rgba.getchannel("A")
                out_img = Image.merge("RGBA", (alpha, alpha, alpha, alpha))
                fmt, ctype = "PNG", "image/png"
            elif channel == "rgb":
                out_img = img.convert("RGB")
                fmt, ctype = "PNG", "image/png"
            else:
                kind, _, quality = (preview or "webp").partition(";")
                fmt = "JPEG" if kind == "jpeg" else "WEBP"
                ctype = "image/jpeg" if kind == "jpeg" else "image/webp"
                out_img = img.convert("RGB")
        buffer = io.BytesIO()
        if preview and not channel:
            out_img.save(buffer, format=fmt, quality=int(quality) if quality.isdigit() else 90)
        else:
            out_img.save(buffer, format=fmt)
        return web.Response(
            body=buffer.getvalue(),
            content_type=ctype,
            headers={
                "Content-Disposition": f'filename="{path.name}"',
            },
        )

    async def upload_image(self, request: web.Request) -> web.Response:
        return await self._upload(request, mask=False)

    async def upload_mask(self, request: web.Request) -> web.Response:
        return await self._upload(request, mask=True)

    async def _upload(self, request: web.Request, mask: bool) -> web.Response:
        try:
            post = await request.post()
        except (ValueError, HttpProcessingError):  # e.g. a NUL byte in the part's filename
            return empty(400)
        image = post.get("image")
        if not isinstance(image, web.FileField):
            return empty(400)
        filename = os.path.basename(image.filename or "")
        if not filename or filename != image.filename or not _usable_name(filename):
            return empty(400)
        folder_type = str(post.get("type") or "input")
        base = self.folder(folder_type)
        if base is None:
            return empty(400)
        base = base.resolve()
        subfolder = str(post.get("subfolder") or "")
        if not all(_usable_name(part) for part in subfolder.split("/") if part):
            return empty(400)
        folder = (base / os.path.normpath(subfolder)).resolve()
        path = (folder / filename).resolve()
        if not path.is_relative_to(base) or not folder.is_relative_to(base):
            return empty(400)
        data = image.file.read()
        if mask:
            masked = self._apply_mask(post, data)
            if masked is None:
                return empty(400)
            data = masked
        folder.mkdir(parents=True, exist_ok=True)
        overwrite = str(post.get("overwrite", "")) in ("true", "1")
        duplicate = False
        if not overwrite:
            stem, suffix = os.path.splitext(filename)
            counter = 1
            while path.exists():
                if _digest(path.read_bytes()) == _digest(data):
                    duplicate = True
                    break
                filename = f"{stem} ({counter}){suffix}"
                path = folder / filename
                counter += 1
        if not duplicate:
            path.write_bytes(data)
        return web.json_response({"name": filename, "subfolder": subfolder, "type": folder_type})

    def _apply_mask(self, post, data: bytes) -> bytes | None:
        """Puts the uploaded mask's alpha into the referenced original image, as ComfyUI does."""
        import json

        from PIL import Image

        try:
            ref = json.loads(str(post.get("original_ref")))
            base = self.folder(ref.get("type", "input"))
            assert base is not None
            original = (base / ref.get("subfolder", "") / ref["filename"]).resolve()
            if not original.is_relative_to(base.resolve()):
                return None
            with Image.open(original) as orig, Image.open(io.BytesIO(data)) as mask_img:
                rgba = orig.convert("RGBA")
                alpha = mask_img.convert("RGBA").getchannel("A").resize(rgba.size)
                rgba.putalpha(alpha)
        except (ValueError, KeyError, OSError, TypeError, AssertionError):
            return None
        buffer = io.BytesIO()
        rgba.save(buffer, format="PNG")
        return buffer.getvalue()


def _usable_name(name: str) -> bool:
    """A file or folder name the file system can hold (no NUL byte, at most 255 bytes)."""
    return "\x00" not in name and len(name.encode("utf-8", "surrogateescape")) <= 255


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
