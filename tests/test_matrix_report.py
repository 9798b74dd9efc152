"""The matrix's combined report (scripts/matrix_report.py) over real Robot outputs: a column
per version, and a red exit for a failure or for any skip but a version requirement."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import robot

ROOT = Path(__file__).resolve().parents[1]
SUITE = """*** Test Cases ***
Works Everywhere
    No Operation

Needs A Newer ComfyUI
    Skip If    ${OLD}    Requires ComfyUI >=0.8: this server is ComfyUI 0.3.64.

Skipped For Another Reason
    Skip If    ${OTHER}    No browser here.
"""


def outputs(tmp_path: Path, other: bool) -> list[str]:
    suite = tmp_path / "real.robot"
    suite.write_text(SUITE)
    made = []
    for version, old in (("0.3.64", True), ("0.8.0", False)):
        out = tmp_path / version
        robot.run(
            str(suite),
            name=f"ComfyUI {version}",
            outputdir=str(out),
            variable=[f"OLD:{old}", f"OTHER:{other}"],
            log="NONE",
            report="NONE",
            stdout=open(tmp_path / "robot.txt", "w"),  # noqa: SIM115 - closed with the run
        )
        made.append(str(out / "output.xml"))
    return made


def report(tmp_path: Path, other: bool) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            str(ROOT / "scripts" / "matrix_report.py"),
            str(tmp_path),
            *outputs(tmp_path, other),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_version_requirement_is_the_only_skip_that_stays_green(tmp_path):
    done = report(tmp_path, other=False)
    assert done.returncode == 0, done.stdout
    table = (tmp_path / "matrix.md").read_text()
    assert "| test | ComfyUI 0.3.64 | ComfyUI 0.8.0 |" in table
    assert "| Works Everywhere | PASS | PASS |" in table
    assert "| Needs A Newer ComfyUI | SKIP: Requires ComfyUI >=0.8" in table
    assert "ComfyUI 0.8.0" in (tmp_path / "matrix.html").read_text()


def test_another_skip_turns_the_matrix_red_and_is_named(tmp_path):
    done = report(tmp_path, other=True)
    assert done.returncode == 1
    assert "matrix: 0.3.64: Skipped For Another Reason: SKIP No browser here." in done.stdout
