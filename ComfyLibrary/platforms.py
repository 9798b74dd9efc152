"""Which parts of the library run where. The client, workflows, media checks, containers
and remote servers work on any operating system; keywords that run servers as local
processes (process groups, death signals, SIGKILL and SIGSTOP) need POSIX: Linux or macOS.
They carry the ``POSIX only`` tag and fail elsewhere in one line."""

from __future__ import annotations

import os

from ComfyLibrary.errors import ComfyError

POSIX_ONLY = "POSIX only"


def is_posix() -> bool:
    return os.name == "posix"


def require_posix(keyword: str) -> None:
    """Fails in one line on a system that is not POSIX, saying what works there instead."""
    if not is_posix():
        raise ComfyError(
            f"{keyword} needs Linux or macOS (it runs the server as a local process group): "
            "on this system run the server in a container (Start ComfyUI Container) or "
            "elsewhere, and connect to it by URL."
        )
