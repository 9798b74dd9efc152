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
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ComfyLibrary.mock.prompt_queue import PromptQueue

STATE_FOLDER = ".comfy-mock-state"


def _write_atomically(path: Path, data: Any) -> None:
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(data), encoding="utf-8")
    os.replace(temporary, path)


_MISSING = object()


def _read_json(path: Path) -> Any:
    """The JSON in ``path``; ``_MISSING`` when there is no such file, None when it is not
    JSON (an unreadable file is set aside as a corrupt one is)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return _MISSING
    except (OSError, UnicodeDecodeError):
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def _is_queue_item(item: Any) -> bool:
    """A saved queue item: [number, prompt id, prompt, extra data, outputs to execute]."""
    return (
        isinstance(item, list)
        and len(item) == 5
        and isinstance(item[0], int | float)
        and not isinstance(item[0], bool)
        and all(
            isinstance(node, dict) for node in (item[2] or {}).values() if isinstance(item[2], dict)
        )
        and all(isinstance(o, str) for o in item[4] if isinstance(item[4], list))
        and isinstance(item[1], str)
        and isinstance(item[2], dict)
        and isinstance(item[3], dict)
        and isinstance(item[4], list)
    )


def _is_history_entry(entry: Any) -> bool:
    """A history entry in the shape the mock writes and its routes read."""
    if not isinstance(entry, dict):
        return False
    prompt, status = entry.get("prompt"), entry.get("status")
    return (
        _is_queue_item(prompt)
        and isinstance(entry.get("outputs"), dict)
        and all(isinstance(v, dict) for v in entry["outputs"].values())
        and isinstance(status, dict)
        and isinstance(status.get("status_str"), str)
        and isinstance(status.get("completed"), bool)
        and isinstance(status.get("messages"), list)
        and all(
            isinstance(m, list) and len(m) == 2 and isinstance(m[0], str) and isinstance(m[1], dict)
            for m in status["messages"]
        )
        and isinstance(entry.get("meta", {}), dict)
    )


def _set_aside(path: Path, what: str) -> None:
    """Renames a state file the mock cannot use, so it is kept for a look but not read."""
    target = path.with_name(f"{path.name}.corrupt")
    try:
        os.replace(path, target)
    except OSError as exc:
        print(
            f"comfy-mock: warning: {path} holds {what} and cannot be set aside: {exc}",
            file=sys.stderr,
            flush=True,
        )
        return
    print(
        f"comfy-mock: warning: {path} holds {what}; set aside as {target.name}, "
        "the mock starts without it",
        file=sys.stderr,
        flush=True,
    )


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
        history = queue.get_history()
        # history first: a kill between the two writes leaves a finished prompt in both
        # files (read back as finished), never in neither
        for prompt_id, entry in history.items():
            if self._saved.get(prompt_id) != id(entry):
                self._sequence += 1
                _write_atomically(
                    _entry_file(self.history_folder, prompt_id),
                    {"sequence": self._sequence, "prompt_id": prompt_id, "entry": entry},
                )
                self._saved[prompt_id] = id(entry)
        _write_atomically(
            self.folder / "queue.json", {"pending": [list(item) for item in running + pending]}
        )
        for prompt_id in [p for p in self._saved if p not in history]:
            _entry_file(self.history_folder, prompt_id).unlink(missing_ok=True)
            del self._saved[prompt_id]

    def load(self, queue: PromptQueue, runnable: Callable[[dict[str, Any]], bool] = bool) -> int:
        """Restores a saved queue and history; returns how many prompts were re-queued.

        A file that cannot be read back (not JSON, or JSON without the fields the mock
        wrote, or with them in another shape) is set aside, renamed with a ``.corrupt``
        suffix and named in a warning on standard error, and the mock starts without it. A
        saved prompt that cannot run any more (``runnable`` says no: a class the catalog
        lacks) is set aside in ``queue.set-aside.json`` with a warning naming it; one that
        is in the history too had finished (a kill between the two writes) and stays so."""
        records = []
        for path in sorted(self.history_folder.glob("*.json")):
            record = _read_json(path)
            if (
                isinstance(record, dict)
                and isinstance(record.get("prompt_id"), str)
                and _is_history_entry(record.get("entry"))
                and isinstance(record.get("sequence", 0), int)
                and not isinstance(record.get("sequence", 0), bool)
            ):
                records.append(record)
            elif record is not _MISSING:
                _set_aside(path, "a history entry without its prompt id and entry")
        records.sort(key=lambda record: record.get("sequence", 0))
        for record in records:
            entry = record["entry"]
            queue.history[record["prompt_id"]] = entry
            self._saved[record["prompt_id"]] = id(entry)
        self._sequence = max((r.get("sequence", 0) for r in records), default=0)
        queue.number_after([_number_of(record["entry"]) for record in records])
        queue_file = self.folder / "queue.json"
        data = _read_json(queue_file)
        if data is _MISSING:
            return 0
        pending = data.get("pending") if isinstance(data, dict) else None
        if not isinstance(pending, list) or not all(_is_queue_item(i) for i in pending):
            _set_aside(queue_file, "a queue that is not a list of prompts")
            return 0
        kept: list[Any] = []
        set_aside: list[Any] = []
        for item in pending:
            if item[1] in queue.history:
                continue  # finished: saved in its history before the queue was rewritten
            (kept if runnable(item[2]) else set_aside).append(item)
        if set_aside:
            _write_atomically(self.folder / "queue.set-aside.json", {"pending": set_aside})
            names = ", ".join(str(item[1]) for item in set_aside)
            print(
                f"comfy-mock: warning: the saved queue holds prompts this mock cannot run (a "
                f"node class its catalog lacks): {names}; set aside in queue.set-aside.json",
                file=sys.stderr,
                flush=True,
            )
        for item in kept:
            queue.put(tuple(item))  # type: ignore[arg-type, unused-ignore]
        queue.number_after([item[0] for item in kept])
        return len(kept)

    def forget(self) -> None:
        """Removes the state folder (the queue is to be lost on the next restart)."""
        if self._forgotten:
            return
        if self.folder.exists():
            shutil.rmtree(self.folder, ignore_errors=True)
        self._saved.clear()
        self._forgotten = True


def _number_of(entry: dict[str, Any]) -> Any:
    """The queue number a history entry's prompt had, if it has one."""
    prompt = entry.get("prompt")
    return prompt[0] if isinstance(prompt, list) and prompt else None
