"""Where a run's results came from: the server's versions and devices, the library's and
Robot Framework's versions, and the workflow's sha256. With it a report says why the same
seed gave another image ("ComfyUI 0.8.0 then, 0.9.1 now")."""

from __future__ import annotations

import hashlib
import json
import platform
from pathlib import Path
from typing import Any

from ComfyLibrary.version import __version__


def client_side() -> dict[str, str]:
    """The versions on the machine that runs the tests."""
    from robot.version import VERSION as ROBOT_VERSION

    return {
        "library_version": __version__,
        "robot_framework_version": ROBOT_VERSION,
        "python_version": platform.python_version(),
        "platform": platform.platform(terse=True),
    }


def server_kind(system: dict[str, Any]) -> str:
    """``mock`` for ComfyLibrary's mock (its command line is ``comfy-mock ...``, and it
    reports torch as ``mock`` unless a profile names another), else ``real``."""
    argv = system.get("argv") or []
    first = str(argv[0]) if isinstance(argv, list) and argv else ""
    return (
        "mock"
        if first.endswith("comfy-mock") or system.get("pytorch_version") == "mock"
        else "real"
    )


def version_label(provenance: dict[str, Any]) -> str | None:
    """The version references and baselines are kept under: ``0.8.0``, or ``0.8.0-mock``
    for the mock, so that the mock's pictures never stand for real ComfyUI's."""
    version = provenance.get("comfyui_version")
    if not version:
        return None
    return f"{version}-mock" if provenance.get("server_kind") == "mock" else str(version)


def described(provenance: dict[str, Any]) -> str:
    """``the mock 0.8.0`` or ``real ComfyUI 0.8.0 (torch 2.13.0+cpu)``."""
    version = provenance.get("comfyui_version") or "of unknown version"
    if provenance.get("server_kind") == "mock":
        return f"the mock {version}"
    return f"real ComfyUI {version} (torch {provenance.get('pytorch_version') or '?'})"


def server_side(stats: dict[str, Any] | None, url: str) -> dict[str, Any]:
    """The server's versions and devices from its ``/system_stats`` (None: not known)."""
    if not isinstance(stats, dict):
        return {"server_url": url}
    found_system, found_devices = stats.get("system"), stats.get("devices")
    system: dict[str, Any] = found_system if isinstance(found_system, dict) else {}
    devices: list[Any] = found_devices if isinstance(found_devices, list) else []
    return {
        "server_url": url,
        "server_kind": server_kind(system),
        "comfyui_version": system.get("comfyui_version"),
        "frontend_version": system.get("required_frontend_version"),
        "templates_version": system.get("installed_templates_version"),
        "server_python_version": str(system.get("python_version", "")).split(" ")[0] or None,
        "pytorch_version": system.get("pytorch_version"),
        "devices": [
            {"name": d.get("name"), "type": d.get("type")} for d in devices if isinstance(d, dict)
        ],
    }


def workflow_sha256(workflow: Any, prompt: dict[str, Any]) -> str:
    """The sha256 of the workflow's file, or of the submitted graph when it has none."""
    path = getattr(workflow, "path", None)
    if isinstance(path, Path) and path.is_file():
        return hashlib.sha256(path.read_bytes()).hexdigest()
    canonical = json.dumps(prompt, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def server_line(provenance: dict[str, Any]) -> str:
    """``ComfyUI 0.8.0 at URL (frontend 1.35.9, torch 2.13.0+cpu, devices: cpu)``."""
    devices = ", ".join(
        str(d.get("name") or d.get("type")) for d in provenance.get("devices") or []
    )
    return (
        f"ComfyUI {provenance.get('comfyui_version') or 'version unknown'} at "
        f"{provenance.get('server_url')} (frontend {provenance.get('frontend_version') or '?'}, "
        f"torch {provenance.get('pytorch_version') or '?'}, devices: {devices or '?'})"
    )


def runner_line(provenance: dict[str, Any]) -> str:
    """``ComfyLibrary 0.1.0, Robot Framework 7.5, Python 3.11.7``."""
    return (
        f"ComfyLibrary {provenance.get('library_version')}, Robot Framework "
        f"{provenance.get('robot_framework_version')}, Python {provenance.get('python_version')}"
    )


def one_line(provenance: dict[str, Any]) -> str:
    """A run's provenance for the log: the server, the runner and the workflow's sha256."""
    return (
        f"{server_line(provenance)}; {runner_line(provenance)}; workflow sha256 "
        f"{str(provenance.get('workflow_sha256', ''))[:12]}"
    )


PROVENANCE_SUFFIX = ".provenance.json"


def provenance_file(reference: Path) -> Path:
    return reference.with_name(reference.name + PROVENANCE_SUFFIX)


def is_provenance_file(path: Path) -> bool:
    return path.name.endswith(PROVENANCE_SUFFIX)


def write_provenance(reference: Path, provenance: dict[str, Any], source: Path) -> None:
    """Keeps, beside a reference, where it was made: the server's kind and versions, the
    file it was copied from, and when."""
    import time

    from ComfyLibrary.files import write_file

    keys = ("server_kind", "comfyui_version", "pytorch_version", "server_url", "devices")
    record = {k: provenance.get(k) for k in keys if provenance.get(k) is not None}
    record.update(source=source.name, made_at=time.strftime("%Y-%m-%dT%H:%M:%S%z"))
    write_file(provenance_file(reference), json.dumps(record, indent=1) + "\n", "its provenance")


def origins(reference: Path, here: dict[str, Any]) -> str:
    """`` The reference was made on the mock 0.8.0; this run is real ComfyUI 0.8.0 (torch
    2.13.0).``, or nothing when the reference's provenance is not known."""
    try:
        made = json.loads(provenance_file(reference).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ""
    if not isinstance(made, dict) or not here:
        return ""
    return f" The reference was made on {described(made)}; this run is {described(here)}."
