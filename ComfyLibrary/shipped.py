"""What ships with the library: the shared resource file, workflows, fixtures and references.

Installed from a wheel they are inside the package (``ComfyLibrary/resources``); in a
checkout they are the repository's ``resources/`` folder, which the wheel is built from.
"""

from __future__ import annotations

from pathlib import Path


def resources_folder() -> Path:
    inside = Path(__file__).resolve().parent / "resources"
    if inside.is_dir():
        return inside
    return Path(__file__).resolve().parents[1] / "resources"


def workflows_folder() -> Path:
    return resources_folder() / "workflows"


def custom_nodes_folder() -> Path:
    """The example custom node packs (``comfylibrary_example``, and ``comfylibrary_broken``,
    which fails to import on ComfyUI 0.3.64 on purpose)."""
    return resources_folder() / "custom_nodes"
