"""Whatever stops a pabot run (SIGKILL, SIGTERM, Ctrl-C on pabot), nothing it started
runs on: not the mock servers, not pabot's Robot processes, not PabotLib."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.procs import alive, descendants, pace, wait_until

ROOT = Path(__file__).resolve().parents[1]
PABOT = Path(sys.executable).with_name("pabot")

SUITE = """*** Settings ***
Resource    {resource}

*** Test Cases ***
Three Servers And A Long Wait
    FOR    ${{index}}    IN RANGE    3
        ${{url}} =    Start Mock Server    stall=True
    END
    Connect To ComfyUI    ${{url}}
    Submit Workflow    empty_image_save.json
    Wait For Completion    timeout=10 minutes
"""


@pytest.fixture
def suites(tmp_path):
    folder = tmp_path / "suites"
    folder.mkdir()
    resource = ROOT / "resources" / "comfy.resource"
    for name in ("first", "second", "third"):
        (folder / f"{name}.robot").write_text(SUITE.format(resource=resource))
    return folder


@pytest.mark.skipif(not PABOT.exists() and not shutil.which("pabot"), reason="pabot not installed")
@pytest.mark.parametrize(
    "sig", [signal.SIGKILL, signal.SIGTERM, signal.SIGINT], ids=["SIGKILL", "SIGTERM", "SIGINT"]
)
def test_stopping_pabot_leaves_nothing_running(tmp_path, suites, sig):
    pabot = subprocess.Popen(
        [
            str(PABOT) if PABOT.exists() else "pabot",
            "--processes",
            "3",
            "--pabotlibport",
            "0",
            "--outputdir",
            str(tmp_path / "out"),
            str(suites),
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"},
    )
    started: dict[int, str] = {}
    try:

        def ready_logs() -> int:
            logs = (tmp_path / "out").rglob("comfy/servers/*.log")
            return sum("ready at" in log.read_text(errors="replace") for log in logs)

        def all_up():
            # nine mocks serving (the mocks' fork servers are there too: they count below)
            return descendants(pabot.pid) if ready_logs() >= 9 else None

        started = wait_until(all_up, timeout=90, interval=0.2) or {}
        kinds = " ".join(started.values())
        assert len([c for c in started.values() if "ComfyLibrary.mock" in c]) >= 9, kinds
        assert "pabot.pabotlib" in kinds, kinds
        slower = pace()
        os.kill(pabot.pid, sig)
        # What the library started (the mocks) ends with the Robot process that started
        # it, whatever stops that: within 10 s on an idle machine.
        mocks = {p: c for p, c in started.items() if "ComfyLibrary.mock" in c}
        bound = 10 * slower
        gone = wait_until(lambda: not any(alive(p) for p in mocks), timeout=bound, interval=0.2)
        left = {p: c[:80] for p, c in mocks.items() if alive(p)}
        assert gone, f"mocks still running {bound:.0f} s after {sig.name} on pabot: {left}"
        # PabotLib is pabot's: after Ctrl-C pabot keeps it for the Robot processes' graceful
        # stop, merges their results, then stops it (up to 5.5 s) before it exits itself.
        # So pabot's own exit is the moment nothing may be left.
        bound = 60 * slower
        try:
            pabot.wait(bound)
        except subprocess.TimeoutExpired:
            pytest.fail(f"pabot still running {bound:.0f} s after {sig.name}")
        gone = wait_until(lambda: not any(alive(p) for p in started), timeout=2, interval=0.1)
        left = {p: c[:80] for p, c in started.items() if alive(p)}
        assert gone, f"still running after pabot ended on {sig.name}: {left}"
    finally:
        if pabot.poll() is None:
            pabot.kill()
        pabot.wait(10)
        for pid in started:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
