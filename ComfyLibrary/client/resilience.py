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
    def __init__(
        self, threshold: int = 5, cooldown: float = 2.0, clock: Callable[[], float] = time.monotonic
    ):
        self.threshold = threshold
        self.cooldown = cooldown
        self.clock = clock
        self.failures = 0
        self.opened_at: float | None = None
        self._lock = threading.Lock()

    @property
    def state(self) -> str:
        with self._lock:
            if self.opened_at is None:
                return "closed"
            return "half-open" if self.clock() - self.opened_at >= self.cooldown else "open"

    def before_call(self, target: str) -> None:
        if self.state == "open":
            raise CircuitOpen(
                f"Not calling {target}: it failed {self.failures} times in a row; the client "
                f"waits {self.cooldown:g}s before trying again (circuit breaker open)."
            )

    def succeeded(self) -> None:
        with self._lock:
            self.failures = 0
            self.opened_at = None

    def failed(self) -> None:
        with self._lock:
            self.failures += 1
            if self.threshold > 0 and self.failures >= self.threshold:
                self.opened_at = self.clock()


def with_retries(
    call: Callable[[], T], retries: int, delay: float, retry_on: tuple[type[BaseException], ...]
) -> T:
    """Runs ``call``, retrying up to ``retries`` times with doubling delays on ``retry_on``
    (never while the circuit breaker is open)."""
    attempt = 0
    while True:
        try:
            return call()
        except retry_on as exc:
            if (
                attempt >= retries
                or isinstance(exc, CircuitOpen)
                or not getattr(exc, "retryable", True)
            ):
                raise
            time.sleep(delay * 2**attempt)
            attempt += 1
