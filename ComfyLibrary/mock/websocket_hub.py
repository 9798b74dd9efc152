"""The mock's /ws endpoint and the ordered delivery of events to sockets.

Events from the worker thread and the handlers go through one list and one sender task,
so every socket sees them in the order they were produced; a burst of events costs one
wake-up of the event loop, not one per event. Routing follows
ComfyUI: ``sid=None`` broadcasts, otherwise only the socket registered under that
client id receives the event; a second socket with the same id replaces the
first, and the first one's close unregisters the id (ComfyUI 0.8 does the same).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import struct
import threading
import uuid
from collections import deque
from collections.abc import Callable
from typing import Any

from aiohttp import WSMsgType, web

from ComfyLibrary import protocol
from ComfyLibrary.mock.faults import Faults


class WebSocketHub:
    def __init__(self, faults: Faults) -> None:
        self.faults = faults
        self.requests: dict[str, web.Request] = {}
        self.sockets: dict[str, web.WebSocketResponse] = {}
        self.feature_flags: dict[str, dict[str, Any]] = {}
        self.loop: asyncio.AbstractEventLoop | None = None
        self._loop_thread: int | None = None
        self._outbox: deque[tuple[Any, ...]] = deque()
        self._outbox_lock = threading.Lock()
        self._wake_pending = False
        self._wake: asyncio.Event | None = None
        self._sender: asyncio.Task[None] | None = None
        self.queue_remaining = lambda: 0
        self.current_node: Callable[[], Any] = lambda: None

    async def start(self) -> None:
        self.loop = asyncio.get_running_loop()
        self._loop_thread = threading.get_ident()
        self._wake = asyncio.Event()
        self._sender = asyncio.create_task(self._pump())

    async def stop(self) -> None:
        if self._sender is not None:
            self._sender.cancel()
        for ws in list(self.sockets.values()):
            await ws.close()

    # Thread-safe producers -------------------------------------------------

    def send(self, event: str, data: dict[str, Any], sid: str | None = None) -> None:
        self._enqueue(("json", event, data, sid))

    def send_preview(
        self, image_png: bytes, metadata: dict[str, Any], progress: dict[str, Any], sid: str | None
    ) -> None:
        self._enqueue(("preview", image_png, metadata, progress, sid))

    def broadcast_status(self, remaining: int) -> None:
        self.send(protocol.STATUS, {"status": {"exec_info": {"queue_remaining": remaining}}})

    def _enqueue(self, item: tuple[Any, ...]) -> None:
        loop, wake = self.loop, self._wake
        if loop is None or wake is None or loop.is_closed():
            return
        with self._outbox_lock:
            self._outbox.append(item)
            if self._wake_pending:
                return
            self._wake_pending = True
        if threading.get_ident() == self._loop_thread:
            wake.set()
        else:
            loop.call_soon_threadsafe(wake.set)

    # Delivery ----------------------------------------------------------------

    async def _pump(self) -> None:
        assert self._wake is not None
        while True:
            await self._wake.wait()
            self._wake.clear()
            with self._outbox_lock:
                items = list(self._outbox)
                self._outbox.clear()
                self._wake_pending = False
            for item in items:
                try:
                    if item[0] == "json" and self.faults.should_drop_before(item[1]):
                        await self.drop_all()
                    if item[0] == "json":
                        await self._deliver_json(item[1], item[2], item[3])
                    else:
                        await self._deliver_preview(item[1], item[2], item[3], item[4])
                except Exception:
                    continue

    def _targets(self, sid: str | None) -> list[tuple[str, web.WebSocketResponse]]:
        if sid is None:
            return list(self.sockets.items())
        ws = self.sockets.get(sid)
        return [] if ws is None else [(sid, ws)]

    async def _deliver_json(self, event: str, data: dict[str, Any], sid: str | None) -> None:
        message = json.dumps({"type": event, "data": data})
        for _, ws in self._targets(sid):
            await _safe_send(ws.send_str(message))

    async def _deliver_preview(
        self, image: bytes, metadata: dict[str, Any], progress: dict[str, Any], sid: str | None
    ) -> None:
        """A preview frame plus its ``progress`` message, ordered as ComfyUI orders them per
        client: metadata-capable clients get the frame first, others the message first."""
        progress_text = json.dumps({"type": protocol.PROGRESS, "data": progress})
        for target_sid, ws in self._targets(sid):
            flags = self.feature_flags.get(target_sid, {})
            if flags.get("supports_preview_metadata"):
                meta = json.dumps(metadata).encode()
                header = struct.pack(">II", protocol.BINARY_PREVIEW_IMAGE_WITH_METADATA, len(meta))
                await _safe_send(ws.send_bytes(header + meta + image))
                await _safe_send(ws.send_str(progress_text))
            else:
                header = struct.pack(
                    ">II", protocol.BINARY_PREVIEW_IMAGE, protocol.PREVIEW_FORMAT_PNG
                )
                await _safe_send(ws.send_str(progress_text))
                await _safe_send(ws.send_bytes(header + image))

    async def drop_all(self) -> None:
        """Cuts every WebSocket's TCP connection with no close frame, like a network failure."""
        for sid, request in list(self.requests.items()):
            self.faults.counters["dropped_websockets"] += 1
            transport = request.transport
            if transport is not None:
                transport.abort()
            self.sockets.pop(sid, None)
            self.requests.pop(sid, None)

    # The /ws route -------------------------------------------------------------

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        sid = request.query.get("clientId") or uuid.uuid4().hex
        self.sockets[sid] = ws
        self.requests[sid] = request
        try:
            await ws.send_str(
                json.dumps(
                    {
                        "type": protocol.STATUS,
                        "data": {
                            "status": {"exec_info": {"queue_remaining": self.queue_remaining()}},
                            "sid": sid,
                        },
                    }
                )
            )
            current = self.current_node()
            if current is not None and current[0] == sid:
                await ws.send_str(
                    json.dumps({"type": protocol.EXECUTING, "data": {"node": current[1]}})
                )
            first = True
            async for message in ws:
                if message.type == WSMsgType.ERROR:
                    break
                if message.type != WSMsgType.TEXT:
                    continue
                try:
                    payload = json.loads(message.data)
                except ValueError:
                    first = False
                    continue
                if (
                    first
                    and isinstance(payload, dict)
                    and payload.get("type") == protocol.FEATURE_FLAGS
                ):
                    self.feature_flags[sid] = payload.get("data") or {}
                    await ws.send_str(
                        json.dumps(
                            {
                                "type": protocol.FEATURE_FLAGS,
                                "data": protocol.SERVER_FEATURE_FLAGS,
                            }
                        )
                    )
                first = False
        finally:
            self.sockets.pop(sid, None)
            self.requests.pop(sid, None)
            self.feature_flags.pop(sid, None)
        return ws


async def _safe_send(coro: Any) -> None:
    with contextlib.suppress(ConnectionError, RuntimeError):
        await coro
