"""Assembles the mock ComfyUI server: catalog, queue, worker, WebSocket hub and routes."""

from __future__ import annotations

import asyncio
import hmac
import shutil
import threading
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web

from ComfyLibrary.mock import frontend, persistence
from ComfyLibrary.mock.catalog import NodeCatalog
from ComfyLibrary.mock.config import MockConfig
from ComfyLibrary.mock.control import CONTROL_PREFIX, ControlRoutes
from ComfyLibrary.mock.executor import Directories, PromptWorker
from ComfyLibrary.mock.faults import Faults
from ComfyLibrary.mock.files import FileRoutes
from ComfyLibrary.mock.jobs import JobRoutes
from ComfyLibrary.mock.profile import load_profile
from ComfyLibrary.mock.prompt_queue import PromptQueue
from ComfyLibrary.mock.routes import Routes, empty
from ComfyLibrary.mock.userdata import UserDataRoutes
from ComfyLibrary.mock.versions import is_absent, version_facts
from ComfyLibrary.mock.websocket_hub import WebSocketHub
from ComfyLibrary.protocol import MOCK_CONTROL_TOKEN_ENV, MOCK_CONTROL_TOKEN_HEADER, is_loopback


def foreign_origin(request: web.Request) -> bool:
    """ComfyUI's CSRF guard: a loopback Host with a foreign Origin gets 403."""
    origin = request.headers.get("Origin")
    if not origin:
        return False
    host = request.headers.get("Host", "")
    if not is_loopback(urlsplit(f"//{host}").hostname or ""):
        return False
    origin_host = urlsplit(origin).netloc
    return bool(origin_host) and origin_host != host


# routes that say the server can run prompts: with the worker gone they say it cannot
WORKER_ROUTES = ("/system_stats", "/queue", "/prompt")


def _refused(reason: str) -> web.Response:
    return web.json_response({"error": f"Refused: {reason}."}, status=403)


class MockServer:
    """One mock ComfyUI server; ``run()`` serves until cancelled."""

    def __init__(self, config: MockConfig):
        self.config = config
        output, input_dir, temp = config.resolve_directories()
        self.dirs = Directories(output, input_dir, temp)
        self.profile = load_profile(config.profile) if config.profile is not None else None
        self.version = version_facts(config.served_version(self.profile))
        self.catalog = NodeCatalog.create(
            input_dir, config.object_info, config.model_lists(), self.profile, self.version.version
        )
        self.catalog.annotated_folders.update(output=output, temp=temp)
        self.faults = Faults()
        config.apply_faults(self.faults)
        self.hub = WebSocketHub(self.faults)
        self.queue = PromptQueue(on_change=self._queue_changed)
        self.worker = PromptWorker(
            self.queue, self.catalog, self.hub, self.dirs, config.step_ms, self.faults
        )
        self.hub.queue_remaining = self.queue.remaining
        self.hub.current_node = lambda: self.worker.current
        self.files = FileRoutes(self)
        self.app = web.Application(
            middlewares=[self._guards],
            client_max_size=100 * 1024 * 1024,
        )
        Routes(self).register(self.app)
        ControlRoutes(self).register(self.app)
        JobRoutes(self).register(self.app)
        UserDataRoutes(self).register(self.app)
        frontend.register(self.app)  # last: the editor's files never shadow an API route
        self.state = persistence.StateStore(output / persistence.STATE_FOLDER)
        self._state_lock = threading.Lock()
        self.runner: web.AppRunner | None = None
        self.port: int | None = None

    def control_warning(self) -> str | None:
        """What the mock says at start about its control routes, when they need a word."""
        if self.config.control_token or is_loopback(self.config.host):
            return None
        return (
            f"the /mock/ fault-control routes are refused: the mock listens on "
            f"{self.config.host}, beyond loopback, without a control token (give "
            f"--control-token or {MOCK_CONTROL_TOKEN_ENV} to use them from other hosts)"
        )

    @web.middleware
    async def _guards(self, request: web.Request, handler):
        """ComfyUI's origin check, then the control routes' guard or the injected latency
        (one middleware: each layer costs every request a coroutine)."""
        if foreign_origin(request):
            return empty(403)
        if request.path.startswith(CONTROL_PREFIX):
            refusal = self._control_refusal(request)
            return refusal if refusal is not None else await handler(request)
        if self.version.absent_routes and is_absent(request.path, self.version):
            return await self._absent(request)
        if not self.worker.alive() and request.path.removeprefix("/api") in WORKER_ROUTES:
            reason = f"The mock's prompt worker stopped ({self.worker.stopped_because}): no "
            reason += "prompt will run. Restart the mock server."
            return web.json_response({"error": reason}, status=503)
        delay = self.faults.sleep_latency()
        if delay > 0:
            await asyncio.sleep(delay)
        return await handler(request)

    async def _absent(self, request: web.Request) -> web.StreamResponse:
        """A route this ComfyUI version does not have: answered as its web root answers an
        unknown path (404 to GET, 405 to other methods)."""
        if request.method in ("GET", "HEAD"):
            return empty(404)
        return web.Response(status=405, text="405: Method Not Allowed")

    def _control_refusal(self, request: web.Request) -> web.Response | None:
        """The control routes answer loopback listeners freely, anyone else with the token;
        a browser page from another origin never."""
        origin = request.headers.get("Origin")
        if origin and urlsplit(origin).netloc != request.headers.get("Host", ""):
            return _refused("a request from another origin may not use the control routes")
        token = self.config.control_token
        if token:
            given = request.headers.get(MOCK_CONTROL_TOKEN_HEADER, "")
            if not hmac.compare_digest(given.encode(), token.encode()):
                return _refused(
                    f"the control routes need the mock's token in the {MOCK_CONTROL_TOKEN_HEADER} "
                    "header"
                )
        elif not is_loopback(self.config.host):
            return _refused(self.control_warning() or "")
        return None

    def _queue_changed(self, remaining: int) -> None:
        self.hub.broadcast_status(remaining)
        self.save_state()

    def save_state(self) -> None:
        """Writes queue and history to the state file when they must survive a restart.

        Called from the HTTP handlers and the worker thread alike, hence the lock."""
        with self._state_lock:
            if self.faults.state.keep_queue:
                self.state.save(self.queue)
            else:
                self.state.forget()

    def _runnable(self, prompt: dict[str, Any]) -> bool:
        """Whether a saved prompt can still run here: every class in the catalog."""
        return all(
            isinstance(node, dict) and node.get("class_type") in self.catalog
            for node in prompt.values()
        )

    async def start(self) -> int:
        """Binds the socket, starts the worker and returns the bound port."""
        if self.faults.state.keep_queue:
            self.state.load(self.queue, self._runnable)
        await self.hub.start()
        self.worker.start()
        self.runner = web.AppRunner(self.app, access_log=None, handle_signals=False)
        await self.runner.setup()
        site = web.TCPSite(self.runner, self.config.host, self.config.port, reuse_address=True)
        await site.start()
        server: Any = site._server  # an asyncio Server: it has the bound sockets
        assert server is not None
        self.port = int(server.sockets[0].getsockname()[1])
        return self.port

    async def stop(self) -> None:
        self.worker.stop()
        await self.hub.stop()
        if self.runner is not None:
            await self.runner.cleanup()
        if self.config.private_root is not None:
            shutil.rmtree(self.config.private_root, ignore_errors=True)

    async def serve_forever(self, stop: asyncio.Event) -> None:
        await self.start()
        try:
            await stop.wait()
        finally:
            await self.stop()
