"""The WebSocket side of a client: a listener thread, a connection state machine,
dead-socket detection by ping deadline, and reconnection with backoff."""

from __future__ import annotations

import contextlib
import json
import random
import socket
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

import websocket

from ComfyLibrary import protocol
from ComfyLibrary.client import events as ev
from ComfyLibrary.client.events import EventLog

CLOSE_WAIT_SECONDS = 0.25  # how long close() waits for the listener thread to end


class ConnectionState(str, Enum):
    """State of a client's WebSocket connection."""

    CONNECTING = "connecting"
    CONNECTED = "connected"
    RECONNECTING = "reconnecting"
    DISCONNECTED = "disconnected"
    FAILED = "failed"
    CLOSED = "closed"


@dataclass
class Backoff:
    """Delays between reconnection attempts: ``initial * multiplier**n`` capped at ``max_delay``,
    each varied by up to ``jitter`` (a fraction) either way. ``max_attempts`` 0 means no limit."""

    initial: float = 0.05
    multiplier: float = 1.5
    max_delay: float = 1.0
    jitter: float = 0.1
    max_attempts: int = 0

    def delay(self, attempt: int, rng: Callable[[], float] = random.random) -> float:
        """Delay before attempt ``attempt`` (1-based; the first waits ``initial``)."""
        raw = min(self.initial * self.multiplier ** (attempt - 1), self.max_delay)
        return max(0.0, raw * (1 + self.jitter * (2 * rng() - 1)))

    def exhausted(self, attempt: int) -> bool:
        return self.max_attempts > 0 and attempt > self.max_attempts


