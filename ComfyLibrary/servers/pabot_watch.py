"""Under pabot: when pabot itself dies, its Robot processes and PabotLib must not run on.

pabot starts each Robot process in a session of its own and PabotLib in another, so a
SIGKILL or SIGTERM on pabot reaches neither. A Robot process that imports the library
watches its parent: once pabot is gone it stops the servers it started, ends pabot's
other children (PabotLib included, recognised by their command line and start time),
and stops itself: gracefully first, as Robot does on a signal, then for good.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path

POLL_SECONDS = 0.25
GRACE_SECONDS = 3.0


def _cmdline(pid: int) -> list[str]:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return []
    return [part.decode(errors="replace") for part in raw.split(b"\0") if part]


def _start_time(pid: int) -> str | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rpartition(")")[2].split()[19]  # field 22, counted after the name


def _parent_of(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat.rpartition(")")[2].split()[1])


def is_pabot(pid: int) -> bool:
    """Whether ``pid`` runs pabot (``pabot ...`` or ``python -m pabot.pabot ...``)."""
    return any(
        Path(part).name in ("pabot", "pabot.pabot") or part.endswith("/pabot/pabot.py")
        for part in _cmdline(pid)[:3]
    )


def children_of(parent: int) -> dict[int, str]:
    """The processes whose parent is ``parent``: pid -> start time."""
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and _parent_of(int(entry.name)) == parent:
            started = _start_time(int(entry.name))
            if started is not None:
                found[int(entry.name)] = started
    return found


class PabotWatch(threading.Thread):
    """Watches this process's pabot parent; ``on_orphaned`` stops what the library started."""

    def __init__(self, pabot_pid: int, on_orphaned: Callable[[], None]):
        super().__init__(name="comfy-pabot-watch", daemon=True)
        self.pabot_pid = pabot_pid
        self.on_orphaned = on_orphaned
        self.siblings: dict[int, str] = {}

    def run(self) -> None:
        refreshed = 0.0
        while os.getppid() == self.pabot_pid:
            now = time.monotonic()
            if now - refreshed > 2.0:
                known = children_of(self.pabot_pid)
                known.pop(os.getpid(), None)
                self.siblings = known
                refreshed = now
            time.sleep(POLL_SECONDS)
        self._orphaned()

    def _orphaned(self) -> None:
        with contextlib.suppress(Exception):
            self.on_orphaned()
        self._signal_siblings(signal.SIGTERM)
        os.kill(os.getpid(), signal.SIGTERM)  # Robot stops gracefully and writes its output
        time.sleep(GRACE_SECONDS)
        self._signal_siblings(signal.SIGKILL)
        os.kill(os.getpid(), signal.SIGTERM)  # a second signal: Robot stops at once
        time.sleep(GRACE_SECONDS)
        os._exit(3)

    def _signal_siblings(self, sig: int) -> None:
        for pid, started in self.siblings.items():
            if _start_time(pid) == started:  # the same process, not a reused pid
                with contextlib.suppress(OSError):
                    os.kill(pid, sig)


_WATCHERS: list[PabotWatch] = []


def watch_pabot_parent(on_orphaned: Callable[[], None]) -> PabotWatch | None:
    """Starts watching (once per process) when this process is a child of pabot."""
    if _WATCHERS:
        return _WATCHERS[0]
    parent = os.getppid()
    if not Path("/proc").is_dir() or not is_pabot(parent):
        return None
    watcher = PabotWatch(parent, on_orphaned)
    _WATCHERS.append(watcher)
    watcher.start()
    return watcher
