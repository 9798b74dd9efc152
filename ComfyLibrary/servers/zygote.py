"""Mock servers started from a warm spare process (see ``ComfyLibrary.mock.zygote``).

After the first mock, the library keeps one spare mock process that has already done its
imports; the next `ServerProcess.start` of a mock hands it its command line and the
library starts a new spare in the background. A suite that starts and restarts mocks test
after test saves most of each start. ``COMFY_MOCK_ZYGOTE=0`` turns it off.
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
from pathlib import Path

from ComfyLibrary.servers.spawn import popen_tied

MOCK_MODULE = ["-m", "ComfyLibrary.mock"]


def enabled() -> bool:
    return os.environ.get("COMFY_MOCK_ZYGOTE", "1").strip() not in ("0", "false", "no")


def is_mock_command(command: list[str]) -> bool:
    return command[:3] == [sys.executable, *MOCK_MODULE]


class Zygotes:
    """Holds at most one spare mock process."""

    def __init__(self) -> None:
        self._spare: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()

    def take(self) -> subprocess.Popen[bytes] | None:
        """The spare, if one is ready to take an order (and a new spare is started)."""
        with self._lock:
            spare, self._spare = self._spare, None
        self._spawn()
        if spare is None or spare.poll() is not None:
            return None
        return spare

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
            old, self._spare = self._spare, process
        if old is not None:
            _discard(old)

    def discard(self) -> None:
        """Ends the spare (the run is ending)."""
        with self._lock:
            spare, self._spare = self._spare, None
        if spare is not None:
            _discard(spare)


def _discard(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(2)
    for stream in (process.stdin, process.stdout):
        if stream is not None:
            with contextlib.suppress(OSError):
                stream.close()


ZYGOTES = Zygotes()
atexit.register(ZYGOTES.discard)
