"""Killing Robot with SIGKILL mid-suite leaves no mock server behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from tests.procs import alive, children, wait_until

ROOT = Path(__file__).resolve().parents[1]


def test_sigkill_of_robot_during_smoke_suite_leaves_no_mock_alive(tmp_path):
    robot = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "robot",
            "--outputdir",
            str(tmp_path),
            "--loglevel",
            "DEBUG",
            str(ROOT / "suites" / "mock" / "smoke.robot"),
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        mocks = wait_until(lambda: children(robot.pid, "ComfyLibrary.mock"), timeout=30)
        assert mocks, "the smoke suite never started a mock server"
        ready = wait_until(
            lambda: any(
                "ready at" in log.read_text() for log in tmp_path.glob("comfy/servers/*.log")
            ),
            timeout=30,
        )
        assert ready, "the mock server never became ready"
        assert robot.poll() is None, "robot ended before it could be killed"
        os.kill(robot.pid, signal.SIGKILL)
        robot.wait(10)
        gone = wait_until(lambda: not any(alive(pid) for pid in mocks), timeout=5)
        assert gone, f"mock servers outlived robot: {[p for p in mocks if alive(p)]}"
    finally:
        if robot.poll() is None:
            robot.kill()
