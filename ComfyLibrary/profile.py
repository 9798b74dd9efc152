"""Capturing a profile of a team's own ComfyUI, for the mock to serve.

A profile is one JSON file of what a server says about itself: its node catalog
(``/object_info``, custom nodes included), its versions and devices (``/system_stats``),
the model files of each folder (``/models``), its embeddings, extensions and features, and
the custom node packs that loaded or failed to (read from its start-up log).
``comfy-mock --profile FILE`` (``Start Mock Server    profile=FILE``) then serves that
server: its custom nodes validate and run, its model names are the choices, its versions
are reported. A ``behaviours`` entry, added by hand, says what a custom class does:
``{"MyUpscaler": {"like": "ImageScaleBy"}}`` or ``{"MyNode": {"outputs": {"0": "image"}}}``.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import requests

from ComfyLibrary.errors import ComfyError
from ComfyLibrary.upgrade.sides import failed_packs, import_seconds, loaded_packs, server_log

PROFILE_FORMAT = 1
# what the profile holds, by key: the route that answers it and the answer when a server
# does not have that route (an older ComfyUI)
ROUTES: dict[str, tuple[str, Any]] = {
    "object_info": ("/object_info", None),
    "system_stats": ("/system_stats", None),
    "embeddings": ("/embeddings", []),
    "extensions": ("/extensions", []),
    "features": ("/features", {}),
}


def capture_profile(url: str, path: Path, timeout: float = 60.0) -> dict[str, Any]:
    """Reads a profile from the ComfyUI at ``url`` and writes it to ``path``; returns it."""
    base = url.rstrip("/")
    profile: dict[str, Any] = {
        "comfylibrary_profile": PROFILE_FORMAT,
        "captured_from": base,
        "captured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    session = requests.Session()
    for key, (route, missing) in ROUTES.items():
        profile[key] = _get(session, base, route, timeout, missing)
    folders = _get(session, base, "/models", timeout, [])
    profile["models"] = {
        str(folder): _get(session, base, f"/models/{folder}", timeout, [])
        for folder in folders
        if isinstance(folder, str)
    }
    log = server_log(base, timeout, session)
    profile["custom_nodes"] = {
        "loaded": loaded_packs(profile["object_info"]),
        "failed": failed_packs(log),
        "import_seconds": import_seconds(log),
    }
    profile["behaviours"] = {}
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(profile, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return profile


def summary(profile: dict[str, Any]) -> str:
    """One line saying what a profile holds."""
    system = (profile.get("system_stats") or {}).get("system", {})
    models = sum(len(v) for v in (profile.get("models") or {}).values())
    return (
        f"ComfyUI {system.get('comfyui_version', '?')} at {profile.get('captured_from')}: "
        f"{len(profile.get('object_info') or {})} node classes, {models} model files"
    )


def _get(session: requests.Session, base: str, route: str, timeout: float, missing: Any) -> Any:
    try:
        answer = session.get(base + route, timeout=timeout)
    except requests.RequestException as exc:
        raise ComfyError(
            f"Cannot capture a profile of {base}: {route} did not answer "
            f"({type(exc).__name__}). Check the URL and that ComfyUI is running."
        ) from None
    if answer.status_code == 404 and missing is not None:
        return missing
    if answer.status_code != 200:
        raise ComfyError(
            f"Cannot capture a profile of {base}: {route} answered HTTP {answer.status_code}."
        )
    try:
        return answer.json()
    except ValueError:
        raise ComfyError(
            f"Cannot capture a profile of {base}: {route} did not answer JSON; is it a ComfyUI?"
        ) from None