class WebSocketConnection:
    """Keeps one WebSocket open to ``/ws?clientId=...`` and records what arrives."""

    def __init__(
        self,
        ws_url: str,
        client_id: str,
        log: EventLog,
        headers: dict[str, str] | None = None,
        auto_reconnect: bool = True,
        backoff: Backoff | None = None,
        ping_interval: float = 2.0,
        ping_timeout: float = 3.0,
        connect_timeout: float = 5.0,
    ):
        self.url = f"{ws_url}/ws?clientId={client_id}"
        self.client_id = client_id
        self.log = log
        self.headers = [f"{k}: {v}" for k, v in (headers or {}).items()]
        self.auto_reconnect = auto_reconnect
        self.backoff = backoff or Backoff()
        self.ping_interval = ping_interval
        self.ping_timeout = ping_timeout
        self.connect_timeout = connect_timeout
        self.on_reconnection_failed: Callable[[], None] | None = None
        self.on_open: Callable[[], None] | None = None
        self.state = ConnectionState.DISCONNECTED
        self.drops = 0
        self._ws: websocket.WebSocket | None = None
        self._closed = threading.Event()
        self._wake = threading.Event()
        self._state_cond = threading.Condition()
        self._thread: threading.Thread | None = None
        self._last_error = ""

    # Public API ----------------------------------------------------------------

    def open(self) -> None:
        """Connects now (raises ``OSError`` / websocket errors) and starts the listener."""
        self._set_state(ConnectionState.CONNECTING)
        try:
            self._ws = self._dial()
        except Exception:
            self._set_state(ConnectionState.DISCONNECTED)
            raise
        self._on_open(reconnect=False)
        self._thread = threading.Thread(
            target=self._run, name=f"comfy-ws-{self.client_id[:8]}", daemon=True
        )
        self._thread.start()

    def close(self) -> None:
        """Closes for good: the socket, the listener and any reconnect loop."""
        self._closed.set()
        self._wake.set()
        ws = self._ws
        if ws is not None and self.state == ConnectionState.CONNECTED:
            with contextlib.suppress(OSError, websocket.WebSocketException, AttributeError):
                ws.send_close()  # a polite close frame; the reply is not awaited
        self._drop_socket()
        if self._thread is not None and self._thread is not threading.current_thread():
            # A reconnection attempt in flight (a handshake through a slow network) is not
            # waited for: it sees the client closed when it ends and closes its socket.
            self._thread.join(timeout=CLOSE_WAIT_SECONDS)
        self._set_state(ConnectionState.CLOSED)

    def reconnect_now(self) -> None:
        """Drops the current socket so the listener reconnects immediately."""
        self._wake.set()
        self._drop_socket()

    def reconnect(self, attempts: int, delay: float, timeout: float) -> bool:
        """Reconnects by hand: up to ``attempts`` tries ``delay`` apart, within ``timeout``.

        Returns True when connected. When an automatic reconnection loop is running, it
        is woken up instead so two loops never race.
        """
        if self._closed.is_set():
            return False
        deadline = time.monotonic() + timeout
        if self._thread is not None and self._thread.is_alive():
            self._wake.set()
            return self.wait_for_state({ConnectionState.CONNECTED}, timeout)
        for attempt in range(1, attempts + 1):
            self._set_state(ConnectionState.RECONNECTING)
            self.log.append(
                ev.RECONNECTING,
                {"client_id": self.client_id, "attempt": attempt, "delay": delay, "manual": True},
                source="connection",
            )
            try:
                self._ws = self._dial()
            except (OSError, websocket.WebSocketException) as exc:
                self._last_error = _describe(exc)
                remaining = deadline - time.monotonic()
                if attempt == attempts or remaining <= delay:
                    break
                if self._wake.wait(delay) and self._closed.is_set():
                    return False
                continue
            self._on_open(reconnect=True)
            self._thread = threading.Thread(
                target=self._run, daemon=True, name=f"comfy-ws-{self.client_id[:8]}"
            )
            self._thread.start()
            return True
        self._set_state(ConnectionState.FAILED)
        self.log.append(
            ev.RECONNECTION_FAILED,
            {
                "client_id": self.client_id,
                "attempts": attempts,
                "manual": True,
                "reason": self._last_error,
            },
            source="connection",
        )
        return False

    def mark_suspect(self) -> None:
        """Called when an HTTP call failed: check the socket with a ping right away."""
        ws = self._ws
        if ws is not None and self.state == ConnectionState.CONNECTED:
            try:
                ws.ping()
            except (OSError, websocket.WebSocketException):
                self._drop_socket()

    def wait_for_state(self, states: set[ConnectionState], timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        with self._state_cond:
            while self.state not in states:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._state_cond.wait(remaining)
            return True

    @property
    def last_error(self) -> str:
        return self._last_error

    # Internals -----------------------------------------------------------------

    def _dial(self) -> websocket.WebSocket:
        ws = websocket.create_connection(
            self.url,
            timeout=self.connect_timeout,
            header=self.headers,
            enable_multithread=True,
            skip_utf8_validation=True,
        )
        ws.settimeout(min(0.5, self.ping_interval))
        return ws

    def _set_state(self, state: ConnectionState) -> None:
        with self._state_cond:
            self.state = state
            self._state_cond.notify_all()

    def _on_open(self, reconnect: bool) -> None:
        if self.on_open is not None:
            self.on_open()
        self._set_state(ConnectionState.CONNECTED)
        self.log.append(
            ev.RECONNECTED if reconnect else ev.CONNECTED,
            {"client_id": self.client_id, "drops": self.drops},
            source="connection",
        )

    def _drop_socket(self) -> None:
        ws = self._ws
        if ws is not None:
            with contextlib.suppress(OSError, websocket.WebSocketException, AttributeError):
                ws.shutdown()

    def _run(self) -> None:
        while not self._closed.is_set():
            self._listen()
            if self._closed.is_set():
                break
            self.drops += 1
            self._set_state(ConnectionState.DISCONNECTED)
            self.log.append(
                ev.DISCONNECTED,
                {"client_id": self.client_id, "reason": self._last_error, "drops": self.drops},
                source="connection",
            )
            if not self.auto_reconnect:
                break
            if not self._reconnect_loop():
                break

    def _reconnect_loop(self, attempts: int | None = None) -> bool:
        attempt = 0
        self._set_state(ConnectionState.RECONNECTING)
        while not self._closed.is_set():
            attempt += 1
            if self.backoff.exhausted(attempt) or (attempts is not None and attempt > attempts):
                self._set_state(ConnectionState.FAILED)
                self.log.append(
                    ev.RECONNECTION_FAILED,
                    {
                        "client_id": self.client_id,
                        "attempts": attempt - 1,
                        "reason": self._last_error,
                    },
                    source="connection",
                )
                if self.on_reconnection_failed is not None:
                    self.on_reconnection_failed()
                return False
            delay = self.backoff.delay(attempt)
            self.log.append(
                ev.RECONNECTING,
                {"client_id": self.client_id, "attempt": attempt, "delay": round(delay, 3)},
                source="connection",
            )
            self._wake.clear()
            if self._wake.wait(delay) and self._closed.is_set():
                return False
            try:
                ws = self._dial()
            except (OSError, websocket.WebSocketException) as exc:
                self._last_error = _describe(exc)
                continue
            if self._closed.is_set():
                ws.close()
                return False
            self._ws = ws
            self._on_open(reconnect=True)
            return True
        return False

    def _listen(self) -> None:
        ws = self._ws
        if ws is None:
            return
        last_seen = time.monotonic()
        ping_sent: float | None = None
        while not self._closed.is_set():
            try:
                opcode, frame = ws.recv_data_frame(True)
            except websocket.WebSocketTimeoutException:
                now = time.monotonic()
                if ping_sent is not None and now - ping_sent > self.ping_timeout:
                    self._last_error = f"no answer to ping within {self.ping_timeout:g}s"
                    break
                if ping_sent is None and now - last_seen > self.ping_interval:
                    try:
                        ws.ping()
                    except (OSError, websocket.WebSocketException) as exc:
                        self._last_error = _describe(exc)
                        break
                    ping_sent = now
                continue
            except (OSError, websocket.WebSocketException, AttributeError, struct.error) as exc:
                self._last_error = _describe(exc)
                break
            last_seen = time.monotonic()
            ping_sent = None
            if opcode == websocket.ABNF.OPCODE_CLOSE:
                self._last_error = "server closed the connection"
                break
            if opcode == websocket.ABNF.OPCODE_TEXT:
                self._record_text(frame.data)
            elif opcode == websocket.ABNF.OPCODE_BINARY:
                self._record_binary(frame.data)
        with contextlib.suppress(OSError, websocket.WebSocketException, AttributeError):
            ws.shutdown()

    def _record_text(self, raw: bytes | str) -> None:
        try:
            message = json.loads(raw)
        except ValueError:
            self.log.append("invalid_message", {"raw": str(raw)[:200]})
            return
        if isinstance(message, dict) and "type" in message:
            self.log.append(str(message["type"]), message.get("data"))
        else:
            self.log.append("invalid_message", {"raw": str(raw)[:200]})

    def _record_binary(self, raw: bytes) -> None:
        if len(raw) < 8:
            self.log.append("binary", {"size": len(raw)}, source="binary")
            return
        (kind,) = struct.unpack(">I", raw[:4])
        if kind == protocol.BINARY_PREVIEW_IMAGE_WITH_METADATA:
            (length,) = struct.unpack(">I", raw[4:8])
            try:
                metadata = json.loads(raw[8 : 8 + length])
            except ValueError:
                metadata = {}
            self.log.append(
                "b_preview", {"metadata": metadata, "image": raw[8 + length :]}, source="binary"
            )
        elif kind == protocol.BINARY_PREVIEW_IMAGE:
            (fmt,) = struct.unpack(">I", raw[4:8])
            image_type = "image/png" if fmt == protocol.PREVIEW_FORMAT_PNG else "image/jpeg"
            self.log.append(
                "b_preview",
                {"metadata": {"image_type": image_type}, "image": raw[8:]},
                source="binary",
            )
        elif kind == protocol.BINARY_TEXT:
            (length,) = struct.unpack(">I", raw[4:8])
            node = raw[8 : 8 + length].decode(errors="replace")
            self.log.append(
                "b_text",
                {"node": node, "text": raw[8 + length :].decode(errors="replace")},
                source="binary",
            )
        else:
            self.log.append("binary", {"kind": kind, "size": len(raw)}, source="binary")


def _describe(exc: BaseException) -> str:
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, socket.gaierror):
        return "host name not found"
    if isinstance(exc, TimeoutError | socket.timeout | websocket.WebSocketTimeoutException):
        return "timed out"
    if isinstance(exc, websocket.WebSocketBadStatusException):
        return f"HTTP {exc.status_code} on the WebSocket upgrade"
    return str(exc) or type(exc).__name__
