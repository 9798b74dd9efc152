"""Mock servers forked from a warm fork server (see ``ComfyLibrary.mock.zygote``).

The first mock a process starts is started cold, and the library starts the mock's fork
server beside it: a process that has done every import a mock needs. Every later mock is
forked from it, so its start costs a fork and a bind instead of an interpreter start and
the imports (about half a second of CPU each on a small machine, which the tests around it
would otherwise wait for). The forked mock is handed out as a `ForkedProcess`, with the
parts of ``subprocess.Popen`` that a `ServerProcess` uses; it has a process group of its
own and dies with the fork server, which dies with this process. ``COMFY_MOCK_ZYGOTE=0``
turns it off.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import select
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO, Any

from ComfyLibrary.servers.spawn import popen_tied

MOCK_MODULE = ["-m", "ComfyLibrary.mock"]
ANSWER_SECONDS = 30.0  # the fork server may still be importing when the first order comes
STATUS_SECONDS = 5.0  # an exit code is asked of a fork server that has nothing else to do


def enabled() -> bool:
    if not hasattr(os, "pidfd_open") or not hasattr(socket, "send_fds"):
        return False
    return os.environ.get("COMFY_MOCK_ZYGOTE", "1").strip() not in ("0", "false", "no")


def is_mock_command(command: list[str]) -> bool:
    return command[:3] == [sys.executable, *MOCK_MODULE]


def _readable(fd: int, timeout: float | None) -> bool:
    return bool(select.select([fd], [], [], timeout)[0])


class ForkedProcess:
    """A mock forked by the fork server, seen through the ``Popen`` attributes that
    `ServerProcess` uses: ``pid``, ``stdout``, ``returncode``, ``poll`` and ``wait``."""

    def __init__(self, pid: int, stdout: IO[bytes], server: ForkServer):
        self.pid = pid
        self.stdout: IO[bytes] | None = stdout
        self.stdin = None
        self.returncode: int | None = None
        self._server = server
        self._pidfd: int | None = None
        try:
            self._pidfd = os.pidfd_open(pid)
        except ProcessLookupError:  # it ended (and was reaped) already: a refused argument
            self._ended()

    def poll(self) -> int | None:
        if self.returncode is None and self._pidfd is not None and _readable(self._pidfd, 0):
            self._ended()
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        if self.returncode is None:
            if self._pidfd is not None and not _readable(self._pidfd, timeout):
                raise subprocess.TimeoutExpired(f"mock {self.pid}", timeout or 0)
            self._ended()
        assert self.returncode is not None
        return self.returncode

    def _ended(self) -> None:
        code = self._server.exit_code(self.pid)
        self.returncode = code if code is not None else -signal.SIGKILL
        if self._pidfd is not None:
            os.close(self._pidfd)
            self._pidfd = None


class ForkServer:
    """The library's end of the mock fork server: starts it, sends orders, asks exit codes."""

    def __init__(self) -> None:
        self._process: subprocess.Popen[bytes] | None = None
        self._control: socket.socket | None = None
        self._lock = threading.Lock()

    def fork(
        self,
        command: list[str],
        env: dict[str, str],
        cwd: Any,
        timeout: float = ANSWER_SECONDS,
    ) -> ForkedProcess | None:
        """A mock forked for ``command``, or None when there is no fork server yet (one is
        started for the next time) or it failed or did not answer within ``timeout`` (it
        is replaced)."""
        with self._lock:
            if self._control is None or self._process is None or self._process.poll() is not None:
                self._restart()
                return None
            order = {"argv": command[3:], "env": env, "cwd": str(Path(cwd or os.getcwd()))}
            read_end, write_end = os.pipe()
            try:
                socket.send_fds(self._control, [json.dumps(order).encode()], [write_end])
                answer = self._answer(timeout)
            except (OSError, ValueError):
                os.close(read_end)
                self._restart()
                return None
            finally:
                os.close(write_end)
        # outside the lock: a child that has ended already asks for its exit code
        return ForkedProcess(int(answer["pid"]), os.fdopen(read_end, "rb"), self)

    def exit_code(self, pid: int) -> int | None:
        """The exit code of an ended child, as the fork server reaped it; None if unknown."""
        with self._lock:
            if self._control is None:
                return None
            try:
                self._control.sendall(json.dumps({"status": pid}).encode())
                return self._answer(STATUS_SECONDS).get("code")
            except (OSError, ValueError):
                return None

    def _answer(self, timeout: float) -> dict[str, Any]:
        assert self._control is not None
        if not _readable(self._control.fileno(), timeout):
            raise OSError("the mock fork server did not answer")
        data = self._control.recv(4096)
        if not data:
            raise OSError("the mock fork server has ended")
        return json.loads(data)

    def _restart(self) -> None:
        self._end()
        parent_end, child_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            self._process = popen_tied(
                [sys.executable, *MOCK_MODULE, "--zygote"],
                stdin=child_end,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
            )
        except OSError:
            parent_end.close()
            return
        finally:
            child_end.close()
        self._control = parent_end

    def _end(self) -> None:
        control, self._control = self._control, None
        process, self._process = self._process, None
        if control is not None:
            control.close()  # the fork server ends when its socket closes
        if process is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(2)

    def discard(self) -> None:
        """Ends the fork server and with it any mock it forked (the run is ending)."""
        with self._lock:
            self._end()


ZYGOTES = ForkServer()
atexit.register(ZYGOTES.discard)
