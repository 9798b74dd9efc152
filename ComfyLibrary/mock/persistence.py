"""Keeping the queue and history across a restart, when a suite asks for it.

ComfyUI keeps neither: by default the mock loses them too. With keep-queue on, the
mock writes them to a state file next to its outputs after every change and reads
them back when it starts; a prompt that was running when the server died is queued
again.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from ComfyLibrary.mock.prompt_queue import PromptQueue

STATE_FILE = ".comfy-mock-state.json"


def save(path: Path, queue: PromptQueue) -> None:
    running, pending = queue.current()
    data = {
        "pending": [list(item) for item in running + pending],
        "history": dict(queue.get_history()),
    }
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(data), encoding="utf-8")
    os.replace(temporary, path)


def load(path: Path, queue: PromptQueue) -> int:
    """Restores a saved queue and history; returns how many prompts were re-queued."""
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return 0
    for prompt_id, entry in (data.get("history") or {}).items():
        queue.history[prompt_id] = entry
    items = [tuple(item) for item in data.get("pending") or []]
    for item in items:
        queue.put(item)  # type: ignore[arg-type]
    return len(items)
