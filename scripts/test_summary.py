"""The end of `make test`: every lane with its passed, failed and skipped tests, and the
reason of each skip, so that a skipped lane never reads as green.

  python scripts/test_summary.py RESULTS
"""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from robot.api import ExecutionResult

LANES = (
    ("pytest", "pytest.xml"),
    ("robot suites/", "output.xml"),
    ("pabot suites/mock", "pabot/output.xml"),
    ("floor (oldest Robot Framework)", "rf-*/output.xml"),
    ("real lane", "real/output.xml"),
    ("matrix", "matrix/*/output.xml"),
)


def robot_counts(path: Path) -> tuple[int, int, int, list[str]]:
    result = ExecutionResult(str(path))
    tests = list(result.suite.all_tests)
    skips = [f"{t.full_name}: {t.message}" for t in tests if t.skipped]
    return (
        sum(t.passed for t in tests),
        sum(t.failed for t in tests),
        len(skips),
        skips,
    )


def pytest_counts(path: Path) -> tuple[int, int, int, list[str]]:
    root = ET.parse(path).getroot()
    cases = list(root.iter("testcase"))
    failed = [c for c in cases if c.find("failure") is not None or c.find("error") is not None]
    skipped = [c for c in cases if c.find("skipped") is not None]
    reasons = []
    for case in skipped:
        skip = case.find("skipped")
        message = skip.get("message", "") if skip is not None else ""
        reasons.append(f"{case.get('classname')}.{case.get('name')}: {message}")
    return len(cases) - len(failed) - len(skipped), len(failed), len(skipped), reasons


def main() -> int:
    results = Path(sys.argv[1])
    print("\nmake test, lane by lane:")
    print(f"  {'lane':34} {'passed':>7} {'failed':>7} {'skipped':>8}")
    reasons: list[str] = []
    for lane, pattern in LANES:
        files = sorted(results.glob(pattern))
        skipped_lane = results / Path(pattern).parts[0] / "skipped.txt"
        if not files:
            why = skipped_lane.read_text().strip() if skipped_lane.is_file() else "no results"
            print(f"  {lane:34} {'-':>7} {'-':>7} {'all':>8}")
            reasons.append(f"{lane}: {why}")
            continue
        totals = [0, 0, 0]
        for file in files:
            counts = (
                pytest_counts(file)
                if file.suffix == ".xml" and lane == "pytest"
                else robot_counts(file)
            )
            for index in range(3):
                totals[index] += counts[index]
            reasons += [f"{lane}: {r}" for r in counts[3]]
        print(f"  {lane:34} {totals[0]:>7} {totals[1]:>7} {totals[2]:>8}")
    if reasons:
        print("skipped, and why:")
        for line in reasons:
            print(f"  - {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
