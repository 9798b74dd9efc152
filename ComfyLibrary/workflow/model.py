"""A loaded workflow: the API-format prompt (a dictionary) that knows where it came from."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ComfyLibrary.workflow.bindings import Bindings


class Workflow(dict):
    """What `Load Workflow` returns: an API-format workflow ``{node_id: {class_type,
    inputs}}`` that also knows its ``name``, the ``path`` it was loaded from, its
    named-parameter ``bindings`` and what was set on it since: ``parameters`` (by name)
    and ``inputs`` (by input path). It is a dictionary, so it goes wherever a workflow
    dictionary goes (``${workflow}[3][inputs][seed]``); a copy keeps all of it.
    `Set Workflow Parameters` sets its named parameters, `Run Workflow` runs it."""

    def __init__(
        self,
        nodes: dict[str, Any] | None = None,
        name: str = "workflow",
        path: Path | None = None,
        bindings: Bindings | None = None,
    ):
        super().__init__(nodes or {})
        self.name = name
        self.path = path
        self.bindings = bindings if bindings is not None else Bindings(None)
        self.parameters: dict[str, Any] = {}
        self.inputs: dict[str, Any] = {}

    def __repr__(self) -> str:
        return f"Workflow({self.name!r}, {len(self)} nodes)"
