"""Mock servers started from a warm spare process (see ``ComfyLibrary.mock.zygote``).

After the first mock, the library keeps a spare mock process that has done its imports (or
is doing them); the next `ServerProcess.start` of a mock hands the oldest spare its command
line and the library starts a new spare in the background. A suite that starts and
restarts mocks test after test saves most of each start. More spares do not help on a
two-core machine: their imports compete with the tests. ``COMFY_MOCK_ZYGOTE=0`` turns it
off.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
from collections import deque
from pathlib import Path

from ComfyLibrary.servers.spawn import popen_tied

MOCK_MODULE = ["-m", "ComfyLibrary.mock"]
SPARES = 1


def enabled() -> bool:
    return os.environ.get("COMFY_MOCK_ZYGOTE", "1").strip() not in ("0", "false", "no")


def is_mock_command(command: list[str]) -> bool:
    return command[:3] == [sys.executable, *MOCK_MODULE]


class Zygotes:
    """Holds up to ``SPARES`` spare mock processes, oldest first."""

    def __init__(self) -> None:
        self._spares: deque[subprocess.Popen[bytes]] = deque()
        self._lock = threading.Lock()

    def take(self) -> subprocess.Popen[bytes] | None:
        """The oldest living spare, or None; new spares are started to refill the pool."""
        taken = None
        with self._lock:
            while self._spares and taken is None:
                spare = self._spares.popleft()
                if spare.poll() is None:
                    taken = spare
                else:
                    _close_streams(spare)
            missing = SPARES - len(self._spares)
        for _ in range(missing):
            self._spawn()
        return taken

    @staticmethod
    def send(process: subprocess.Popen[bytes], command: list[str], env: dict, cwd) -> None:
        """Tells a spare which mock to become; raises OSError if it is gone."""
        order = {"argv": command[3:], "env": env, "cwd": str(Path(cwd or os.getcwd()))}
        assert process.stdin is not None
        process.stdin.write((json.dumps(order) + "\n").encode())
        process.stdin.close()

    def _spawn(self) -> None:
        if not enabled():
            return
        try:
            process = popen_tied(
                [sys.executable, *MOCK_MODULE, "--zygote"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
            )
        except OSError:
            return
        with self._lock:
            self._spares.append(process)
            extra = self._spares.popleft() if len(self._spares) > SPARES else None
        if extra is not None:
            _discard(extra)

    def discard(self) -> None:
        """Ends the spares (the run is ending)."""
        with self._lock:
            spares = list(self._spares)
            self._spares.clear()
        for spare in spares:
            _discard(spare)


def _discard(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(2)
    _close_streams(process)


def _close_streams(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(0)
    for stream in (process.stdin, process.stdout):
        if stream is not None:
            with contextlib.suppress(OSError):
                stream.close()


ZYGOTES = Zygotes()
atexit.register(ZYGOTES.discard)
