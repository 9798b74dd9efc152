"""Following one prompt to its end without trusting a single signal.

WebSocket events drive the wait; ``/history/{id}`` is the truth it completes on.
History is re-read after every reconnect and on a slow fallback poll, so a prompt
that finished while the socket was down still completes, and one the server lost
(restarted, neither queued nor in history) fails with a clear message.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from ComfyLibrary import protocol
from ComfyLibrary.client import events as ev
from ComfyLibrary.errors import (
    ComfyError,
    PromptFailed,
    PromptInterrupted,
    PromptLost,
    ServerUnreachable,
    WaitTimeout,
)

if TYPE_CHECKING:
    from ComfyLibrary.client.client import ComfyClient, Completion, PromptHandle
    from ComfyLibrary.client.events import Event

FALLBACK_POLL_SECONDS = 2.0
HISTORY_GRACE_SECONDS = 5.0


def _format_seconds(seconds: float) -> str:
    return f"{seconds:g} seconds" if seconds != 1 else "1 second"


class CompletionTracker:
    def __init__(self, client: ComfyClient, handle: PromptHandle):
        self.client = client
        self.handle = handle
        self.prompt_id = handle.prompt_id

    def _is_terminal(self, event: Event) -> bool:
        if event.type in (ev.RECONNECTED, ev.DISCONNECTED):
            return True
        if event.get("prompt_id") != self.prompt_id:
            return False
        if event.type == protocol.EXECUTING:
            return event.get("node") is None
        return event.type in (protocol.EXECUTION_ERROR, protocol.EXECUTION_INTERRUPTED)

    def wait(self, timeout: float) -> Completion:
        start = time.monotonic()
        deadline = start + timeout
        seq = self.handle.event_seq
        next_poll = start + FALLBACK_POLL_SECONDS
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise WaitTimeout(self._timeout_message(timeout))
            slice_end = min(deadline, next_poll)
            event = self.client.events.wait_for(
                self._is_terminal, max(0.0, slice_end - time.monotonic()), since=seq
            )
            if event is not None:
                seq = event.seq
                if event.type == protocol.EXECUTION_ERROR:
                    raise PromptFailed(self._error_message(event.data))
                if event.type == protocol.EXECUTION_INTERRUPTED:
                    raise PromptInterrupted(self._interrupted_message(event.data))
                if event.type == ev.DISCONNECTED:
                    continue
                if event.type == protocol.EXECUTING:
                    entry = self._history_with_grace(deadline)
                    if entry is not None:
                        return self._finish(entry)
                    continue
            next_poll = time.monotonic() + FALLBACK_POLL_SECONDS
            completion = self._reconcile()
            if completion is not None:
                return completion

    def _history_entry(self) -> dict[str, Any] | None:
        return self.client.history(self.prompt_id).get(self.prompt_id)

    def _history_with_grace(self, deadline: float) -> dict[str, Any] | None:
        """The history entry, read again for a short while (some servers write it late)."""
        grace_end = min(deadline, time.monotonic() + HISTORY_GRACE_SECONDS)
        delay = 0.01
        while True:
            entry = self._history_entry()
            if entry is not None or time.monotonic() >= grace_end:
                return entry
            time.sleep(delay)
            delay = min(delay * 2, 0.25)

    def _reconcile(self) -> Completion | None:
        """Checks history and queue over HTTP; returns a completion, raises, or returns None."""
        try:
            entry = self._history_entry()
            if entry is not None:
                return self._finish(entry)
            if self._queue_position() is not None:
                return None
            entry = self._history_entry()
        except ServerUnreachable:
            return None
        if entry is not None:
            return self._finish(entry)
        raise PromptLost(
            f"Prompt {self.prompt_id} was lost: it is neither queued, running nor in the history "
            f"of {self.client.url} (the server probably restarted). Submit it again."
        )

    def _queue_position(self) -> tuple[str, int] | None:
        queue = self.client.queue()
        for item in queue.get("queue_running", []):
            if item[1] == self.prompt_id:
                return ("running", 0)
        pending = sorted(queue.get("queue_pending", []), key=lambda item: item[0])
        for index, item in enumerate(pending, start=1):
            if item[1] == self.prompt_id:
                return ("queued", index)
        return None

    def _finish(self, entry: dict[str, Any]) -> Completion:
        from ComfyLibrary.client.client import Completion

        status = entry.get("status") or {}
        messages = status.get("messages") or []
        for name, data in messages:
            if name == protocol.EXECUTION_ERROR:
                raise PromptFailed(self._error_message(data))
            if name == protocol.EXECUTION_INTERRUPTED:
                raise PromptInterrupted(self._interrupted_message(data))
        if status and status.get("status_str") not in (None, "success"):
            raise PromptFailed(
                f"Prompt {self.prompt_id} ended with status '{status.get('status_str')}'"
            )
        stamps = {name: data.get("timestamp") for name, data in messages if isinstance(data, dict)}
        started = stamps.get(protocol.EXECUTION_START)
        ended = stamps.get(protocol.EXECUTION_SUCCESS)
        created = (entry.get("prompt") or [None] * 4)[3] or {}
        create_time = created.get("create_time") if isinstance(created, dict) else None
        return Completion(
            prompt_id=self.prompt_id,
            status=status.get("status_str", "success"),
            outputs=entry.get("outputs") or {},
            history=entry,
            queued_seconds=(started - create_time) / 1000 if started and create_time else None,
            execution_seconds=(ended - started) / 1000 if started and ended else None,
            total_seconds=time.time() - self.handle.submitted_at,
        )

    def _error_message(self, data: dict[str, Any]) -> str:
        message = str(data.get("exception_message", "")).strip()
        return (
            f"Prompt {self.prompt_id} failed at node {data.get('node_id')} "
            f"({data.get('node_type')}): {data.get('exception_type', 'error')}: {message}"
        )

    def _interrupted_message(self, data: dict[str, Any]) -> str:
        return (
            f"Prompt {self.prompt_id} was interrupted at node {data.get('node_id')} "
            f"({data.get('node_type')})"
        )

    def _timeout_message(self, timeout: float) -> str:
        where = "in an unknown state (the server did not answer)"
        try:
            position = self._queue_position()
        except ComfyError:
            position = None
        else:
            if position is None:
                where = "neither queued nor running"
            elif position[0] == "queued":
                where = f"queued at position {position[1]}"
            else:
                where = "running" + self._running_detail()
        return (
            f"Prompt {self.prompt_id} did not complete in {_format_seconds(timeout)}: "
            f"it was {where}."
        )

    def _running_detail(self) -> str:
        mine = self.client.events.events(
            since=self.handle.event_seq,
            predicate=lambda e: (
                e.get("prompt_id") == self.prompt_id
                and e.type in (protocol.EXECUTING, protocol.PROGRESS)
            ),
        )
        node = step = None
        for event in mine:
            if event.type == protocol.EXECUTING and event.get("node") is not None:
                node, step = event.get("node"), None
            elif event.type == protocol.PROGRESS:
                node = event.get("node", node)
                step = (event.get("value"), event.get("max"))
        if node is None:
            return ""
        detail = f" node {node}"
        if step is not None:
            detail += f" at step {step[0]} of {step[1]}"
        return detail
