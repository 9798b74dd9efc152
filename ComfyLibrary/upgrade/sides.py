"""One side of an upgrade comparison: a running server (real or mock, by URL) or a profile
file (``comfy-mock capture``); what the report needs of it, read once."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from ComfyLibrary.errors import ComfyError

# ComfyUI's start-up log lines about custom node packs: a failed import, and the timings
IMPORT_FAILED = re.compile(r"IMPORT FAILED\)?:?\s*(?P<path>\S+)")
CANNOT_IMPORT = re.compile(
    r"Cannot import (?P<path>\S+) module for custom nodes: (?P<error>.+)$", re.MULTILINE
)
IMPORT_TIME = re.compile(
    r"^\s*(?P<seconds>\d+\.\d+) seconds(?P<failed> \(IMPORT FAILED\))?: (?P<path>\S+)", re.MULTILINE
)


@dataclass
class Side:
    """What the report compares of one server."""

    name: str
    object_info: dict[str, Any]
    system: dict[str, Any]
    url: str | None = None  # None for a profile: its protocol cannot be asked
    log: str = ""  # its start-up log, where it serves one (/internal/logs)
    extras: dict[str, Any] = field(default_factory=dict)

    @property
    def comfyui_version(self) -> str:
        return str(self.system.get("comfyui_version") or "?")

    @property
    def torch_version(self) -> str:
        return str(self.system.get("pytorch_version") or "?")

    def packs(self) -> dict[str, list[str]]:
        return loaded_packs(self.object_info)

    def failed_packs(self) -> dict[str, str]:
        """From the server's log; for a profile, what its capture read from the log."""
        if self.log:
            return failed_packs(self.log)
        return dict(self.extras.get("failed_packs") or {})


def loaded_packs(object_info: dict[str, Any]) -> dict[str, list[str]]:
    """Custom node packs that loaded, with their classes (from ``python_module``)."""
    found: dict[str, list[str]] = {}
    for name, definition in object_info.items():
        module = str(definition.get("python_module") or "")
        if module.startswith("custom_nodes."):
            found.setdefault(module.split(".")[1], []).append(name)
    return {pack: sorted(classes) for pack, classes in sorted(found.items())}


def failed_packs(log: str) -> dict[str, str]:
    """Packs whose import failed, with the error, from a ComfyUI start-up log (ComfyUI's
    own extras that failed, e.g. the audio nodes without torchaudio, are not packs)."""
    failed: dict[str, str] = {}
    for match in CANNOT_IMPORT.finditer(log):
        if _is_pack(match.group("path")):
            failed[_pack_name(match.group("path"))] = match.group("error").strip()
    for match in IMPORT_TIME.finditer(log):
        if match.group("failed") and _is_pack(match.group("path")):
            failed.setdefault(_pack_name(match.group("path")), "import failed")
    return failed


def _is_pack(path: str) -> bool:
    return "custom_nodes" in Path(path).parts


def import_seconds(log: str) -> dict[str, float]:
    """How long each pack took to import, from the start-up log's timing lines."""
    return {
        _pack_name(m.group("path")): float(m.group("seconds")) for m in IMPORT_TIME.finditer(log)
    }


def _pack_name(path: str) -> str:
    name = Path(path.rstrip("/")).name
    return name[:-3] if name.endswith(".py") else name


def read_side(source: str, timeout: float = 60.0) -> Side:
    """A side from a URL (``http://...``) or a profile file."""
    text = str(source).strip()
    if text.startswith(("http://", "https://")):
        base = text.rstrip("/")
        try:
            object_info = requests.get(base + "/object_info", timeout=timeout).json()
            stats = requests.get(base + "/system_stats", timeout=timeout).json()
        except (requests.RequestException, ValueError) as exc:
            raise ComfyError(
                f"Cannot compare {base}: it did not answer as ComfyUI does "
                f"({type(exc).__name__}). Check that the server is running."
            ) from None
        return Side(
            text, object_info, dict(stats.get("system") or {}), base, server_log(base, timeout)
        )
    path = Path(text)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ComfyError(
            f"Cannot compare '{source}': it is neither a server URL (http://host:port) nor a "
            f"readable profile file ({exc})."
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("object_info"), dict):
        raise ComfyError(f"{path} is not a ComfyUI profile: capture one with comfy-mock capture.")
    system = dict((data.get("system_stats") or {}).get("system") or {})
    packs = data.get("custom_nodes") or {}
    return Side(
        path.name, data["object_info"], system, None, "", {"failed_packs": packs.get("failed")}
    )


def server_log(base: str, timeout: float, session: Any = requests) -> str:
    """The server's start-up log as ComfyUI serves it (``/internal/logs``), or nothing."""
    try:
        answer = session.get(base + "/internal/logs", timeout=timeout)
        body = answer.json() if answer.status_code == 200 else ""
    except (requests.RequestException, ValueError):
        return ""
    return body if isinstance(body, str) else ""
