"""ComfyLibrary: a Robot Framework library for testing systems built on ComfyUI.

The library class is imported lazily, so ``python -m ComfyLibrary.mock`` starts
without loading Robot Framework or the client.
"""

from typing import Any

from ComfyLibrary.version import __version__

__all__ = ["CleanupLevel", "ComfyLibrary", "__version__"]


def __getattr__(name: str) -> Any:
    if name in ("ComfyLibrary", "CleanupLevel"):
        from ComfyLibrary import library

        return getattr(library, name)
    raise AttributeError(f"module 'ComfyLibrary' has no attribute {name!r}")
