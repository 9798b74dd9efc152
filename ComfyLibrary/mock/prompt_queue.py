"""The prompt queue and history, with ComfyUI's semantics.

One worker takes the item with the lowest ``number`` first (``front`` gives
negative numbers). ``queue_pending`` is served as the raw heap, unsorted, as
ComfyUI serves it. History keeps at most 10000 entries, oldest first.
"""

from __future__ import annotations

import heapq
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

MAX_HISTORY = 10000
SENSITIVE_EXTRA_DATA_KEYS = ("auth_token_comfy_org", "api_key_comfy_org")

QueueItem = tuple[float, str, dict[str, Any], dict[str, Any], list[str]]


class PromptQueue:
    """Thread-safe prompt queue shared by the HTTP handlers and the worker thread."""

    def __init__(self, on_change: Callable[[int], None]):
        self._on_change = on_change
        self._lock = threading.Condition()
        self._pending: list[QueueItem] = []
        self._running: dict[int, QueueItem] = {}
        self._task_counter = 0
        self._number = 0
        self.history: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self.closed = False
        self._woken = False

    def wake(self) -> None:
        """Wakes a worker waiting in ``get``: for an item queued with ``wake=False``, or on an
        empty queue, as ComfyUI's ``set_flag`` does, so that it acts on a flag (``/free``)."""
        with self._lock:
            self._woken = True
            self._lock.notify_all()

    def next_number(self, explicit: Any = None, front: bool = False) -> float | int:
        """The priority for a new request. An explicit number is used as given; otherwise the
        counter gives it (negated for ``front``) and advances, even if the prompt is rejected."""
        if explicit is not None:
            return float(explicit)
        with self._lock:
            number = self._number
            self._number += 1
        return -number if front else number

    def number_after(self, numbers: list[Any]) -> None:
        """Makes the counter give numbers after ``numbers`` (a kept queue's, on restart), so
        a prompt queued after the restart runs after those queued before it."""
        highest = max((n for n in numbers if isinstance(n, int | float)), default=None)
        if highest is not None:
            with self._lock:
                self._number = max(self._number, int(abs(highest)) + 1)

    def remaining(self) -> int:
        with self._lock:
            return len(self._pending) + len(self._running)

    def put(self, item: QueueItem, wake: bool = True) -> None:
        """Queues ``item`` (and saves the state, when it is kept). With ``wake=False`` a
        waiting worker is not woken: the caller calls `wake` when it may run."""
        with self._lock:
            heapq.heappush(self._pending, item)
            if wake:
                self._lock.notify()
        self._changed()

    def get(self, timeout: float | None = None) -> tuple[int, QueueItem] | None:
        with self._lock:
            if not self._pending and not self._lock.wait_for(
                lambda: self._pending or self.closed or self._woken, timeout
            ):
                return None
            self._woken = False
            if not self._pending:
                return None
            item = heapq.heappop(self._pending)
            task_id = self._task_counter
            self._task_counter += 1
            self._running[task_id] = item
        self._changed()
        return task_id, item

    def task_done(self, task_id: int, history_entry: dict[str, Any]) -> None:
        with self._lock:
            item = self._running.pop(task_id)
            prompt_id = item[1]
            self.history.pop(prompt_id, None)
            self.history[prompt_id] = history_entry
            while len(self.history) > MAX_HISTORY:
                self.history.popitem(last=False)
        self._changed()

    def current(self) -> tuple[list[QueueItem], list[QueueItem]]:
        with self._lock:
            return list(self._running.values()), list(self._pending)

    def running_prompt_ids(self) -> list[str]:
        with self._lock:
            return [item[1] for item in self._running.values()]

    def wipe(self) -> None:
        with self._lock:
            self._pending = []
        self._changed()

    def delete(self, prompt_id: str) -> bool:
        with self._lock:
            for index, item in enumerate(self._pending):
                if item[1] == prompt_id:
                    self._pending.pop(index)
                    heapq.heapify(self._pending)
                    break
            else:
                return False
        self._changed()
        return True

    def get_history(
        self, prompt_id: str | None = None, max_items: int | None = None, offset: int = -1
    ) -> dict[str, Any]:
        with self._lock:
            if prompt_id is not None:
                entry = self.history.get(prompt_id)
                return {} if entry is None else {prompt_id: entry}
            if offset < 0 and max_items is not None:
                offset = len(self.history) - max_items
            out: dict[str, Any] = {}
            for index, key in enumerate(self.history):
                if index >= offset:
                    out[key] = self.history[key]
                    if max_items is not None and len(out) >= max_items:
                        break
            return out

    def wipe_history(self) -> None:
        with self._lock:
            self.history.clear()

    def delete_history(self, prompt_id: str) -> None:
        with self._lock:
            self.history.pop(prompt_id, None)

    def close(self) -> None:
        with self._lock:
            self.closed = True
            self._lock.notify_all()

    def _changed(self) -> None:
        self._on_change(self.remaining())
