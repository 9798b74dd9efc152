"""The mock's HTTP routes, each also served under /api, with ComfyUI 0.8's answers."""

from __future__ import annotations

import asyncio
import json
import os
import platform
import signal
import sys
import time
import uuid
from typing import TYPE_CHECKING, Any

from aiohttp import web

from ComfyLibrary import protocol
from ComfyLibrary.mock.catalog import COMFYUI_FOLDERS, folder_names
from ComfyLibrary.mock.prompt_queue import SENSITIVE_EXTRA_DATA_KEYS
from ComfyLibrary.mock.validation import NodeNotAnObject, validate_prompt
from ComfyLibrary.mock.vram import SIMULATED_VRAM

if TYPE_CHECKING:
    from ComfyLibrary.mock.server import MockServer

INTERNAL_ERROR = "500 Internal Server Error\n\nServer got itself in trouble"


def empty(status: int = 200) -> web.Response:
    """An answer with no body and no Content-Type, as ComfyUI gives for control routes."""
    return web.Response(status=status)


def json_answer(data: Any, status: int = 200) -> web.Response:
    return web.json_response(data, status=status)


async def read_json(request: web.Request) -> Any:
    """The JSON body, or ``None`` when it is missing or not JSON (ComfyUI answers 500)."""
    try:
        # as aiohttp's request.json(): the body decoded as text first, so a UTF-8 byte
        # order mark is refused by json.loads, as ComfyUI refuses it
        return json.loads((await request.read()).decode("utf-8"))
    except ValueError:
        return None


def internal_error() -> web.Response:
    return web.Response(status=500, text=INTERNAL_ERROR, headers={"Connection": "close"})


def injected_rejection(failure: Any) -> web.Response:
    """The answer to POST /prompt that a ``fail_prompts`` fault asked for."""
    if failure.mode == "validation":
        message = failure.message or "Prompt rejected by an injected fault"
        return json_answer(
            {
                "error": {
                    "type": protocol.ERROR_INVALID_PROMPT,
                    "message": message,
                    "details": "",
                    "extra_info": {},
                },
                "node_errors": {},
            },
            400,
        )
    headers = {} if failure.retry_after is None else {"Retry-After": f"{failure.retry_after:g}"}
    if failure.status == 500 and not failure.message and not headers:
        return internal_error()
    return web.Response(
        status=failure.status,
        text=failure.message or f"{failure.status}: injected fault",
        headers=headers,
    )


def memory() -> tuple[int, int]:
    """Total and free RAM of this machine, as ComfyUI reports them."""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
        free = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_AVPHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return 0, 0
    return total, free


def _device_in_use(device: dict[str, Any], used: int) -> dict[str, Any]:
    """A profiled device with the mock's simulated models taking part of its memory."""
    device = dict(device)
    for total, free in (("vram_total", "vram_free"), ("torch_vram_total", "torch_vram_free")):
        if isinstance(device.get(total), int):
            device[free] = max(0, device[total] - used)
    return device


