"""Fault injection in the mock server, driven by CLI flags and the control routes.

Control routes live under ``/mock/`` (ComfyUI serves nothing there, so they cannot
clash with its API). Each answers the current faults as JSON.

- ``GET /mock/faults``: current faults and counters.
- ``POST /mock/faults/reset``: clears every fault.
- ``POST /mock/latency {"ms": 200}``: delays every HTTP answer.
- ``POST /mock/fail_prompts {"count": 1, "mode": "http", "status": 503}``: the next
  POST /prompt answers that status (with a ``Retry-After`` header of ``retry_after``
  seconds when given, as a rate limiter or a proxy in front of ComfyUI answers 429/503).
  ``"mode": "validation"`` answers 400 ``invalid_prompt`` with ``message``.
  ``"mode": "execution"`` accepts the prompt and fails it at ``node`` (an id or class;
  any node when absent) with an ``execution_error`` carrying ``message`` and
  ``exception_type``. ``"mode": "crash"``
  accepts the prompt, answers, and the mock dies at once (SIGKILL), as a server that
  crashes right after it acknowledged a prompt.
- ``POST /mock/drop_websockets {"when": "now"}``: aborts every WebSocket now;
  ``{"when": "execution_start", "count": 1}`` does it just before that event is sent.
- ``POST /mock/stall {"stalled": true}``: the worker holds before the next node until
  ``{"stalled": false}``; an interrupt still ends the prompt.
- ``POST /mock/history_delay {"ms": 500}``: history is written that long after
  ``execution_success`` (the race real clients trip on).
- ``POST /mock/keep_queue {"keep": true}``: queue and history survive a restart
  (ComfyUI loses them; so does the mock by default).
- ``POST /mock/pace {"pace": "real"}``: each node takes about what ComfyUI 0.8 takes on a
  2-core CPU (``"fast"``, the default, as fast as it can; a number scales ``real``).
- ``POST /mock/kill_worker``: the prompt worker thread ends when it takes the next prompt,
  as a bug in it would end it; from then on ``/system_stats``, ``/queue`` and
  ``POST /prompt`` answer 503 naming why, so that no client waits in silence.
"""

from __future__ import annotations

import threading
import time
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class PromptFailure:
    count: int
    mode: str = "http"
    status: int = 500
    message: str = ""
    node: str | None = None
    exception_type: str = "RuntimeError"
    retry_after: float | None = None  # http mode: a Retry-After header, in seconds


@dataclass
class FaultState:
    latency_ms: float = 0.0
    prompt_failures: list[PromptFailure] = field(default_factory=list)
    drop_websockets_on: str | None = None
    drop_websockets_count: int = 0
    stalled: bool = False
    history_delay_ms: float = 0.0
    keep_queue: bool = False
    pace: float | None = None  # None: fast; 1.0: ComfyUI 0.8's on 2 cores (pace.py)
    kill_worker: bool = False  # the worker thread ends at the next prompt it takes


class Faults:
    """Thread-safe fault switches shared by the routes, the hub and the worker."""

    def __init__(self) -> None:
        self.state = FaultState()
        self._lock = threading.Lock()
        self._resume = threading.Event()
        self._resume.set()
        self.counters = {"rejected_prompts": 0, "failed_executions": 0, "dropped_websockets": 0}

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {**asdict(self.state), "counters": dict(self.counters)}

    def reset(self) -> None:
        with self._lock:  # the queue's keeping and the pace are settings, not faults
            self.state = FaultState(keep_queue=self.state.keep_queue, pace=self.state.pace)
        self._resume.set()

    def set_latency(self, ms: float) -> None:
        self.state.latency_ms = max(0.0, float(ms))

    def add_prompt_failure(self, failure: PromptFailure) -> None:
        if failure.mode not in ("http", "validation", "execution", "crash"):
            raise ValueError(
                f"mode must be http, validation, execution or crash, not {failure.mode!r}"
            )
        with self._lock:
            self.state.prompt_failures.append(failure)

    def take_worker_kill(self) -> bool:
        with self._lock:
            kill, self.state.kill_worker = self.state.kill_worker, False
            return kill

    def take_submission_failure(self) -> PromptFailure | None:
        """The failure the next POST /prompt must suffer, if any (http, validation, crash)."""
        return self._take(("http", "validation", "crash"))

    def take_execution_failure(self) -> PromptFailure | None:
        """The failure a prompt that starts executing must suffer, if any."""
        return self._take(("execution",))

    def _take(self, modes: tuple[str, ...]) -> PromptFailure | None:
        with self._lock:
            for failure in self.state.prompt_failures:
                if failure.mode in modes and failure.count > 0:
                    failure.count -= 1
                    if failure.count == 0:
                        self.state.prompt_failures.remove(failure)
                    key = "failed_executions" if failure.mode == "execution" else "rejected_prompts"
                    self.counters[key] += 1
                    return failure
            return None

    def drop_websockets_when(self, event: str, count: int = 1) -> None:
        with self._lock:
            self.state.drop_websockets_on = event
            self.state.drop_websockets_count = count

    def should_drop_before(self, event: str) -> bool:
        with self._lock:
            if self.state.drop_websockets_on != event or self.state.drop_websockets_count <= 0:
                return False
            self.state.drop_websockets_count -= 1
            if self.state.drop_websockets_count == 0:
                self.state.drop_websockets_on = None
            return True

    def set_stalled(self, stalled: bool) -> None:
        self.state.stalled = stalled
        if stalled:
            self._resume.clear()
        else:
            self._resume.set()

    def wait_while_stalled(self, interrupted: threading.Event) -> None:
        """Blocks the worker while stalled; returns early when an interrupt arrives."""
        while not self._resume.wait(0.05):
            if interrupted.is_set():
                return

    def history_delay(self) -> float:
        return self.state.history_delay_ms / 1000.0

    def sleep_latency(self) -> float:
        return self.state.latency_ms / 1000.0


def wait_seconds(seconds: float) -> None:
    if seconds > 0:
        time.sleep(seconds)
