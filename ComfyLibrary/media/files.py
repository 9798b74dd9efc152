"""The one check every media file gets before it is opened: it is there, it is a file, and
it has bytes. Each failure names the file and the problem in one line."""

from __future__ import annotations

from pathlib import Path

from ComfyLibrary.errors import MediaError


def checked_file(path: str | Path, kind: str) -> Path:
    """``path`` as a Path, or MediaError saying why a ``kind`` ("Image", "Video", "Audio")
    file cannot be read there."""
    file = Path(path)
    if file.is_dir():
        raise MediaError(f"{kind} file {file} is a folder, not a file: give the file's path.")
    if not file.is_file():
        where = " (a link to a missing file)" if file.is_symlink() else ""
        raise MediaError(f"{kind} file {file} does not exist{where}.")
    if file.stat().st_size == 0:
        raise MediaError(f"{kind} file {file} is empty (0 bytes).")
    return file
