"""What a run's WebSocket events and ``/system_stats`` say about it: per-node times,
sampling speed, memory at start, peak and end, and a timeline picture.

Events are anything with ``type``, ``data`` (a dict) and ``time`` (epoch seconds when
the client received it), as the client's event log records them."""

from __future__ import annotations

import html
import threading
from collections.abc import Callable, Iterable
from typing import Any, Protocol


class EventLike(Protocol):
    type: str
    data: Any
    time: float


def _of(event: EventLike, prompt_id: str) -> bool:
    return isinstance(event.data, dict) and event.data.get("prompt_id") == prompt_id


def node_timings(
    events: Iterable[EventLike], prompt_id: str, prompt: dict[str, Any]
) -> list[dict[str, Any]]:
    """Each node the prompt ran or took from the cache, in order: ``node``,
    ``class_type``, ``start`` (seconds after ``execution_start``), ``seconds``, ``cached``."""
    mine = [e for e in events if _of(e, prompt_id)]
    started = next((e.time for e in mine if e.type == "execution_start"), None)
    if started is None:
        return []
    timings: list[dict[str, Any]] = []

    def entry(node: str, start: float, seconds: float, cached: bool) -> dict[str, Any]:
        class_type = (prompt.get(node) or {}).get("class_type", "?")
        return {
            "node": node,
            "class_type": class_type,
            "start": round(start - started, 6),
            "seconds": round(max(0.0, seconds), 6),
            "cached": cached,
        }

    current: tuple[str, float] | None = None
    for event in mine:
        if event.type == "execution_cached":
            for node in event.data.get("nodes") or []:
                timings.append(entry(str(node), event.time, 0.0, True))
        elif event.type == "executing":
            if current is not None:
                timings.append(entry(current[0], current[1], event.time - current[1], False))
            node = event.data.get("node")
            current = (str(node), event.time) if node is not None else None
        elif (
            event.type in ("execution_success", "execution_error", "execution_interrupted")
            and current is not None
        ):
            timings.append(entry(current[0], current[1], event.time - current[1], False))
            current = None
    return timings


def sampling_speeds(events: Iterable[EventLike], prompt_id: str) -> dict[str, dict[str, float]]:
    """Per node that reported ``progress``: ``steps``, ``seconds`` and ``steps_per_second``
    (from the node's start to its last step)."""
    began: dict[str, float] = {}
    last: dict[str, tuple[float, float]] = {}
    for event in events:
        if not _of(event, prompt_id):
            continue
        node = event.data.get("node")
        if node is None:
            continue
        if event.type == "executing":
            began.setdefault(str(node), event.time)
        elif event.type == "progress":
            last[str(node)] = (float(event.data.get("value", 0)), event.time)
    speeds = {}
    for node, (steps, at) in last.items():
        seconds = at - began.get(node, at)
        speeds[node] = {
            "steps": steps,
            "seconds": round(seconds, 6),
            "steps_per_second": round(steps / seconds, 3) if seconds > 0 else 0.0,
        }
    return speeds


def used_memory(stats: dict[str, Any]) -> tuple[int | None, int | None]:
    """RAM and device memory in use, in bytes, from a ``/system_stats`` answer."""
    system = stats.get("system") or {}
    ram = None
    if system.get("ram_total") is not None and system.get("ram_free") is not None:
        ram = int(system["ram_total"]) - int(system["ram_free"])
    vram = None
    devices = stats.get("devices") or []
    if devices and devices[0].get("vram_total") is not None:
        vram = int(devices[0]["vram_total"]) - int(devices[0].get("vram_free") or 0)
    return ram, vram


class MemorySampler(threading.Thread):
    """Samples ``/system_stats`` while a run goes on: RAM and VRAM at start, peak and end."""

    def __init__(self, fetch: Callable[[], dict[str, Any]], interval: float = 0.2):
        super().__init__(name="comfy-memory-sampler", daemon=True)
        self.fetch = fetch
        self.interval = interval
        self.samples: list[tuple[int | None, int | None]] = []
        self._halt = threading.Event()

    def _sample(self) -> None:
        try:
            self.samples.append(used_memory(self.fetch()))
        except Exception:  # a server that does not answer now gives no sample
            return

    def run(self) -> None:
        while not self._halt.wait(self.interval):
            self._sample()

    def __enter__(self) -> MemorySampler:
        self._sample()
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._halt.set()
        self.join(timeout=2)
        self._sample()

    def result(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        for index, name in ((0, "ram"), (1, "vram")):
            values = [v for v in (s[index] for s in self.samples) if v is not None]
            if values:
                out[name] = {"start": values[0], "peak": max(values), "end": values[-1]}
        return out


def timeline_svg(nodes: list[dict[str, Any]], width: int = 560, row: int = 16) -> str:
    """A small SVG timeline: one bar per node from its start for its seconds; cached nodes
    hatched grey. Readable at a glance in log.html."""
    shown = nodes[:40]
    if not shown:
        return ""
    total = max((n["start"] + n["seconds"] for n in shown), default=0.0) or 1e-6
    label_width = 190
    chart = width - label_width - 60
    height = row * len(shown) + 22
    parts = [
        f'<svg class="comfy-timeline" xmlns="http://www.w3.org/2000/svg" width="{width}" '
        f'height="{height}" font-family="sans-serif" font-size="11">',
        f'<text x="{label_width}" y="11" fill="#555">0</text>',
        f'<text x="{label_width + chart}" y="11" fill="#555" text-anchor="end">'
        f"{total * 1000:.0f} ms</text>",
    ]
    for index, node in enumerate(shown):
        y = 16 + index * row
        x = label_width + chart * node["start"] / total
        bar = max(1.5, chart * node["seconds"] / total)
        colour = "#bbb" if node["cached"] else "#3b7dd8"
        label = html.escape(f"{node['node']} {node['class_type']}"[:30])
        what = "cached" if node["cached"] else f"{node['seconds'] * 1000:.0f} ms"
        parts.append(f'<text x="0" y="{y + 11}">{label}</text>')
        parts.append(
            f'<rect x="{x:.1f}" y="{y + 2}" width="{bar:.1f}" height="{row - 4}" '
            f'fill="{colour}"><title>{label}: {what}</title></rect>'
        )
        parts.append(f'<text x="{min(x + bar + 3, width - 40):.1f}" y="{y + 11}">{what}</text>')
    parts.append("</svg>")
    return "".join(parts)


def recoveries(events: Iterable[EventLike]) -> list[dict[str, Any]]:
    """Every drop a client lived through: when it dropped, the seconds until it was
    ``reconnected`` and until the first prompt completed after the drop (``completed``,
    the client's own event, or ``execution_success``); None when that did not happen."""
    found: list[dict[str, Any]] = []
    current: dict[str, Any] | None = None
    for event in events:
        if event.type == "disconnected":
            if current is None or current["reconnect_seconds"] is not None:
                current = {
                    "dropped_at": event.time,
                    "reconnect_seconds": None,
                    "first_completion_seconds": None,
                }
                found.append(current)
            continue
        if current is None:
            continue
        since = round(event.time - current["dropped_at"], 6)
        if event.type == "reconnected" and current["reconnect_seconds"] is None:
            current["reconnect_seconds"] = since
        elif (
            event.type in ("completed", "execution_success")
            and current["first_completion_seconds"] is None
        ):
            current["first_completion_seconds"] = since
    return found
