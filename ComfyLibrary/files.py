"""Writing files with failures a user can read: one line naming the file and the cause
(a full disk, a folder without write permission, a read-only file system), never an
``OSError`` trace."""

from __future__ import annotations

import errno
import shutil
from collections.abc import Callable
from pathlib import Path

from ComfyLibrary.errors import ComfyError

HINTS = {
    errno.ENOSPC: "the disk is full: free space or write the results elsewhere",
    errno.EDQUOT: "the disk quota is used up: free space or write the results elsewhere",
    errno.EACCES: "no permission to write there: check the folder's owner and mode",
    errno.EPERM: "no permission to write there: check the folder's owner and mode",
    errno.EROFS: "the file system is read-only: write the results elsewhere",
    errno.ENOTDIR: "a file stands where a folder is needed",
    errno.EISDIR: "a folder stands where the file is to be written",
}


def cannot_write(path: Path, what: str, exc: OSError) -> ComfyError:
    """The one-line error for an ``OSError`` met while writing ``path``."""
    hint = HINTS.get(exc.errno or 0) or exc.strerror or str(exc)
    return ComfyError(f"Cannot write {what} {path}: {hint}.")


def write_file(path: Path, data: bytes | str, what: str = "the file") -> Path:
    """Writes ``data`` to ``path`` (its folders made first) or fails in one line."""
    return _writing(path, what, lambda: _write(path, data))


def copy_file(source: Path, path: Path, what: str = "the file") -> Path:
    """Copies ``source`` to ``path`` (its folders made first) or fails in one line."""
    return _writing(path, what, lambda: shutil.copyfile(source, path))


def save_with(path: Path, save: Callable[[Path], object], what: str = "the file") -> Path:
    """Calls ``save(path)`` (a Pillow image's save, say) or fails in one line."""
    return _writing(path, what, lambda: save(path))


def _write(path: Path, data: bytes | str) -> None:
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)


def _writing(path: Path, what: str, action: Callable[[], object]) -> Path:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        action()
    except OSError as exc:
        raise cannot_write(path, what, exc) from None
    return path
