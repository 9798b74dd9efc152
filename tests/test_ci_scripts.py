"""The scripts the CI templates call, run for real: failed real tests are rerun once and
both results are merged into one visible report."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_script(tmp_path: Path, suites: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(ROOT / "scripts" / "run-real-suites.sh")],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={
            **os.environ,
            "OUTDIR": str(tmp_path / "results"),
            "SUITES": str(suites),
            "ROBOT_ARGS": f"--variable MARKER:{tmp_path / 'marker'}",
            "PABOT_ARGS": "--processes 2",
            "BIN": str(Path(sys.executable).parent.relative_to(ROOT))
            if Path(sys.executable).is_relative_to(ROOT)
            else str(Path(sys.executable).parent),
        },
    )


def statuses(output: Path) -> dict[str, tuple[str, str]]:
    found = {}
    for test in ET.parse(output).iter("test"):
        status = test.find("status")
        assert status is not None
        found[test.get("name", "")] = (status.get("status", ""), status.text or "")
    return found


def test_a_flaky_test_is_rerun_once_and_the_report_shows_both_results(tmp_path):
    suites = tmp_path / "suites"
    suites.mkdir()
    (suites / "flaky.robot").write_text(
        textwrap.dedent(
            """\
            *** Test Cases ***
            Steady
                Log    fine

            Flaky
                ${seen} =    Run Keyword And Return Status    File Should Exist    ${MARKER}
                Create File    ${MARKER}
                Should Be True    ${seen}    failed the first time

            *** Settings ***
            Library    OperatingSystem
            """
        )
    )
    run = run_script(tmp_path, suites)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "running them once more" in run.stdout
    merged = statuses(tmp_path / "results" / "output.xml")
    assert merged["Steady"][0] == "PASS"
    status, message = merged["Flaky"]
    assert status == "PASS"
    assert "Test has been re-executed and results merged" in message
    assert "failed the first time" in message  # the first failure stays visible
    assert (tmp_path / "results" / "xunit.xml").exists()
    assert (tmp_path / "results" / "log.html").exists()


def test_a_test_that_fails_twice_stays_red(tmp_path):
    suites = tmp_path / "suites"
    suites.mkdir()
    (suites / "broken.robot").write_text(
        "*** Test Cases ***\nBroken\n    Fail    broken every time\n\nFine\n    Log    ok\n"
    )
    run = run_script(tmp_path, suites)
    assert run.returncode == 1, run.stdout + run.stderr
    merged = statuses(tmp_path / "results" / "output.xml")
    assert merged["Broken"][0] == "FAIL"
    assert merged["Fine"][0] == "PASS"
