"""Seed 004's test types are tags: ``robot --include <type>`` picks tests of each."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("test_type", ["connection", "image", "video", "audio", "pipeline"])
def test_every_test_type_selects_tests(tmp_path, test_type):
    run = subprocess.run(
        [sys.executable, "-m", "robot", "--dryrun", "--include", test_type,
         "--output", "NONE", "--log", "NONE", "--report", "NONE", str(ROOT / "suites")],
        capture_output=True, text=True, check=False, cwd=tmp_path,
    )  # fmt: skip
    totals = re.findall(r"^(\d+) tests?, \d+ passed", run.stdout, re.MULTILINE)
    assert totals, run.stdout[-1500:]
    assert int(totals[-1]) >= 1
