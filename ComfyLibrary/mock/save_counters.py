"""File counters for saved outputs, numbered as ComfyUI numbers them, without a folder scan
per save.

ComfyUI lists the output folder on every save and takes the highest counter of the prefix
plus one. The mock does the same on the first save of a prefix, then keeps the counter and
trusts it while the folder is as the mock left it: its modification time unchanged since
the mock's last write of that prefix and the mock's last file still there. Anything else (a
test that deletes or adds files, another prefix saved in the folder) brings back the scan,
so the numbers stay exactly ComfyUI's.
"""

from __future__ import annotations

import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path

_SAVED_NAME = re.compile(r"^(?P<name>.*)_(?P<counter>\d{5,})_\.[^./]+$")


@dataclass
class _Known:
    highest: int
    folder_mtime_ns: int
    last_file: Path | None = None


def _mtime_ns(folder: Path) -> int:
    try:
        return os.stat(folder).st_mtime_ns
    except OSError:
        return -1


def scan_highest(folder: Path, name: str) -> int:
    """The highest counter of ``name_NNNNN_*`` files in ``folder``, 0 when there are none."""
    pattern = re.compile(re.escape(name) + r"_(\d+)_")
    highest = 0
    with os.scandir(folder) as entries:
        for entry in entries:
            if (match := pattern.match(entry.name)) is not None:
                highest = max(highest, int(match.group(1)))
    return highest


class SaveCounters:
    """The next counter per (folder, file stem); ``saved`` records each file a node wrote."""

    def __init__(self) -> None:
        self._known: dict[tuple[Path, str], _Known] = {}
        self._lock = threading.Lock()

    def next(self, folder: Path, name: str) -> int:
        with self._lock:
            known = self._known.get((folder, name))
            if known is not None and self._still_valid(folder, known):
                return known.highest + 1
            mtime = _mtime_ns(folder)
            highest = scan_highest(folder, name)
            self._known[(folder, name)] = _Known(highest, mtime)
            return highest + 1

    def saved(self, folder: Path, filename: str) -> None:
        """Notes a file the mock wrote: its counter, and the folder's new modification time."""
        match = _SAVED_NAME.match(filename)
        if match is None:
            return
        with self._lock:
            known = self._known.get((folder, match["name"]))
            if known is None:
                return
            known.highest = max(known.highest, int(match["counter"]))
            known.last_file = folder / filename
            known.folder_mtime_ns = _mtime_ns(folder)

    @staticmethod
    def _still_valid(folder: Path, known: _Known) -> bool:
        if _mtime_ns(folder) != known.folder_mtime_ns:
            return False
        return known.last_file is None or known.last_file.exists()
