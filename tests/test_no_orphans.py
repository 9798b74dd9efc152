"""Killing Robot with SIGKILL mid-suite leaves no mock server behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.procs import alive, children, robot_command, wait_until

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


def test_robot_test_timeout_during_start_comfyui_server_leaves_nothing_behind(tmp_path):
    suite = tmp_path / "timeout.robot"
    stand_in = ROOT / "resources" / "fixtures" / "stand_in_comfyui.py"
    suite.write_text(f"""*** Settings ***
Library    ComfyLibrary

*** Test Cases ***
Start Up Takes Longer Than The Test May
    [Timeout]    2s
    Start ComfyUI Server    command={{python}} {stand_in} --port {{port}} --startup-seconds 60
""")
    robot = subprocess.Popen(
        robot_command(suite, tmp_path / "out"),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        started = wait_until(lambda: children(robot.pid, "stand_in_comfyui"), timeout=30)
        assert started, "the stand-in server was never started"
        output, _ = robot.communicate(timeout=60)
        assert robot.returncode == 1, output.decode()
        assert b"Test timeout 2 seconds exceeded" in output
        gone = wait_until(lambda: not any(alive(pid) for pid in started), timeout=5)
        assert gone, f"the stand-in outlived the timed-out test: {started}"
    finally:
        if robot.poll() is None:
            robot.kill()


THREAD_SCRIPT = """
import sys, threading, time
from pathlib import Path
from ComfyLibrary.servers import ServerProcess, mock_command
from ComfyLibrary.servers.ports import free_port

def start():
    port = free_port()
    server = ServerProcess(mock_command(port), port, Path(sys.argv[1]), "threaded")
    server.start(15)
    print(server.pid, flush=True)

worker = threading.Thread(target=start)
worker.start()
worker.join()  # the thread that asked for the server has ended
print("thread-ended", flush=True)
time.sleep(600)
"""


def test_a_server_started_from_a_thread_lives_as_long_as_the_process(tmp_path):
    script = tmp_path / "threaded.py"
    script.write_text(THREAD_SCRIPT)
    owner = subprocess.Popen(
        [sys.executable, str(script), str(tmp_path / "threaded.log")],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert owner.stdout is not None
        server_pid = int(owner.stdout.readline())
        assert owner.stdout.readline().strip() == "thread-ended"
        # the parent-death signal used to fire here, when the creating thread ended
        assert not wait_until(lambda: not alive(server_pid), timeout=1.0), (
            "the server died with the thread that started it"
        )
        os.kill(owner.pid, signal.SIGKILL)
        owner.wait(10)
        assert wait_until(lambda: not alive(server_pid), timeout=5), (
            "the server outlived the process that started it"
        )
    finally:
        if owner.poll() is None:
            owner.kill()


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_stopping_robot_mid_wait_stops_its_servers(tmp_path, sig):
    suite = tmp_path / "waiting.robot"
    suite.write_text(f"""*** Settings ***
Resource    {ROOT / "resources" / "comfy.resource"}

*** Test Cases ***
A Long Wait
    ${{url}} =    Start Mock Server    stall=True
    Connect To ComfyUI    ${{url}}
    Submit Workflow    empty_image_save.json
    Wait For Completion    timeout=10 minutes
""")
    robot = subprocess.Popen(
        robot_command(suite, tmp_path / "out"),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        mocks = wait_until(lambda: children(robot.pid, "ComfyLibrary.mock"), timeout=30)
        assert mocks, "the suite never started a mock server"
        wait_until(
            lambda: any(
                "ready at" in log.read_text() for log in tmp_path.glob("out/comfy/servers/*.log")
            ),
            timeout=30,
        )
        os.kill(robot.pid, sig)
        robot.wait(10)
        assert wait_until(lambda: not any(alive(pid) for pid in mocks), timeout=5)
        assert (tmp_path / "out" / "output.xml").exists(), "Robot did not stop gracefully"
    finally:
        if robot.poll() is None:
            robot.kill()
