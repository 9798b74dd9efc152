"""``comfy-upgrade-report OLD NEW``: the upgrade report between two ComfyUI servers (URLs of
real servers or mocks, or profile files), written as ``upgrade-report.json`` and a
standalone ``upgrade-report.html``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from ComfyLibrary.errors import ComfyError
from ComfyLibrary.upgrade import fingerprint
from ComfyLibrary.upgrade.html import render
from ComfyLibrary.upgrade.report import build_report
from ComfyLibrary.upgrade.sides import read_side


def compare_servers(
    old: str,
    new: str,
    out: Path,
    workflows: Path | None = None,
    references: Path | None = None,
    runs: tuple[Path, Path] | None = None,
    protocol: bool = True,
    timeout: float = 60.0,
) -> tuple[dict[str, Any], Path, Path]:
    """Builds the report and writes it into ``out``; returns it and the two files."""
    for given, what in ((workflows, "workflows folder"), (references, "references folder")):
        if given is not None and not Path(given).is_dir():
            raise ComfyError(f"The {what} {given} does not exist: give a folder.")
    for given in runs or ():
        if not Path(given).is_file():
            raise ComfyError(f"The run report {given} does not exist: give a run-report.json.")
    old_side, new_side = read_side(old, timeout), read_side(new, timeout)
    checks = None
    if protocol and old_side.url and new_side.url:
        checks = fingerprint.compare(
            fingerprint.fingerprint(old_side.url, timeout),
            fingerprint.fingerprint(new_side.url, timeout),
        )
    report = build_report(old_side, new_side, workflows, references, runs, checks)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    json_path, html_path = out / "upgrade-report.json", out / "upgrade-report.html"
    json_path.write_text(json.dumps(report, indent=1, default=str) + "\n", encoding="utf-8")
    html_path.write_text(render(report), encoding="utf-8")
    return report, json_path, html_path


def one_line(report: dict[str, Any]) -> str:
    found = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in report["summary"].items())
    return (
        f"ComfyUI {report['old']['comfyui_version']} -> {report['new']['comfyui_version']} "
        f"(changed: {report['what_changed']}): {found}"
    )


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="comfy-upgrade-report",
        description="What changes between two ComfyUI servers (URLs of real servers or "
        "mocks, or profiles from 'comfy-mock capture'): node catalog, your workflows, "
        "outputs, time, protocol and custom node packs. Writes upgrade-report.json and a "
        "standalone upgrade-report.html. Asking a server's protocol runs one tiny model-free "
        "prompt on it (--no-protocol leaves that out).",
    )
    p.add_argument("old", help="the current server: URL or profile file")
    p.add_argument("new", help="the next server: URL or profile file")
    p.add_argument("--workflows", type=Path, help="a folder of your workflows (API or editor)")
    p.add_argument(
        "--references", type=Path, help="per-version references: DIR/<version>/<file>.png"
    )
    p.add_argument(
        "--runs",
        type=Path,
        nargs=2,
        metavar=("OLD_REPORT", "NEW_REPORT"),
        help="the run-report.json of the same suite run against each side",
    )
    p.add_argument("--out", type=Path, default=Path("."), help="where to write (default .)")
    p.add_argument("--no-protocol", action="store_true", help="do not ask the protocol")
    p.add_argument("--timeout", type=float, default=60.0, help="seconds per request")
    args = p.parse_args(argv)
    try:
        report, json_path, html_path = compare_servers(
            args.old,
            args.new,
            args.out,
            args.workflows,
            args.references,
            tuple(args.runs) if args.runs else None,
            not args.no_protocol,
            args.timeout,
        )
    except (ComfyError, OSError) as exc:
        print(f"comfy-upgrade-report: {exc}", file=sys.stderr)
        return 2
    print(one_line(report))
    print(f"{json_path}\n{html_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
