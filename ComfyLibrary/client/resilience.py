"""Retries with backoff for idempotent HTTP calls, and a circuit breaker that fails fast
after repeated failures and lets one trial call through after a cool-down."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TypeVar

from ComfyLibrary.errors import ServerUnreachable

T = TypeVar("T")


class CircuitOpen(ServerUnreachable):
    """Raised without calling the server while the breaker is open."""


class CircuitBreaker:
    """Closed: calls go through. Open (``threshold`` failures in a row): calls fail fast.
    Half-open (the cool-down has passed): exactly one trial call goes through; its success
    closes the breaker, its failure opens it again for another cool-down."""

    def __init__(
        self,
        threshold: int = 5,
        cooldown: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
        trial_timeout: float = 60.0,
    ):
        self.threshold = threshold
        self.cooldown = cooldown
        self.clock = clock
        self.trial_timeout = trial_timeout  # a trial that never reported back is given up
        self.failures = 0
        self.opened_at: float | None = None
        self._trial_started: float | None = None
        self._lock = threading.Lock()

    @property
    def state(self) -> str:
        with self._lock:
            return self._state(self.clock())

    def _state(self, now: float) -> str:
        if self.opened_at is None:
            return "closed"
        return "half-open" if now - self.opened_at >= self.cooldown else "open"

    def before_call(self, target: str) -> None:
        with self._lock:
            now = self.clock()
            state = self._state(now)
            if state == "closed":
                return
            if state == "half-open":
                trial_running = (
                    self._trial_started is not None
                    and now - self._trial_started < self.trial_timeout
                )
                if not trial_running:
                    self._trial_started = now
                    return
                reason = "a trial call is under way"
            else:
                reason = f"the client waits {self.cooldown:g}s before one trial call"
        raise CircuitOpen(
            f"Not calling {target}: it failed {self.failures} times in a row and {reason} "
            "(circuit breaker open)."
        )

    def succeeded(self) -> None:
        with self._lock:
            self.failures = 0
            self.opened_at = None
            self._trial_started = None

    def failed(self) -> None:
        with self._lock:
            self.failures += 1
            trial = self._trial_started is not None
            self._trial_started = None
            if trial or (self.threshold > 0 and self.failures >= self.threshold):
                self.opened_at = self.clock()


def with_retries(
    call: Callable[[], T],
    retries: int,
    delay: float,
    retry_on: tuple[type[BaseException], ...],
    deadline: float | None = None,
) -> T:
    """Runs ``call``, retrying up to ``retries`` times with doubling delays on ``retry_on``
    (never while the circuit breaker is open, never past ``deadline``, a monotonic time)."""
    attempt = 0
    while True:
        try:
            return call()
        except retry_on as exc:
            pause = delay * 2**attempt
            if (
                attempt >= retries
                or isinstance(exc, CircuitOpen)
                or not getattr(exc, "retryable", True)
                or (deadline is not None and time.monotonic() + pause >= deadline)
            ):
                raise
            time.sleep(pause)
            attempt += 1