class Routes:
    """Route handlers bound to one mock server."""

    def __init__(self, server: MockServer):
        self.server = server

    def register(self, app: web.Application) -> None:
        table = [
            ("GET", "/ws", self.server.hub.handle),
            ("GET", "/system_stats", self.system_stats),
            ("GET", "/features", self.features),
            ("GET", "/prompt", self.get_prompt),
            ("POST", "/prompt", self.post_prompt),
            ("GET", "/queue", self.get_queue),
            ("POST", "/queue", self.post_queue),
            ("GET", "/history", self.get_history),
            ("GET", "/history/{prompt_id}", self.get_history_item),
            ("POST", "/history", self.post_history),
            ("POST", "/interrupt", self.interrupt),
            ("POST", "/free", self.free),
            ("GET", "/object_info", self.object_info),
            ("GET", "/object_info/{node_class}", self.object_info_class),
            ("GET", "/embeddings", self.embeddings),
            ("GET", "/extensions", self.extensions),
            ("GET", "/models", self.models),
            ("GET", "/models/{folder}", self.models_folder),
            ("GET", "/view", self.server.files.view),
            ("GET", "/view_metadata/{folder_name}", self.view_metadata),
            ("POST", "/upload/image", self.server.files.upload_image),
            ("POST", "/upload/mask", self.server.files.upload_mask),
        ]
        for method, path, handler in table:
            for prefix in ("", "/api"):
                if method == "GET":
                    app.router.add_get(prefix + path, handler)  # with HEAD, as aiohttp adds
                else:
                    app.router.add_route(method, prefix + path, handler)

    async def system_stats(self, request: web.Request) -> web.Response:
        total, free = memory()
        # a simulated device of SIMULATED_VRAM bytes; the loaded models take part of it
        used = self.server.worker.models.used()
        device_free = max(0, SIMULATED_VRAM - used)
        stats: dict[str, Any] = {
            "system": {
                "os": sys.platform,
                "ram_total": total,
                "ram_free": free,
                **self.server.version.system,
                "python_version": sys.version,
                "pytorch_version": "mock",
                "embedded_python": False,
                "argv": self.server.config.argv(),
            },
            "devices": [
                {
                    "name": f"mock ({platform.machine()})",
                    "type": "cpu",
                    "index": None,
                    "vram_total": SIMULATED_VRAM,
                    "vram_free": device_free,
                    "torch_vram_total": SIMULATED_VRAM,
                    "torch_vram_free": device_free,
                }
            ],
        }
        profile = self.server.profile
        if profile is not None:  # the profiled server's versions and devices
            stats["system"].update(
                {k: v for k, v in profile.system.items() if k not in ("argv", "ram_free")}
            )
            if profile.devices:
                stats["devices"] = [_device_in_use(d, used) for d in profile.devices]
        return json_answer(stats)

    async def features(self, request: web.Request) -> web.Response:
        profile = self.server.profile
        if profile is not None and profile.features is not None:
            return json_answer(profile.features)
        return json_answer(self.server.version.features or protocol.SERVER_FEATURE_FLAGS)

    async def get_prompt(self, request: web.Request) -> web.Response:
        return json_answer({"exec_info": {"queue_remaining": self.server.queue.remaining()}})

    async def post_prompt(self, request: web.Request) -> web.Response:
        body = await read_json(request)
        if body is None:
            return internal_error()
        queue = self.server.queue
        is_object = isinstance(body, dict)
        number = queue.next_number(
            body.get("number") if is_object else None,
            bool(body.get("front")) if is_object else False,
        )
        if not is_object or "prompt" not in body:
            return json_answer(
                {
                    "error": {
                        "type": protocol.ERROR_NO_PROMPT,
                        "message": "No prompt provided",
                        "details": "No prompt provided",
                        "extra_info": {},
                    },
                    "node_errors": {},
                },
                400,
            )
        failure = self.server.faults.take_submission_failure()
        crash = failure is not None and failure.mode == "crash"
        if failure is not None and not crash:
            return injected_rejection(failure)
        prompt = body["prompt"]
        if isinstance(prompt, list | str) and not prompt:
            prompt = {}  # ComfyUI iterates it and finds no output: prompt_no_outputs
        elif not isinstance(prompt, dict):
            return internal_error()  # ComfyUI fails indexing it: a bare 500
        prompt_id = str(body.get("prompt_id") or uuid.uuid4())
        try:
            result = validate_prompt(
                self.server.catalog, prompt, body.get("partial_execution_targets")
            )
        except NodeNotAnObject:
            return internal_error()
        if not result.ok:
            return json_answer({"error": result.error, "node_errors": result.node_errors}, 400)
        extra_data = dict(body.get("extra_data") or {})
        if "client_id" in body:
            extra_data["client_id"] = body["client_id"]
        if "create_time" in self.server.version.history_extra_keys:  # 0.3.77 and later
            extra_data["create_time"] = int(time.time() * 1000)
        for key in SENSITIVE_EXTRA_DATA_KEYS:
            extra_data.pop(key, None)
        # Queued (and saved, when the queue is kept) before it is acknowledged: a crash
        # after the answer never loses it. The worker is woken only once the answer is
        # written, so that it does not hold the answer back while it runs the prompt.
        queue.put((number, prompt_id, prompt, extra_data, result.outputs), wake=False)
        answer = json_answer(
            {"prompt_id": prompt_id, "number": number, "node_errors": result.node_errors}
        )
        if crash:  # the injected crash: acknowledged, then gone before anything else runs
            await answer.prepare(request)
            await answer.write_eof()
            os.kill(os.getpid(), signal.SIGKILL)
        asyncio.get_running_loop().call_soon(queue.wake)
        return answer

    async def get_queue(self, request: web.Request) -> web.Response:
        running, pending = self.server.queue.current()
        return json_answer(
            {
                "queue_running": [list(i) for i in running],
                "queue_pending": [list(i) for i in pending],
            }
        )

    async def post_queue(self, request: web.Request) -> web.Response:
        body = await read_json(request)
        if body is None:
            return internal_error()
        if isinstance(body, dict):
            if body.get("clear"):
                self.server.queue.wipe()
            for prompt_id in body.get("delete") or []:
                self.server.queue.delete(prompt_id)
        return empty()

    async def get_history(self, request: web.Request) -> web.Response:
        max_items = request.query.get("max_items")
        offset = request.query.get("offset", "-1")
        try:
            history = self.server.queue.get_history(
                max_items=int(max_items) if max_items is not None else None, offset=int(offset)
            )
        except ValueError:
            return internal_error()
        return json_answer(history)

    async def get_history_item(self, request: web.Request) -> web.Response:
        return json_answer(self.server.queue.get_history(request.match_info["prompt_id"]))

    async def post_history(self, request: web.Request) -> web.Response:
        body = await read_json(request)
        if body is None:
            return internal_error()
        if isinstance(body, dict):
            if body.get("clear"):
                self.server.queue.wipe_history()
            for prompt_id in body.get("delete") or []:
                self.server.queue.delete_history(prompt_id)
        return empty()

    async def interrupt(self, request: web.Request) -> web.Response:
        body = await read_json(request)
        prompt_id = body.get("prompt_id") if isinstance(body, dict) else None
        # as 0.8: an empty or missing prompt_id interrupts whatever runs; another one only
        # the running prompt with that id (a wrong id is ignored)
        self.server.worker.interrupt(prompt_id or None)
        return empty()

    async def view_metadata(self, request: web.Request) -> web.Response:
        """A model file's safetensors header: the mock holds no model files, so 0.8's
        answer for a file it does not find, an empty 404."""
        return empty(404)

    async def free(self, request: web.Request) -> web.Response:
        body = await read_json(request)
        if body is None:
            return internal_error()
        if isinstance(body, dict):
            # as ComfyUI 0.8's worker reads the flags: free_memory drops the cache of node
            # outputs; the models are unloaded when unload_models says so, and by default
            # when free_memory does
            free_memory = bool(body.get("free_memory", False))
            unload_models = bool(body.get("unload_models", free_memory))
            if free_memory or unload_models:
                self.server.worker.request_free(unload_models, free_memory)
        return empty()

    async def object_info(self, request: web.Request) -> web.Response:
        return json_answer(self.server.catalog.all_served())

    async def object_info_class(self, request: web.Request) -> web.Response:
        name = request.match_info["node_class"]
        if name not in self.server.catalog:
            return json_answer({})
        return json_answer({name: self.server.catalog.served_definition(name)})

    async def embeddings(self, request: web.Request) -> web.Response:
        if self.server.profile is not None and self.server.profile.embeddings:
            return json_answer(self.server.profile.embeddings)
        names = self.server.catalog.models.get("embeddings", [])
        return json_answer([os.path.splitext(n)[0] for n in names])

    async def extensions(self, request: web.Request) -> web.Response:
        """The editor's extension scripts, as 0.8 lists its web root's (none without it)."""
        from ComfyLibrary.mock.frontend import web_root

        if self.server.profile is not None and self.server.profile.extensions:
            return json_answer(self.server.profile.extensions)
        root = web_root()
        if root is None:
            return json_answer([])
        scripts = sorted(root.glob("extensions/**/*.js"))
        return json_answer(["/" + p.relative_to(root).as_posix() for p in scripts])

    async def models(self, request: web.Request) -> web.Response:
        return json_answer(folder_names(self.server.catalog.models))

    async def models_folder(self, request: web.Request) -> web.Response:
        folder = request.match_info["folder"]
        if folder not in COMFYUI_FOLDERS and folder not in self.server.catalog.models:
            return empty(404)
        return json_answer(sorted(self.server.catalog.models.get(folder, [])))
