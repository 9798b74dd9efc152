"""Comparing a run with a stored baseline: total and per-phase times, the slowest nodes'
times and peak VRAM. Plain data in, plain data out; the keyword decides what to say."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ComfyLibrary.errors import ComfyError
from ComfyLibrary.files import write_file
from ComfyLibrary.report.runs import RunRecord

SLOWEST_NODES = 5


def figures(record: RunRecord) -> dict[str, Any]:
    """What a baseline keeps of a run."""
    slowest = sorted(
        (n for n in record.nodes if not n.get("cached")), key=lambda n: n["seconds"], reverse=True
    )[:SLOWEST_NODES]
    vram = (record.memory.get("vram") or {}).get("peak")
    return {
        "workflow": record.workflow,
        "total": record.total,
        "phases": dict(record.phases),
        "nodes": {f"{n['node']} ({n['class_type']})": n["seconds"] for n in slowest},
        "peak_vram": vram,
    }


def write(path: Path, record: RunRecord) -> dict[str, Any]:
    data = figures(record)
    write_file(path, json.dumps(data, indent=2) + "\n", "the baseline")
    return data


def read(path: Path) -> dict[str, Any]:
    """A stored baseline, or one clear error when the file is not one."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ComfyError(
            f"Baseline {path} cannot be read ({exc}): delete it to write a new one."
        ) from None
    if not isinstance(data, dict):
        raise ComfyError(f"Baseline {path} is not a baseline (a JSON object): delete it.")
    return data


def regressions(
    baseline: dict[str, Any], current: dict[str, Any], tolerance: float, min_seconds: float
) -> list[str]:
    """One phrase per figure that grew by more than ``tolerance`` (a fraction) and, for
    times, by more than ``min_seconds`` too (milliseconds of noise are not regressions)."""
    found = []

    def compare_time(label: str, before: float | None, now: float | None) -> None:
        if before is None or now is None:
            return
        if now > before * (1 + tolerance) and now - before > min_seconds:
            found.append(f"{label} {_time(now)} is {_percent(now, before)} over {_time(before)}")

    compare_time("total", baseline.get("total"), current.get("total"))
    for phase, before in (baseline.get("phases") or {}).items():
        compare_time(f"phase {phase}", before, (current.get("phases") or {}).get(phase))
    now_nodes = current.get("nodes") or {}
    for node, before in (baseline.get("nodes") or {}).items():
        compare_time(f"node {node}", before, now_nodes.get(node))
    before_vram, now_vram = baseline.get("peak_vram"), current.get("peak_vram")
    if before_vram and now_vram and now_vram > before_vram * (1 + tolerance):
        found.append(
            f"peak VRAM {_gib(now_vram)} is {_percent(now_vram, before_vram)} over "
            f"{_gib(before_vram)}"
        )
    return found


def _time(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 10 else f"{seconds:.1f} s"


def _gib(size: int) -> str:
    return f"{size / 1024**3:.2f} GiB"


def _percent(now: float, before: float) -> str:
    return f"{(now / before - 1) * 100:.0f}%" if before else "infinitely"
