"""A timestamped, thread-safe log of everything a client saw: server WebSocket
messages and the client's own connection events."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

# Connection events, recorded in the same log as server events.
CONNECTED = "connected"
DISCONNECTED = "disconnected"
RECONNECTING = "reconnecting"
RECONNECTED = "reconnected"
RECONNECTION_FAILED = "reconnection_failed"
COMPLETED = "completed"  # the client's note that a wait ended with the prompt completed
CONNECTION_EVENTS = (CONNECTED, DISCONNECTED, RECONNECTING, RECONNECTED, RECONNECTION_FAILED)

# The fields of each event's data: ComfyUI 0.8's WebSocket messages (as recorded), the
# client's binary frames and its own events. Filters on other names are typos.
EVENT_FIELDS: dict[str, frozenset[str]] = {
    name: frozenset(fields.split())
    for name, fields in {
        "status": "status sid",
        "feature_flags": "supports_preview_metadata max_upload_size extension",
        "execution_start": "prompt_id timestamp",
        "execution_cached": "nodes prompt_id timestamp",
        "progress_state": "prompt_id nodes",
        "executing": "node display_node prompt_id",
        "progress": "value max prompt_id node",
        "executed": "node display_node output prompt_id",
        "execution_success": "prompt_id timestamp",
        "execution_error": "prompt_id node_id node_type executed exception_message "
        "exception_type traceback current_inputs current_outputs timestamp",
        "execution_interrupted": "prompt_id node_id node_type executed timestamp",
        "b_preview": "metadata image",
        "b_text": "node text",
        "binary": "kind size",
        "invalid_message": "raw",
        CONNECTED: "client_id drops",
        RECONNECTED: "client_id drops",
        DISCONNECTED: "client_id reason drops",
        RECONNECTING: "client_id attempt delay manual",
        RECONNECTION_FAILED: "client_id attempts manual reason",
        COMPLETED: "prompt_id status",
    }.items()
}


@dataclass
class Event:
    """One entry of the log. ``seq`` increases by one per event."""

    seq: int
    type: str
    data: Any
    time: float = field(default_factory=time.time)
    source: str = "server"

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default) if isinstance(self.data, dict) else default

    def as_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "type": self.type,
            "data": self.data,
            "time": self.time,
            "source": self.source,
        }


class EventLog:
    """Keeps the last ``capacity`` events and lets threads wait for new ones."""

    def __init__(self, capacity: int = 20000):
        self._events: deque[Event] = deque(maxlen=capacity)
        self._seq = 0
        self._cond = threading.Condition()

    @property
    def last_seq(self) -> int:
        with self._cond:
            return self._seq

    def append(self, event_type: str, data: Any, source: str = "server") -> Event:
        with self._cond:
            self._seq += 1
            event = Event(self._seq, event_type, data, source=source)
            self._events.append(event)
            self._cond.notify_all()
            return event

    def events(
        self, since: int = 0, predicate: Callable[[Event], bool] | None = None
    ) -> list[Event]:
        with self._cond:
            return [
                e for e in self._events if e.seq > since and (predicate is None or predicate(e))
            ]

    def clear(self) -> int:
        """Forgets all events; returns the sequence number new events start after."""
        with self._cond:
            self._events.clear()
            return self._seq

    def wait_for(
        self, predicate: Callable[[Event], bool], timeout: float, since: int = 0
    ) -> Event | None:
        """The first event after ``since`` matching ``predicate``, waiting up to ``timeout``."""
        deadline = time.monotonic() + timeout
        checked = since
        with self._cond:
            while True:
                for event in self._events:
                    if event.seq > checked and predicate(event):
                        return event
                checked = max(checked, self._seq)
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                self._cond.wait(remaining)
