"""The matrix's combined report: every test of suites/real with a column per ComfyUI version.

  python scripts/matrix_report.py RESULTS OUTPUT.xml...

Writes RESULTS/matrix.html and RESULTS/matrix.md and prints the Markdown table. Exits 1
when a test failed, or was skipped for another reason than a version requirement (`Require
ComfyUI Version`, whose skips say "Requires ComfyUI ..."): that is the only skip allowed.
"""

from __future__ import annotations

import sys
from html import escape
from pathlib import Path

from robot.api import ExecutionResult

ALLOWED_SKIP = "Requires ComfyUI "


def main() -> int:
    results = Path(sys.argv[1])
    columns: list[str] = []
    cells: dict[str, dict[str, tuple[str, str]]] = {}
    bad: list[str] = []
    for output in sys.argv[2:]:
        result = ExecutionResult(output)
        version = result.suite.name.removeprefix("ComfyUI ")
        columns.append(version)
        for test in result.suite.all_tests:
            name = test.full_name.removeprefix(result.suite.full_name + ".")
            cells.setdefault(name, {})[version] = (test.status, test.message)
            if test.failed or (test.skipped and not test.message.startswith(ALLOWED_SKIP)):
                bad.append(f"{version}: {name}: {test.status} {test.message[:200]}")
    counts = {
        v: {
            s: sum(1 for c in cells.values() if c.get(v, ("", ""))[0] == s)
            for s in ("PASS", "FAIL", "SKIP")
        }
        for v in columns
    }
    lines = ["| test | " + " | ".join(f"ComfyUI {v}" for v in columns) + " |"]
    lines.append("| --- |" + " --- |" * len(columns))
    for name, row in cells.items():
        shown = [_short(row.get(v)) for v in columns]
        lines.append(f"| {name} | " + " | ".join(shown) + " |")
    lines.append(
        "| **passed / failed / skipped** | "
        + " | ".join(f"{c['PASS']} / {c['FAIL']} / {c['SKIP']}" for c in counts.values())
        + " |"
    )
    markdown = "\n".join(lines) + "\n"
    (results / "matrix.md").write_text(markdown, encoding="utf-8")
    (results / "matrix.html").write_text(_html(columns, cells, counts), encoding="utf-8")
    print(markdown)
    for line in bad:
        print(f"matrix: {line}")
    return 1 if bad else 0


def _short(cell: tuple[str, str] | None) -> str:
    if cell is None:
        return "-"
    status, message = cell
    return status if status == "PASS" else f"{status}: {message[:80]}"


def _html(columns: list[str], cells: dict, counts: dict) -> str:
    colours = {"PASS": "#e2f5e2", "FAIL": "#fde2e2", "SKIP": "#fff4d6"}
    head = "".join(f"<th>ComfyUI {escape(v)}</th>" for v in columns)
    rows = []
    for name, row in cells.items():
        tds = []
        for version in columns:
            status, message = row.get(version, ("-", ""))
            colour = colours.get(status, "#fff")
            tds.append(
                f'<td style="background:{colour}" title="{escape(message)}">{escape(status)}'
                + (
                    f"<br><small>{escape(message[:160])}</small>"
                    if message and status != "PASS"
                    else ""
                )
                + "</td>"
            )
        rows.append(f"<tr><td>{escape(name)}</td>{''.join(tds)}</tr>")
    total = "".join(f"<td>{c['PASS']} / {c['FAIL']} / {c['SKIP']}</td>" for c in counts.values())
    rows.append(f"<tr><th>passed / failed / skipped</th>{total}</tr>")
    style = "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2em .5em}"
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>ComfyUI version matrix"
        f"</title><style>{style}</style></head><body><h1>suites/real on each ComfyUI version</h1>"
        f"<table><tr><th>test</th>{head}</tr>{''.join(rows)}</table></body></html>"
    )


if __name__ == "__main__":
    sys.exit(main())
