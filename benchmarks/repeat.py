"""Runs the whole test suite several times in a row and prints the pass counts of each
round: pytest, then ``robot suites/``. A test that fails in one round of five is flaky.
Not part of CI (it takes a while); run it before calling a change deterministic.

Run: .venv/bin/python benchmarks/repeat.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def pytest_round() -> tuple[int, int, str]:
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    tail = run.stdout.strip().splitlines()[-1] if run.stdout.strip() else run.stderr
    passed = int(m.group(1)) if (m := re.search(r"(\d+) passed", tail)) else 0
    failed = int(m.group(1)) if (m := re.search(r"(\d+) failed", tail)) else 0
    failed += int(m.group(1)) if (m := re.search(r"(\d+) error", tail)) else 0
    names = [line for line in run.stdout.splitlines() if line.startswith(("FAILED", "ERROR"))]
    return passed, failed, "; ".join(names)


def robot_round() -> tuple[int, int, str]:
    out = Path(tempfile.mkdtemp(prefix="repeat-robot-"))
    run = subprocess.run(
        [sys.executable, "-m", "robot", "--outputdir", str(out), "--console", "dotted", "suites"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    match = re.search(r"(\d+) tests?, (\d+) passed, (\d+) failed", run.stdout)
    passed, failed = (int(match.group(2)), int(match.group(3))) if match else (0, 1)
    failures = []
    if (out / "output.xml").exists():
        for test in ET.parse(out / "output.xml").iter("test"):
            status = test.find("status")
            if status is not None and status.get("status") == "FAIL":
                failures.append(f"{test.get('name')}: {(status.text or '')[:120]}")
    return passed, failed, "; ".join(failures)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    clean = 0
    for number in range(1, args.rounds + 1):
        started = time.monotonic()
        py = pytest_round()
        rf = robot_round()
        ok = py[1] == 0 and rf[1] == 0
        clean += ok
        print(
            f"round {number}: pytest {py[0]} passed {py[1]} failed | robot suites/ {rf[0]} "
            f"passed {rf[1]} failed | {time.monotonic() - started:.0f} s"
            + ("" if ok else f" | failures: {py[2]} {rf[2]}"),
            flush=True,
        )
    print(f"{clean}/{args.rounds} rounds all green")
    return 0 if clean == args.rounds else 1


if __name__ == "__main__":
    sys.exit(main())
