"""Following one prompt to its end without trusting a single signal.

WebSocket events drive the wait; ``/history/{id}`` is the truth it completes on.
History is re-read after every reconnect and on a slow fallback poll, so a prompt
that finished while the socket was down still completes, and one the server lost
(restarted, neither queued nor in history) fails with a clear message.
"""

from __future__ import annotations

import time
from collections.abc import Callable
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
HISTORY_GRACE_SECONDS = 5.0  # after ``executing null``, how long a missing history entry is awaited
LOST_CONFIRM_SECONDS = 0.5  # a prompt must be missing from two checks this far apart to be lost
RECHECK_SECONDS = 0.05


PROGRESS_SECONDS = 0.25  # how often a live progress line is refreshed


def _format_seconds(seconds: float) -> str:
    return f"{seconds:g} seconds" if seconds != 1 else "1 second"


class CompletionTracker:
    """Waits for one prompt. Every HTTP call is bounded by the time left, a connection
    error is treated like a drop (the server's history is read again once it answers),
    and a prompt is lost only when the answering server has it neither queued nor in its
    history, twice in a row."""

    def __init__(
        self,
        client: ComfyClient,
        handle: PromptHandle,
        progress: Callable[[str], None] | None = None,
    ):
        self.progress = progress  # told how the wait goes, a few times a second
        self._position_asked = 0.0
        self.client = client
        self.handle = handle
        self.prompt_id = handle.prompt_id
        self.finished_at: float | None = None  # when ``executing null`` arrived for it
        self.absent_since: float | None = None
        self.last_position: tuple[str, int] | None = None
        self.position_known = False
        self.last_answer: float | None = None  # when the server last answered a call
        self.last_failure = ""

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
        # the first fallback check comes early enough that a timeout can say where it was
        next_check = start + min(FALLBACK_POLL_SECONDS, max(0.0, timeout - 0.5))
        while True:
            now = time.monotonic()
            if now >= deadline:
                raise WaitTimeout(self._timeout_message(timeout))
            until = min(deadline, next_check)
            if self.progress is not None:
                self.progress(self._status_line(now - start, deadline))
                until = min(until, now + PROGRESS_SECONDS)
            event = self.client.events.wait_for(self._is_terminal, max(0.0, until - now), since=seq)
            if event is not None:
                seq = event.seq
                if event.type == protocol.EXECUTION_ERROR:
                    raise PromptFailed(self._error_message(event.data))
                if event.type == protocol.EXECUTION_INTERRUPTED:
                    raise PromptInterrupted(self._interrupted_message(event.data))
                if event.type == ev.DISCONNECTED:
                    continue  # the reconnection (or the fallback poll) brings the check
                if event.type == protocol.EXECUTING:
                    self.finished_at = time.monotonic()
                next_check = time.monotonic()
            if time.monotonic() < next_check:
                continue
            completion = self._reconcile(deadline)
            if completion is not None:
                return completion
            next_check = time.monotonic() + self._next_check_delay()

    def _next_check_delay(self) -> float:
        if self.absent_since is not None:
            return LOST_CONFIRM_SECONDS
        if self.finished_at is not None:
            return RECHECK_SECONDS  # finished: its history entry is due any moment
        return FALLBACK_POLL_SECONDS

    def _history_entry(self, deadline: float | None = None) -> dict[str, Any] | None:
        return self.client.history(self.prompt_id, deadline=deadline).get(self.prompt_id)

    def _reconcile(self, deadline: float) -> Completion | None:
        """Checks history and queue over HTTP; returns a completion, raises, or returns None
        (not finished yet, or the server did not answer: try again later)."""
        try:
            entry = self._history_entry(deadline)
            if entry is not None:
                return self._finish(entry)
            position = self._queue_position(deadline)
            self.last_answer = time.monotonic()
            self.last_position, self.position_known = position, True
            if position is not None:
                self.absent_since = None
                return None
            entry = self._history_entry(deadline)
        except ServerUnreachable as exc:
            self.last_failure = str(exc)
            return None
        if entry is not None:
            return self._finish(entry)
        now = time.monotonic()
        if self.finished_at is not None and now - self.finished_at < HISTORY_GRACE_SECONDS:
            return None  # some servers write the history entry after ``executing null``
        if self.absent_since is None:
            self.absent_since = now
            return None
        if now - self.absent_since < LOST_CONFIRM_SECONDS:
            return None
        finished = self._finished_from_events()
        if finished is not None:
            return finished
        raise PromptLost(
            f"Prompt {self.prompt_id} was lost: {self.client.url} answers but has it neither "
            "queued, running nor in its history (the server probably restarted without its "
            "queue). Submit it again."
        )

    def _finished_from_events(self) -> Completion | None:
        """A prompt whose ``execution_success`` arrived finished, even if the server lost
        its history since (a restart): its outputs are those its ``executed`` events gave."""
        from ComfyLibrary.client.client import Completion

        mine = self.client.events.events(
            since=self.handle.event_seq, predicate=lambda e: e.get("prompt_id") == self.prompt_id
        )
        if not any(e.type == protocol.EXECUTION_SUCCESS for e in mine):
            return None
        outputs = {
            str(e.get("node")): e.get("output") or {}
            for e in mine
            if e.type == protocol.EXECUTED and e.get("node") is not None
        }
        status = {"status_str": "success", "completed": True, "messages": []}
        return Completion(
            prompt_id=self.prompt_id,
            status="success",
            outputs=outputs,
            history={"outputs": outputs, "status": status, "prompt": []},
            queued_seconds=None,
            execution_seconds=None,
            total_seconds=time.time() - self.handle.submitted_at,
            source="events",
        )

    def _queue_position(self, deadline: float | None = None) -> tuple[str, int] | None:
        queue = self.client.queue(deadline=deadline)
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

    def _where(self, running: str | None) -> str:
        """Where the prompt is, from what is already known (no call to the server)."""
        if self.finished_at is not None:
            return "finished (executing null) but its history entry never arrived"
        if running is not None:
            return "running" + running
        if self.position_known and self.last_position is not None:
            kind, index = self.last_position
            return f"queued at position {index}" if kind == "queued" else "running"
        return "neither queued nor running" if self.position_known else "in an unknown state"

    def _timeout_message(self, timeout: float) -> str:
        """Built from what is already known: no new call to a server that may be hung."""
        silent = ""
        if self.last_failure:
            silent = f" The server did not answer: {self.last_failure}"
        return (
            f"Prompt {self.prompt_id} did not complete in {_format_seconds(timeout)}: "
            f"it was {self._where(self._running_detail())}.{silent}"
        )

    def _status_line(self, waited: float, deadline: float) -> str:
        """``Prompt 1a2b3c4d: running node 3 at step 4 of 20, 12 s`` for the live line."""
        running = self._running_detail()
        if running is None and self.finished_at is None:
            self._refresh_position(deadline)
        return f"Prompt {self.prompt_id[:8]}: {self._where(running)}, {waited:.0f} s"

    def _refresh_position(self, deadline: float) -> None:
        """The queue position for the live line, asked at most once a second and never past
        the wait's own deadline (a frozen server must not stretch the wait)."""
        now = time.monotonic()
        if now - self._position_asked < 1.0:
            return
        self._position_asked = now
        try:
            self.last_position = self._queue_position(min(now + 2.0, deadline))
            self.position_known = True
        except ComfyError:
            pass  # the wait's own checks say what a silent server means

    def _running_detail(self) -> str | None:
        """`` node N at step a of b`` from the events seen, or None when it never started."""
        mine = self.client.events.events(
            since=self.handle.event_seq,
            predicate=lambda e: (
                e.get("prompt_id") == self.prompt_id
                and e.type in (protocol.EXECUTING, protocol.PROGRESS)
            ),
        )
        node = step = None
        started = False
        for event in mine:
            started = True
            if event.type == protocol.EXECUTING and event.get("node") is not None:
                node, step = event.get("node"), None
            elif event.type == protocol.PROGRESS:
                node = event.get("node", node)
                step = (event.get("value"), event.get("max"))
        if not started:
            return None
        if node is None:
            return ""
        detail = f" node {node}"
        if step is not None:
            detail += f" at step {step[0]} of {step[1]}"
        return detail
