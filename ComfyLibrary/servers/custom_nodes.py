"""Custom node packs linked into a ComfyUI folder's ``custom_nodes/`` for one server's life."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable
from pathlib import Path

from ComfyLibrary.errors import ComfyError


def link_packs(comfyui: Path, packs: Iterable[Path]) -> Callable[[], None]:
    """Links each pack (a folder, or one ``.py`` file) into ``comfyui/custom_nodes/``;
    returns what removes the links it made. A pack already linked there is used as it is; a
    different file or folder of the same name is refused, never replaced."""
    folder = Path(comfyui) / "custom_nodes"
    if not folder.is_dir():
        raise ComfyError(f"{comfyui} has no custom_nodes folder: is it a ComfyUI folder?")
    made: list[Path] = []
    try:
        for pack in packs:
            source = Path(pack).expanduser().resolve()
            if not (source.is_dir() or (source.suffix == ".py" and source.is_file())):
                raise ComfyError(
                    f"Custom node pack {pack} is neither a folder nor a .py file: give the "
                    "pack's folder."
                )
            target = folder / source.name
            if target.is_symlink() and target.resolve() == source:
                continue
            if target.exists() or target.is_symlink():
                raise ComfyError(
                    f"{target} already exists and is not a link to {source}: remove it, or "
                    "rename the pack, so that the one asked for is the one loaded."
                )
            target.symlink_to(source, target_is_directory=source.is_dir())
            made.append(target)
    except BaseException:
        _unlink(made)
        raise
    return lambda: _unlink(made)


def _unlink(links: list[Path]) -> None:
    for link in links:
        with contextlib.suppress(OSError):
            if link.is_symlink():
                link.unlink()
