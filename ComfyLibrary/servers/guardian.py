"""A guardian process that removes this run's containers if the library's process dies.

Containers are not children of the Robot process, so nothing the kernel does ends them
when Robot is killed with SIGKILL. The guardian is a small process of its own (its own
session, deaf to Ctrl-C) that holds the read end of a pipe from the library: when the
library's process ends, however it ends, the pipe closes, and the guardian removes every
container labelled with the run's id. A library that ends normally has already removed
them; the guardian then finds none and exits.

Run as ``python -m ComfyLibrary.servers.guardian <label>=<value>``.
"""

from __future__ import annotations

import contextlib
import signal
import subprocess
import sys
import threading


class Guardian:
    """The library's side: starts the guardian once, on first use."""

    def __init__(self) -> None:
        self._process: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()

    def watch_label(self, label: str) -> None:
        """Makes sure a guardian runs that removes containers with ``label`` (``key=value``)."""
        with self._lock:
            if self._process is not None and self._process.poll() is None:
                return
            self._process = subprocess.Popen(
                [sys.executable, "-m", "ComfyLibrary.servers.guardian", label],
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )

    def close(self) -> None:
        """Lets the guardian go (the containers are gone already)."""
        with self._lock:
            process, self._process = self._process, None
        if process is not None and process.stdin is not None:
            with contextlib.suppress(OSError):
                process.stdin.close()
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=5)


GUARDIAN = Guardian()


def remove_containers(label: str) -> int:
    """Removes every container carrying ``label``; returns how many."""
    try:
        import docker

        client = docker.from_env(timeout=30)
        containers = client.containers.list(all=True, filters={"label": label})
    except Exception:  # no engine, no SDK: nothing this process can remove
        return 0
    removed = 0
    for container in containers:
        with contextlib.suppress(Exception):
            container.remove(force=True)
            removed += 1
    return removed


def main(argv: list[str]) -> int:
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.SIG_IGN)  # only the closing pipe ends the guardian
    label = argv[0]
    with contextlib.suppress(OSError):
        while sys.stdin.buffer.read(4096):
            pass
    remove_containers(label)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
