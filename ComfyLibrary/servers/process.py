"""One ComfyUI server process (the mock or a real ComfyUI) and its whole lifecycle."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from pathlib import Path

from ComfyLibrary.errors import ServerStartError
from ComfyLibrary.servers import zygote
from ComfyLibrary.servers.ports import port_holder, port_is_free
from ComfyLibrary.servers.readiness import http_answers, wait_until_ready
from ComfyLibrary.servers.spawn import popen_tied


def mock_folders(root: Path) -> dict[str, Path]:
    """Output, input and temp folders for a mock under ``root`` (a mock given no folders
    makes a private one, which a killed mock cannot remove)."""
    return {
        "output_directory": root / "output",
        "input_directory": root / "input",
        "temp_directory": root / "temp",
    }


def mock_command(
    port: int, host: str = "127.0.0.1", options: Mapping[str, object] | None = None
) -> list[str]:
    """The command line that starts the mock server with the given options."""
    command = [sys.executable, "-m", "ComfyLibrary.mock", "--listen", host, "--port", str(port)]
    for name, value in (options or {}).items():
        if value is None or value is False:
            continue
        flag = "--" + name.replace("_", "-")
        command.extend([flag] if value is True else [flag, str(value)])
    return command


class LogPump(threading.Thread):
    """Copies a child's output into its log file, each line prefixed with the server's name."""

    def __init__(self, stream, log_path: Path, prefix: str, keep: int = 200):
        super().__init__(name=f"log-{prefix}", daemon=True)
        self.stream = stream
        self.log_path = log_path
        self.prefix = prefix
        self.tail: deque[str] = deque(maxlen=keep)
        self.output = threading.Event()  # set at each line: a start-up may have ended

    def run(self) -> None:
        with self.log_path.open("a", encoding="utf-8") as log:
            for raw in iter(self.stream.readline, b""):
                line = raw.decode(errors="replace").rstrip("\n")
                self.tail.append(line)
                log.write(f"[{self.prefix}] {line}\n")
                log.flush()
                self.output.set()
        self.stream.close()
        self.output.set()


class ServerProcess:
    """A server started as its own process group, ready when ``GET /system_stats`` answers."""

    def __init__(
        self,
        command: list[str],
        port: int,
        log_path: Path,
        name: str,
        host: str = "127.0.0.1",
        env: dict[str, str] | None = None,
        cwd: str | Path | None = None,
        kind: str = "mock",
    ):
        self.command = command
        self.port = port
        self.host = host
        self.log_path = log_path
        self.name = name
        self.env = env
        self.cwd = cwd
        self.kind = kind
        self.process: subprocess.Popen[bytes] | zygote.ForkedProcess | None = None
        self._pump: LogPump | None = None
        self.started_at: float | None = None
        self.ready_seconds: float | None = None
        self.frozen = False
        self.on_dispose: list[Callable[[], None]] = []  # run when the server is disposed of
        self.control_token: str | None = None  # the mock's control-route token, if it has one

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def is_running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def log_tail(self, lines: int = 20) -> list[str]:
        return list(self._pump.tail)[-lines:] if self._pump else []

    def start(self, ready_timeout: float = 30.0) -> float:
        """Starts the process and waits until it serves; returns the seconds it took."""
        if self.is_running():
            raise ServerStartError(f"Server {self.name} is already running at {self.url}")
        if not port_is_free(self.port, self.host):
            holder = port_holder(self.port)
            raise ServerStartError(
                f"Port {self.port} on {self.host} is already in use"
                + (f" by {holder}" if holder else "")
                + ": stop that process or choose another port."
            )
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        env = dict(os.environ if self.env is None else {**os.environ, **self.env})
        env.setdefault("PYTHONUNBUFFERED", "1")
        self.started_at = time.monotonic()
        try:
            self.process = self._from_zygote(env, ready_timeout) or popen_tied(
                self.command,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=env,
                cwd=self.cwd,
            )
        except OSError as exc:
            raise ServerStartError(
                f"Cannot start server {self.name} with '{self.command[0]}': {exc.strerror or exc}"
            ) from None
        self.frozen = False
        self._pump = LogPump(self.process.stdout, self.log_path, f"Server {self.name}")
        self._pump.start()
        try:
            self.wait_until_ready(ready_timeout)
        except BaseException:  # a failed start or a Robot timeout: never leave it running
            self.kill()
            raise
        self.ready_seconds = time.monotonic() - self.started_at
        return self.ready_seconds

    def _from_zygote(
        self, env: dict[str, str], ready_timeout: float
    ) -> zygote.ForkedProcess | None:
        """A mock forked from the warm fork server, or None (start it cold). A fork server
        that does not answer within half the start's time is replaced, and the start is cold."""
        if self.kind != "mock" or not zygote.enabled() or not zygote.is_mock_command(self.command):
            return None
        return zygote.ZYGOTES.fork(self.command, env, self.cwd, timeout=ready_timeout / 2)

    def answers(self, timeout: float = 1.0) -> bool:
        """Whether ``GET /system_stats`` answers 200 right now."""
        return http_answers(self.host, self.port, timeout)

    def wait_until_ready(self, timeout: float) -> None:
        def exit_description() -> str:
            code = self.process.wait() if self.process else None
            if self._pump:
                self._pump.join(timeout=1)
            return f"exited with code {code}"

        wait_until_ready(
            self.name,
            self.host,
            self.port,
            timeout,
            self.is_running,
            exit_description,
            self._tail_text,
            self.kill,
            self._pump.output if self._pump else None,
        )

    def _tail_text(self) -> str:
        tail = self.log_tail(8)
        return " | ".join(tail) if tail else "(no output)"

    def _signal_group(self, sig: int) -> None:
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, sig)

    def kill(self) -> None:
        """SIGKILL to the whole process group: a crash. Safe to call when already stopped."""
        if self.process is None:
            return
        self._signal_group(signal.SIGKILL)
        self._reap(timeout=5)

    def stop(self, timeout: float = 10.0) -> bool:
        """SIGTERM, wait up to ``timeout``, then SIGKILL. Returns True if it ended gracefully."""
        if self.process is None or self.process.poll() is not None:
            self._reap(timeout=1)
            return True
        if self.frozen:
            self._signal_group(signal.SIGCONT)
        self._signal_group(signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            return False
        self._signal_group(signal.SIGKILL)  # children left in the group
        self._reap(timeout=1)
        return True

    def freeze(self) -> None:
        """SIGSTOP: the socket still accepts connections but nothing answers."""
        self._signal_group(signal.SIGSTOP)
        self.frozen = True

    def thaw(self) -> None:
        self._signal_group(signal.SIGCONT)
        self.frozen = False

    def _reap(self, timeout: float) -> None:
        if self.process is None:
            return
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout)
        if self._pump is not None:
            self._pump.join(timeout=1)
