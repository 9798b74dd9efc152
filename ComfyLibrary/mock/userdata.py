"""The routes ComfyUI's web editor uses besides the API: settings and user files kept per
mock in its own user folder (as ComfyUI's ``user/default``), and the read-only lists the
editor asks for at start (translations, templates, subgraphs, model folders, logs).

Status codes and shapes are 0.8's (``routes.json``, ``get_endpoints.json``)."""

from __future__ import annotations

import glob
import json
import os
import shutil
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from aiohttp import web

from ComfyLibrary.mock.catalog import COMFYUI_FOLDERS, NOT_MODEL_FOLDERS, folder_names
from ComfyLibrary.mock.routes import internal_error

if TYPE_CHECKING:
    from ComfyLibrary.mock.server import MockServer

USER = "default"  # single-user mode, as ComfyUI without --multi-user
SETTINGS_FILE = "comfy.settings.json"


def _file_info(path: Path, root: Path) -> dict[str, Any]:
    stat = path.stat()
    return {
        "path": path.relative_to(root).as_posix(),
        "size": stat.st_size,
        "modified": stat.st_mtime,
        "created": stat.st_ctime,
    }


class UserDataRoutes:
    def __init__(self, server: MockServer):
        self.server = server
        self.root = server.config.user_directory() / USER
        for folder in ("workflows", "subgraphs"):  # as a ComfyUI that has been used has them
            (self.root / folder).mkdir(parents=True, exist_ok=True)
        self.started = time.time()

    def register(self, app: web.Application) -> None:
        table = [
            ("GET", "/settings", self.get_settings),
            ("POST", "/settings", self.post_settings),
            ("GET", "/settings/{id}", self.get_setting),
            ("POST", "/settings/{id}", self.post_setting),
            ("GET", "/users", self.get_users),
            ("POST", "/users", self.post_users),
            ("GET", "/userdata", self.list_userdata),
            ("GET", "/v2/userdata", self.list_userdata_v2),
            ("GET", "/userdata/{file}", self.get_userdata),
            ("POST", "/userdata/{file}", self.post_userdata),
            ("DELETE", "/userdata/{file}", self.delete_userdata),
            ("POST", "/userdata/{file}/move/{dest}", self.move_userdata),
            ("GET", "/i18n", self.empty_object),
            ("GET", "/workflow_templates", self.empty_object),
            ("GET", "/global_subgraphs", self.empty_object),
            ("GET", "/global_subgraphs/{id}", self.not_found),
            ("GET", "/experiment/models", self.model_folders),
            ("GET", "/experiment/models/{folder}", self.model_files),
            (
                "GET",
                "/experiment/models/preview/{folder}/{path_index}/{filename:.*}",
                self.model_preview,
            ),
        ]
        for method, path, handler in table:
            for prefix in ("", "/api"):
                app.router.add_route(method, prefix + path, handler)
        # /internal/* is served without the /api alias, as in ComfyUI
        app.router.add_get("/internal/logs", self.logs)
        app.router.add_get("/internal/logs/raw", self.raw_logs)
        app.router.add_patch("/internal/logs/subscribe", self.subscribe_logs)
        app.router.add_get("/internal/folder_paths", self.folder_paths)
        app.router.add_get("/internal/files/{directory_type}", self.files)

    # Paths -------------------------------------------------------------------------

    def _user_path(self, name: str | None) -> Path | None:
        """A path inside the user folder, or None when ``name`` would leave it."""
        if name is None:
            return self.root
        if "%" in name:
            name = unquote(name)
        if "\x00" in name:
            return None
        path = Path(os.path.abspath(self.root / name))
        return path if path.is_relative_to(self.root) else None

    # Settings ----------------------------------------------------------------------

    def _settings(self) -> dict[str, Any]:
        path = self.root / SETTINGS_FILE
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def _save_settings(self, settings: dict[str, Any]) -> None:
        (self.root / SETTINGS_FILE).write_text(json.dumps(settings, indent=4), encoding="utf-8")

    async def get_settings(self, request: web.Request) -> web.Response:
        return web.json_response(self._settings())

    async def get_setting(self, request: web.Request) -> web.Response:
        return web.json_response(self._settings().get(request.match_info["id"]))

    async def post_settings(self, request: web.Request) -> web.Response:
        new = await request.json()
        self._save_settings({**self._settings(), **new})
        return web.Response(status=200)

    async def post_setting(self, request: web.Request) -> web.Response:
        settings = self._settings()
        settings[request.match_info["id"]] = await request.json()
        self._save_settings(settings)
        return web.Response(status=200)

    # Users -------------------------------------------------------------------------

    async def get_users(self, request: web.Request) -> web.Response:
        return web.json_response({"storage": "server", "migrated": self.root.exists()})

    async def post_users(self, request: web.Request) -> web.Response:
        return web.json_response({"error": "Duplicate username."}, status=400)

    # User files --------------------------------------------------------------------

    async def list_userdata(self, request: web.Request) -> web.Response:
        directory = request.rel_url.query.get("dir", "")
        if not directory:
            return web.Response(status=400, text="Directory not provided")
        path = self._user_path(directory)
        if path is None:
            return web.Response(status=403, text="Invalid directory")
        if not path.exists():
            return web.Response(status=404, text="Directory not found")
        query = request.rel_url.query
        recurse = query.get("recurse", "").lower() == "true"
        full_info = query.get("full_info", "").lower() == "true"
        split = query.get("split", "").lower() == "true"
        pattern = os.path.join(glob.escape(str(path)), "**", "*") if recurse else str(path / "*")
        results: list[Any] = []
        for found in glob.glob(pattern, recursive=recurse):
            item = Path(found)
            if not item.is_file():
                continue
            if full_info:
                results.append(_file_info(item, path))
                continue
            relative = item.relative_to(path).as_posix()
            results.append([relative, *relative.split("/")] if split else relative)
        return web.json_response(results)

    async def list_userdata_v2(self, request: web.Request) -> web.Response:
        wanted = unquote(request.rel_url.query.get("path", ""))
        target = self._user_path(wanted) if wanted else self.root
        if target is None:
            return web.Response(status=400, text="Invalid path requested")
        if not target.exists():
            if target == self.root:
                return web.json_response([])
            return web.Response(status=404, text="Requested path not found")
        if not target.is_dir():
            return web.Response(status=400, text="Requested path is not a directory")
        results: list[dict[str, Any]] = []
        for folder, dirs, files in os.walk(target):
            for name in dirs:
                relative = (Path(folder) / name).relative_to(self.root).as_posix()
                results.append({"name": name, "path": relative, "type": "directory"})
            for name in files:
                item = Path(folder) / name
                entry: dict[str, Any] = {
                    "name": name,
                    "path": item.relative_to(self.root).as_posix(),
                    "type": "file",
                }
                stat = item.stat()
                entry["size"], entry["modified"] = stat.st_size, stat.st_mtime
                results.append(entry)
        results.sort(key=lambda e: (e["type"] != "directory", e["name"].lower()))
        return web.json_response(results)

    def _file_param(self, request: web.Request, name: str = "file", exists: bool = False):
        given = request.match_info.get(name)
        if not given:
            return web.Response(status=400)
        path = self._user_path(given)
        if path is None:
            return web.Response(status=403)
        if exists and not path.exists():
            return web.Response(status=404)
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    async def get_userdata(self, request: web.Request) -> web.StreamResponse:
        path = self._file_param(request, exists=True)
        return path if isinstance(path, web.Response) else web.FileResponse(path)

    async def post_userdata(self, request: web.Request) -> web.Response:
        path = self._file_param(request)
        if isinstance(path, web.Response):
            return path
        if request.query.get("overwrite", "true") == "false" and path.exists():
            return web.Response(status=409, text="File already exists")
        try:
            path.write_bytes(await request.read())
        except OSError:
            return web.Response(
                status=400,
                reason='Invalid filename. Please avoid special characters like :\\/*?"<>|',
            )
        return self._saved(request, path)

    def _saved(self, request: web.Request, path: Path) -> web.Response:
        if request.query.get("full_info", "false").lower() == "true":
            return web.json_response(_file_info(path, self.root))
        return web.json_response(os.path.relpath(path, self.root))

    async def delete_userdata(self, request: web.Request) -> web.Response:
        path = self._file_param(request, exists=True)
        if isinstance(path, web.Response):
            return path
        path.unlink()
        return web.Response(status=204)

    async def move_userdata(self, request: web.Request) -> web.Response:
        source = self._file_param(request, exists=True)
        if isinstance(source, web.Response):
            return source
        dest = self._file_param(request, "dest")
        if isinstance(dest, web.Response):
            return dest
        if request.query.get("overwrite", "true") == "false" and dest.exists():
            return web.Response(status=409, text="File already exists")
        shutil.move(source, dest)
        return self._saved(request, dest)

    # Lists the editor reads at start -----------------------------------------------

    async def empty_object(self, request: web.Request) -> web.Response:
        return web.json_response({})

    async def not_found(self, request: web.Request) -> web.Response:
        return web.Response(status=404)

    def _folders(self) -> dict[str, list[str]]:
        """Every folder and where it lies, as 0.8's ``folder_names_and_paths`` (the mock's
        folder stands for ComfyUI's; its output folder for ComfyUI's output)."""
        base = self.server.config.user_directory().parent
        output = self.server.dirs.output

        def where(relative: str) -> str:
            top, _, rest = relative.partition("/")
            return str(output / rest if top == "output" else base / relative)

        return {
            name: [where(r) for r in COMFYUI_FOLDERS.get(name, (f"models/{name}",))]
            for name in folder_names(self.server.catalog.models)
        }

    async def model_folders(self, request: web.Request) -> web.Response:
        return web.json_response(
            [
                {"name": name, "folders": paths}
                for name, paths in self._folders().items()
                if name not in NOT_MODEL_FOLDERS
            ]
        )

    async def model_files(self, request: web.Request) -> web.Response:
        folder = request.match_info["folder"]
        if folder not in self._folders() or folder in NOT_MODEL_FOLDERS:
            return web.Response(status=404)
        names = sorted(self.server.catalog.models.get(folder, []))
        return web.json_response([{"name": name, "pathIndex": 0} for name in names])

    async def model_preview(self, request: web.Request) -> web.Response:
        """A model's preview picture. The mock's models are names without files, so there is
        never one: 404 for a known folder, as 0.8 answers for a model without a preview; 404
        for an unknown folder; a bare 500 for a path index that is not a number or not one
        of the folder's paths (0.8 fails on it)."""
        try:
            index = int(request.match_info["path_index"])
        except ValueError:
            return internal_error()
        folders = self._folders()
        paths = folders.get(request.match_info["folder"])
        if paths is None:
            return web.Response(status=404)
        if not -len(paths) <= index < len(paths):
            return internal_error()
        return web.Response(status=404)

    async def logs(self, request: web.Request) -> web.Response:
        return web.json_response(f"{self.started} - mock ComfyUI 0.8 serving\n")

    async def raw_logs(self, request: web.Request) -> web.Response:
        entries = [{"t": str(self.started), "m": "mock ComfyUI 0.8 serving\n"}]
        return web.json_response({"entries": entries, "size": {"cols": 80, "rows": 24}})

    async def subscribe_logs(self, request: web.Request) -> web.Response:
        return web.Response(status=200)

    async def folder_paths(self, request: web.Request) -> web.Response:
        return web.json_response(self._folders())

    async def files(self, request: web.Request) -> web.Response:
        directory_type = request.match_info["directory_type"]
        folder = self.server.dirs.by_type(directory_type)
        if directory_type not in ("output", "input", "temp") or folder is None:
            return web.json_response({"error": "Invalid directory type"}, status=400)
        entries = [e for e in os.scandir(folder) if e.is_file() and not e.name.startswith(".")]
        entries.sort(key=lambda e: -e.stat().st_mtime)
        return web.json_response([e.name for e in entries])
