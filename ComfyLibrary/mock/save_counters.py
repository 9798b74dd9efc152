"""Where saved outputs go and how they are numbered, as ComfyUI 0.8 does it, without a folder
scan per save.

The prefix is expanded (``%width%``, ``%date%`` parts...) and normalised, its folder part
must stay inside the output folder, and the file stem is its last part; so ``""`` and
``"."`` save as ``._00001_.png`` in the output folder, as in ComfyUI. ComfyUI lists the
output folder on every save and takes the highest counter of the prefix
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
import time
from dataclasses import dataclass
from pathlib import Path

from ComfyLibrary.mock.nodes import ExecutionFailure

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
    """The highest counter of the files ``<name>_<counter>...`` in ``folder`` (ComfyUI reads
    the digits after the stem up to the next ``_``), 0 when there are none."""
    highest = 0
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.name[: len(name)] != name or entry.name[len(name) : len(name) + 1] != "_":
                continue
            digits = entry.name[len(name) + 1 :].split("_")[0]
            if digits.isdigit():
                highest = max(highest, int(digits))
    return highest


def expand_prefix(prefix: str, width: int, height: int) -> str:
    """ComfyUI's prefix variables: image size and the local date and time."""
    if "%" not in prefix:
        return prefix
    now = time.localtime()
    for variable, value in (
        ("width", width),
        ("height", height),
        ("year", now.tm_year),
        ("month", f"{now.tm_mon:02}"),
        ("day", f"{now.tm_mday:02}"),
        ("hour", f"{now.tm_hour:02}"),
        ("minute", f"{now.tm_min:02}"),
        ("second", f"{now.tm_sec:02}"),
    ):
        prefix = prefix.replace(f"%{variable}%", str(value))
    return prefix


def save_path(
    base: Path, prefix: str, width: int, height: int, counters: SaveCounters
) -> tuple[Path, str, int]:
    """(folder, file stem, counter) for saving under ``prefix`` in ``base`` (an absolute
    folder) as ComfyUI does; a folder outside ``base`` fails the node with 0.8's message."""
    normal = os.path.normpath(expand_prefix(prefix, width, height))
    folder = os.path.abspath(os.path.join(base, os.path.dirname(normal)))
    common = os.path.commonpath((str(base), folder))
    if common != str(base):
        raise ExecutionFailure(
            "**** ERROR: Saving image outside the output folder is not allowed."
            f"\n full_output_folder: {folder}\n         output_dir: {base}"
            f"\n         commonpath: {common}",
            "Exception",
        )
    os.makedirs(folder, exist_ok=True)
    name = os.path.basename(normal)
    return Path(folder), name, counters.next(Path(folder), name)


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
