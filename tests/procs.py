"""Process inspection helpers for tests (Linux /proc)."""

from __future__ import annotations

import os
import time
from pathlib import Path


def alive(pid: int) -> bool:
    """True if ``pid`` exists and is not a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _processes() -> dict[int, tuple[int, str]]:
    """One scan of /proc: pid -> (parent pid, command line)."""
    found: dict[int, tuple[int, str]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        found[int(entry)] = (int(stat.rsplit(")", 1)[1].split()[1]), cmdline)
    return found


def children(parent: int, marker: str) -> list[int]:
    """Pids whose parent is ``parent`` and whose command line contains ``marker``."""
    return [
        pid for pid, (ppid, cmdline) in _processes().items() if ppid == parent and marker in cmdline
    ]


def wait_until(condition, timeout: float, interval: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    return condition()


IDLE_ROBOT_IMPORT = 0.35  # seconds to import robot in a new interpreter, idle 2-core machine


def pace() -> float:
    """How many times slower than an idle machine this one is now (at least 1): a new
    interpreter importing Robot Framework, timed (best of three) against its idle time.
    Bounds on process lifetimes scale with it instead of being constants that a busy CI
    runner breaks."""
    import subprocess
    import sys

    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import robot.running"], check=True)
        best = min(best, time.perf_counter() - started)
    return max(1.0, best / IDLE_ROBOT_IMPORT)


def descendants(root: int) -> dict[int, str]:
    """Every process below ``root``: pid -> command line."""
    processes = _processes()
    found: dict[int, str] = {}
    frontier = [root]
    while frontier:
        parent = frontier.pop()
        for pid, (ppid, cmdline) in processes.items():
            if ppid == parent and pid not in found:
                found[pid] = cmdline
                frontier.append(pid)
    return found


def robot_command(suite: Path, output_dir: Path, *options: str) -> list[str]:
    """The command line that runs one Robot suite file into ``output_dir``."""
    import sys

    return [sys.executable, "-m", "robot", "--outputdir", str(output_dir), *options, str(suite)]


def run_robot(suite: Path, output_dir: Path, *options: str, timeout: float = 120):
    """Runs one suite to its end; returns the completed process (stdout as text)."""
    import subprocess

    return subprocess.run(
        robot_command(suite, output_dir, *options),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        cwd=Path(__file__).resolve().parents[1],
    )
