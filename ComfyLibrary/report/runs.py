"""Where the time of each workflow run went, kept in a JSON report that grows with the run."""

from __future__ import annotations

import json
import os
import statistics
import textwrap
import threading
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

from ComfyLibrary.files import write_file
from ComfyLibrary.report.provenance import client_side

PHASES = ("connect", "validate", "upload", "queue_wait", "execution", "download", "validation")


class Phase(str, Enum):
    """A phase of a workflow run, as `Run Workflow` measures it."""

    CONNECT = "connect"
    VALIDATE = "validate"
    UPLOAD = "upload"
    QUEUE_WAIT = "queue_wait"
    EXECUTION = "execution"
    DOWNLOAD = "download"
    VALIDATION = "validation"


@dataclass
class RunRecord:
    """One workflow run: what ran, how it ended, and seconds per phase."""

    workflow: str
    suite: str = ""
    test: str = ""
    prompt_id: str = ""
    status: str = "started"
    phases: dict[str, float] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    parameters: dict[str, Any] = field(default_factory=dict)
    started: float = field(default_factory=time.time)
    nodes: list[dict[str, Any]] = field(default_factory=list)  # per node: class, seconds, cached
    sampling: dict[str, dict[str, float]] = field(default_factory=dict)  # node -> steps/s
    memory: dict[str, dict[str, int]] = field(default_factory=dict)  # ram/vram: start/peak/end
    validations: list[dict[str, Any]] = field(default_factory=list)  # media checks of its files
    errors: list[str] = field(default_factory=list)
    provenance: dict[str, Any] = field(default_factory=dict)  # versions, devices, sha256

    def owns(self, path: Any) -> bool:
        """Whether ``path`` is one of the files this run made."""
        wanted = Path(str(path)).resolve()
        return any(Path(f).resolve() == wanted for f in self.files)

    @contextmanager
    def phase(self, name: str):
        start = time.perf_counter()
        try:
            yield
        finally:
            self.add(name, time.perf_counter() - start)

    def add(self, name: str, seconds: float) -> None:
        self.phases[name] = round(self.phases.get(name, 0.0) + seconds, 6)

    @property
    def total(self) -> float:
        return round(sum(self.phases.values()), 6)

    def line(self) -> str:
        parts = ", ".join(
            f"{name} {self.phases[name] * 1000:.0f} ms" for name in PHASES if name in self.phases
        )
        return f"{self.workflow} ({self.prompt_id or 'not submitted'}, {self.status}): {parts}"


class RunReport:
    """All runs of a Robot run, written to ``path`` as JSON after every change."""

    def __init__(self, path: Path):
        self.path = path
        self.runs: list[RunRecord] = []
        self.recoveries: dict[str, list[dict[str, Any]]] = {}  # client alias -> its drops
        self._lock = threading.Lock()
        self._relative_paths: dict[str, str] = {}
        self._written: dict[int, str] = {}  # id of a run -> its JSON, until it changes

    def add(self, record: RunRecord) -> None:
        with self._lock:
            self.runs.append(record)
        self.save(record)

    def run_of(self, path: Any) -> RunRecord | None:
        """The latest run that made the file ``path``."""
        with self._lock:
            return next((r for r in reversed(self.runs) if r.owns(path)), None)

    def save(self, changed: RunRecord | None = None, *, runs_changed: bool = True) -> None:
        """Writes the report. ``changed`` names the one run that changed since the last
        save, and ``runs_changed=False`` says none did: the others are written as they
        were, so a run of thousands of workflows does not serialise every run at every
        step. Without either, every run is serialised again."""
        with self._lock:
            if changed is not None:
                self._written.pop(id(changed), None)
            elif runs_changed:
                self._written.clear()
            runs = [self._run_json(record) for record in self.runs]
            head = {"provenance": client_side()}
            tail = {"recoveries": self.recoveries, "summary": self.summary()}
        body = ",\n".join(textwrap.indent(text, "    ") for text in runs)
        document = (
            json.dumps(head, indent=2, default=str)[:-2]
            + (',\n  "runs": [\n' + body + "\n  ],\n" if runs else ',\n  "runs": [],\n')
            + json.dumps(tail, indent=2, default=str)[2:]
        )
        write_file(self.path, document, "the run report")

    def _run_json(self, record: RunRecord) -> str:
        text = self._written.get(id(record))
        if text is None:
            run = self._portable(asdict(record) | {"total": record.total})
            text = self._written[id(record)] = json.dumps(run, indent=2, default=str)
        return text

    def _portable(self, run: dict[str, Any]) -> dict[str, Any]:
        """File paths relative to the report's folder, so a report moved off the runner
        with its folder still points at its files."""
        run["files"] = [self._relative(f) for f in run["files"]]
        for check in run["validations"]:
            check["file"] = self._relative(check["file"])
        return run

    def _relative(self, path: str) -> str:
        """``path`` relative to the report's folder, worked out once per file (the report
        is written after every change, with every run)."""
        known = self._relative_paths.get(path)
        if known is None:
            try:
                relative = os.path.relpath(Path(path).resolve(), self.path.parent.resolve())
                known = Path(relative).as_posix()
            except ValueError:  # another drive on Windows
                known = str(path)
            self._relative_paths[path] = known
        return known

    def summary(self) -> dict[str, Any]:
        """Per phase: count, median and max seconds over all runs; and runs per status."""
        phases = {}
        for name in PHASES:
            values = [r.phases[name] for r in self.runs if name in r.phases]
            if values:
                phases[name] = {
                    "count": len(values),
                    "median": round(statistics.median(values), 6),
                    "max": round(max(values), 6),
                }
        statuses: dict[str, int] = {}
        for record in self.runs:
            statuses[record.status] = statuses.get(record.status, 0) + 1
        return {"runs": len(self.runs), "statuses": statuses, "phases": phases}

    def summary_lines(self) -> list[str]:
        summary = self.summary()
        lines = [
            f"{summary['runs']} workflow run(s): "
            + ", ".join(f"{n} {s}" for s, n in summary["statuses"].items())
        ]
        for name, figures in summary["phases"].items():
            lines.append(
                f"  {name}: median {figures['median'] * 1000:.0f} ms, "
                f"max {figures['max'] * 1000:.0f} ms over {figures['count']}"
            )
        return lines
