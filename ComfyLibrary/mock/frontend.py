"""ComfyUI's own web editor, served by the mock when ``comfyui-frontend-package`` is
installed (``pip install 'robotframework-comfylibrary[frontend]'``, the version 0.8 pins).
Without it, ``/`` says in one line how to get it.

As ComfyUI 0.8 does, the mock also serves the workflow templates' files at
``/templates/{path}`` when ``comfyui-workflow-templates`` is installed, and the nodes'
documentation at ``/docs/{filename}`` when ``comfyui-embedded-docs`` is (both come with the
extra); without them those paths answer 404, as they do on a 0.8 that lacks them.
"""

from __future__ import annotations

import functools
import importlib.util
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any

from aiohttp import web

FRONTEND_VERSION = "1.35.9"
MISSING = (
    "<!doctype html><title>ComfyUI mock</title><p>The ComfyUI web editor is not installed "
    "here: pip install 'robotframework-comfylibrary[frontend]' (comfyui-frontend-package=="
    f"{FRONTEND_VERSION}) and restart the mock.</p>"
)


@functools.cache
def web_root() -> Path | None:
    """The frontend package's static folder, when the package is installed."""
    try:
        import comfyui_frontend_package
    except ImportError:
        return None
    root = Path(comfyui_frontend_package.__file__).parent / "static"
    return root if (root / "index.html").is_file() else None


@functools.cache
def _package_folder(module: str) -> Path | None:
    """Where an installed package lives, found without importing it (mocks start fast)."""
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        return None
    locations = list(spec.submodule_search_locations or []) if spec else []
    return Path(locations[0]) if locations else None


@functools.cache
def _templates_version() -> tuple[int, ...] | None:
    try:
        text = metadata.version("comfyui-workflow-templates")
    except metadata.PackageNotFoundError:
        return None
    try:
        return tuple(int(part) for part in text.split(".")[:3])
    except ValueError:
        return None


def _template_assets() -> dict[str, str]:
    """Asset file name -> path, over every template of the installed packages (0.3+)."""
    from comfyui_workflow_templates import get_asset_path, iter_templates

    return {
        asset.filename: get_asset_path(entry.template_id, asset.filename)
        for entry in iter_templates()
        for asset in entry.assets
    }


def _template_handler() -> Callable[[web.Request], Any]:
    assets: dict[str, str] = {}

    async def serve_template(request: web.Request) -> web.StreamResponse:
        if not assets:  # built on first use, not at every mock's start
            assets.update(_template_assets())
        target = assets.get(request.match_info.get("path", ""))
        if target is None:
            raise web.HTTPNotFound()
        return web.FileResponse(target)

    return serve_template


def register_packages(app: web.Application) -> None:
    """``/templates`` and ``/docs`` from the packages 0.8 takes them from, where installed."""
    templates = _package_folder("comfyui_workflow_templates")
    if templates is not None:
        version = _templates_version()
        if version is not None and version >= (0, 3, 0):
            app.router.add_get("/templates/{path:.*}", _template_handler())
        elif (templates / "templates").is_dir():
            app.router.add_static("/templates", templates / "templates")
    docs = _package_folder("comfyui_embedded_docs")
    if docs is not None and (docs / "docs").is_dir():
        app.router.add_static("/docs", docs / "docs")


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
    register_packages(app)
    if root is not None:
        app.router.add_static("/", root, follow_symlinks=False)
    else:
        # 0.8 serves its editor's folder at /, so a path that no route has answers 404 to GET
        # and 405 to other methods: the same without the editor's package installed
        async def not_found(request: web.Request) -> web.StreamResponse:
            raise web.HTTPNotFound()

        app.router.add_get("/{tail:.*}", not_found)
