"""Prompts shared by the tests, built from the workflows the project ships."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ComfyLibrary.workflow import set_input

WORKFLOWS = Path(__file__).resolve().parents[1] / "resources" / "workflows"


def shipped(name: str, **inputs: Any) -> dict[str, Any]:
    """A shipped API workflow with inputs changed by path, e.g. ``**{"KSampler.steps": 4}``."""
    workflow = json.loads((WORKFLOWS / f"{name}.json").read_text())
    for path, value in inputs.items():
        set_input(workflow, path, value)
    return workflow


def sampler_workflow(steps: int = 100, seed: int = 7, size: int = 64) -> dict[str, Any]:
    """Checkpoint loader, two prompts, KSampler, VAE decode, SaveImage (slow_sampler.json)."""
    return shipped(
        "slow_sampler",
        **{"KSampler.steps": steps, "KSampler.seed": seed, "5.width": size, "5.height": size},
    )
