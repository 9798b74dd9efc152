"""Starting child processes that die with the process that started them.

Linux sends a child its parent-death signal (``PR_SET_PDEATHSIG``) when the *thread*
that forked it ends, not when the process does. So every server is forked either by the
main thread or by one spawner thread that lives as long as the process, never by a
short-lived worker thread. What the child runs between fork and exec is prepared
before forking: the ``prctl`` function is looked up once, at import.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import queue
import signal
import subprocess
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

PR_SET_PDEATHSIG = 1
T = TypeVar("T")


def _load_prctl() -> Callable[..., int] | None:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        return libc.prctl
    except (OSError, AttributeError):  # not Linux: process groups and atexit still apply
        return None


_PRCTL = _load_prctl()


def die_with_parent(parent_pid: int) -> Callable[[], None]:
    """A ``preexec_fn``: the child gets SIGKILL when its parent ends; if the parent ended
    already (between fork and here), the child ends at once."""

    def preexec() -> None:
        if _PRCTL is not None:
            _PRCTL(PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent_pid:
            os._exit(1)

    return preexec


class _SpawnerThread(threading.Thread):
    """Runs spawn requests of other threads; a daemon, so it lives until the process ends."""

    def __init__(self) -> None:
        super().__init__(name="comfy-spawner", daemon=True)
        self.requests: queue.SimpleQueue[tuple[Callable[[], Any], Future[Any]]] = (
            queue.SimpleQueue()
        )

    def run(self) -> None:
        while True:
            call, future = self.requests.get()
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(call())
            except BaseException as exc:  # handed back to the caller's thread
                future.set_exception(exc)


class _Spawner:
    """Hands calls from short-lived threads to the one spawner thread."""

    def __init__(self) -> None:
        self._thread: _SpawnerThread | None = None
        self._lock = threading.Lock()

    def run(self, call: Callable[[], T]) -> T:
        if threading.current_thread() is threading.main_thread():
            return call()
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = _SpawnerThread()
                self._thread.start()
            thread = self._thread
        future: Future[T] = Future()
        thread.requests.put((call, future))
        return future.result()


_SPAWNER = _Spawner()


def popen_tied(command: list[str], **kwargs: Any) -> subprocess.Popen[bytes]:
    """``subprocess.Popen`` in a new session whose process dies with this process,
    whichever thread asks for it."""
    parent = os.getpid()
    return _SPAWNER.run(
        lambda: subprocess.Popen(
            command,
            start_new_session=True,
            preexec_fn=die_with_parent(parent),  # noqa: PLW1509
            **kwargs,
        )
    )
