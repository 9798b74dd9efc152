"""ComfyUI's own web editor, served by the mock when ``comfyui-frontend-package`` is
installed (``pip install 'robotframework-comfylibrary[frontend]'``, the version 0.8 pins).
Without it, ``/`` says in one line how to get it."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

FRONTEND_VERSION = "1.35.9"
MISSING = (
    "<!doctype html><title>ComfyUI mock</title><p>The ComfyUI web editor is not installed "
    "here: pip install 'robotframework-comfylibrary[frontend]' (comfyui-frontend-package=="
    f"{FRONTEND_VERSION}) and restart the mock.</p>"
)


def web_root() -> Path | None:
    """The frontend package's static folder, when the package is installed."""
    try:
        import comfyui_frontend_package
    except ImportError:
        return None
    root = Path(comfyui_frontend_package.__file__).parent / "static"
    return root if (root / "index.html").is_file() else None


def register(app: web.Application) -> None:
    """``/`` and the editor's files; call after every other route (the static files come
    last, so they never shadow the API)."""
    root = web_root()

    async def index(request: web.Request) -> web.StreamResponse:
        if root is None:
            return web.Response(text=MISSING, content_type="text/html")
        response = web.FileResponse(root / "index.html")
        response.headers.update({"Cache-Control": "no-cache", "Pragma": "no-cache", "Expires": "0"})
        return response

    app.router.add_get("/", index)
    if root is not None:
        app.router.add_static("/", root, follow_symlinks=False)
