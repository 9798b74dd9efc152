"""Keeping the queue and history across a restart, when a suite asks for it.

ComfyUI keeps neither: by default the mock loses them too. With keep-queue on, the
mock writes them into a state folder next to its outputs after every change and reads
them back when it starts; a prompt that was running when the server died is queued
again. The queue (a few items) is rewritten whole; each history entry is a file of its
own, written once, so a change costs the same with ten entries as with ten thousand.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path
from typing import Any

from ComfyLibrary.mock.prompt_queue import PromptQueue

STATE_FOLDER = ".comfy-mock-state"


def _write_atomically(path: Path, data: Any) -> None:
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(data), encoding="utf-8")
    os.replace(temporary, path)


def _entry_file(folder: Path, prompt_id: str) -> Path:
    # prompt ids are chosen by clients: never a path
    return folder / (hashlib.sha1(prompt_id.encode()).hexdigest() + ".json")


class StateStore:
    """The state folder of one mock: ``queue.json`` and ``history/<hash>.json``."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.history_folder = folder / "history"
        self._saved: dict[str, int] = {}  # prompt id -> id() of the entry object written
        self._sequence = 0
        self._forgotten = False  # the folder is gone and only this store would write it

    def save(self, queue: PromptQueue) -> None:
        self._forgotten = False
        self.history_folder.mkdir(parents=True, exist_ok=True)
        running, pending = queue.current()
        _write_atomically(
            self.folder / "queue.json", {"pending": [list(item) for item in running + pending]}
        )
        history = queue.get_history()
        for prompt_id, entry in history.items():
            if self._saved.get(prompt_id) != id(entry):
                self._sequence += 1
                _write_atomically(
                    _entry_file(self.history_folder, prompt_id),
                    {"sequence": self._sequence, "prompt_id": prompt_id, "entry": entry},
                )
                self._saved[prompt_id] = id(entry)
        for prompt_id in [p for p in self._saved if p not in history]:
            _entry_file(self.history_folder, prompt_id).unlink(missing_ok=True)
            del self._saved[prompt_id]

    def load(self, queue: PromptQueue) -> int:
        """Restores a saved queue and history; returns how many prompts were re-queued."""
        records = []
        for path in self.history_folder.glob("*.json"):
            try:
                records.append(json.loads(path.read_text(encoding="utf-8")))
            except (OSError, ValueError):
                continue
        records.sort(key=lambda record: record.get("sequence", 0))
        for record in records:
            entry = record.get("entry")
            queue.history[record["prompt_id"]] = entry
            self._saved[record["prompt_id"]] = id(entry)
        self._sequence = max((r.get("sequence", 0) for r in records), default=0)
        try:
            data = json.loads((self.folder / "queue.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = {}
        items = [tuple(item) for item in data.get("pending") or []]
        for item in items:
            queue.put(item)  # type: ignore[arg-type, unused-ignore]
        return len(items)

    def forget(self) -> None:
        """Removes the state folder (the queue is to be lost on the next restart)."""
        if self._forgotten:
            return
        if self.folder.exists():
            shutil.rmtree(self.folder, ignore_errors=True)
        self._saved.clear()
        self._forgotten = True
