"""The mock's control routes under /mock/: fault injection for suites (see faults.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

from ComfyLibrary.mock.faults import PromptFailure
from ComfyLibrary.mock.routes import read_json

if TYPE_CHECKING:
    from ComfyLibrary.mock.server import MockServer

CONTROL_PREFIX = "/mock/"


def bad_request(message: str) -> web.Response:
    return web.json_response({"error": message}, status=400)


class ControlRoutes:
    def __init__(self, server: MockServer):
        self.server = server
        self.faults = server.faults

    def register(self, app: web.Application) -> None:
        app.router.add_get("/mock/faults", self.get_faults)
        for path, handler in (
            ("faults/reset", self.reset),
            ("latency", self.latency),
            ("fail_prompts", self.fail_prompts),
            ("drop_websockets", self.drop_websockets),
            ("stall", self.stall),
            ("history_delay", self.history_delay),
            ("keep_queue", self.keep_queue),
            ("pace", self.pace),
            ("kill_worker", self.kill_worker),
        ):
            app.router.add_post(CONTROL_PREFIX + path, handler)

    async def _body(self, request: web.Request) -> dict:
        body = await read_json(request)
        if not isinstance(body, dict):
            raise web.HTTPBadRequest(
                text='{"error": "the body must be a JSON object"}', content_type="application/json"
            )
        return body

    def _answer(self) -> web.Response:
        return web.json_response(self.faults.snapshot())

    async def kill_worker(self, request: web.Request) -> web.Response:
        self.faults.state.kill_worker = True
        self.server.queue.wake()
        return self._answer()

    async def get_faults(self, request: web.Request) -> web.Response:
        return self._answer()

    async def reset(self, request: web.Request) -> web.Response:
        self.faults.reset()
        return self._answer()

    async def latency(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        try:
            self.faults.set_latency(float(body.get("ms", 0)))
        except (TypeError, ValueError):
            return bad_request("ms must be a number of milliseconds")
        return self._answer()

    async def fail_prompts(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        try:
            failure = PromptFailure(
                count=int(body.get("count", 1)),
                mode=str(body.get("mode", "http")),
                status=int(body.get("status", 500)),
                message=str(body.get("message", "")),
                node=None if body.get("node") in (None, "") else str(body["node"]),
                exception_type=str(body.get("exception_type", "RuntimeError")),
                retry_after=(
                    None if body.get("retry_after") is None else float(body["retry_after"])
                ),
            )
            self.faults.add_prompt_failure(failure)
        except (TypeError, ValueError) as exc:
            return bad_request(str(exc))
        return self._answer()

    async def drop_websockets(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        when = str(body.get("when", "now"))
        if when == "now":
            await self.server.hub.drop_all()
        else:
            self.faults.drop_websockets_when(when, int(body.get("count", 1)))
        return self._answer()

    async def stall(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        self.faults.set_stalled(bool(body.get("stalled", True)))
        return self._answer()

    async def history_delay(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        try:
            self.faults.state.history_delay_ms = max(0.0, float(body.get("ms", 0)))
        except (TypeError, ValueError):
            return bad_request("ms must be a number of milliseconds")
        return self._answer()

    async def keep_queue(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        self.faults.state.keep_queue = bool(body.get("keep", True))
        self.server.save_state()
        return self._answer()

    async def pace(self, request: web.Request) -> web.Response:
        from ComfyLibrary.mock.pace import parse_pace

        body = await self._body(request)
        try:
            self.faults.state.pace = parse_pace(body.get("pace", "fast"))
        except ValueError as exc:
            return bad_request(str(exc))
        return self._answer()
