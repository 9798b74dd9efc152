"""Seed 004's test types are tags: ``robot --include <type>`` picks tests of each."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


TEST_TYPES = ["connection", "image", "video", "audio", "pipeline", "workflow", "library"]


def test_every_test_carries_its_test_type():
    from robot.api import TestSuiteBuilder

    suite = TestSuiteBuilder().build(str(ROOT / "suites"))
    untyped = [
        f"{t.source.name}: {t.name}" for t in suite.all_tests if not set(t.tags) & set(TEST_TYPES)
    ]
    assert not untyped, f"tests without one of the types {TEST_TYPES}: {untyped}"


@pytest.mark.parametrize("test_type", TEST_TYPES)
def test_every_test_type_selects_tests(tmp_path, test_type):
    run = subprocess.run(
        [sys.executable, "-m", "robot", "--dryrun", "--include", test_type,
         "--output", "NONE", "--log", "NONE", "--report", "NONE", str(ROOT / "suites")],
        capture_output=True, text=True, check=False, cwd=tmp_path,
    )  # fmt: skip
    totals = re.findall(r"^(\d+) tests?, \d+ passed", run.stdout, re.MULTILINE)
    assert totals, run.stdout[-1500:]
    assert int(totals[-1]) >= 1


def test_a_real_suite_run_on_the_mock_is_not_tagged_real_and_says_where_it_ran(tmp_path):
    from robot.api import ExecutionResult

    run = subprocess.run(
        [sys.executable, "-m", "robot", "--include", "real", "--test", "The Queue Can Be Read",
         "--outputdir", str(tmp_path), "--log", "NONE", "--report", "NONE",
         str(ROOT / "suites" / "real")],
        capture_output=True, text=True, check=False, cwd=tmp_path, timeout=300,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout[-1500:]
    result = ExecutionResult(str(tmp_path / "output.xml"))
    (test,) = list(result.suite.all_tests)
    assert "real" not in test.tags
    assert "ran-on-mock" in test.tags
    assert result.suite.metadata["Server"].startswith("mock ComfyUI at http://127.0.0.1:")
