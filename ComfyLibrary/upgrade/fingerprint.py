"""A ComfyUI server's protocol, read as a list of named checks two servers can be compared by.

The fingerprint asks a server the questions a client's code depends on: which routes it
has (the status of every parameter-free GET route ComfyUI 0.8 serves), which keys its
``/system_stats``, ``/features``, ``/queue`` and ``/object_info`` entries have, and, for one
tiny model-free prompt (EmptyImage 8x8 into PreviewImage), the WebSocket messages its
client is sent (types in order, and each type's keys) and the keys of its history entry
and of its ``/api/jobs`` entry. Values that change from run to run (ids, times, sizes) are
left out: two fingerprints of the same ComfyUI are equal.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import requests

# parameter-free GET routes of ComfyUI 0.8 (and of older versions that had them); not
# /internal/files/*, whose answer depends on whether the folder was made yet
ROUTES = (
    "/system_stats",
    "/features",
    "/prompt",
    "/queue",
    "/history",
    "/object_info",
    "/embeddings",
    "/extensions",
    "/models",
    "/api/jobs",
    "/global_subgraphs",
    "/experiment/models",
    "/settings",
    "/users",
    "/internal/folder_paths",
    "/i18n",
)
PROBE = {
    "1": {
        "class_type": "EmptyImage",
        "inputs": {"width": 8, "height": 8, "batch_size": 1, "color": 0},
    },
    "2": {"class_type": "PreviewImage", "inputs": {"images": ["1", 0]}},
}
VOLATILE_TYPES = ("crystools.monitor",)  # messages some extensions send on their own


def keys(value: Any) -> list[str]:
    return sorted(value) if isinstance(value, dict) else []


def fingerprint(url: str, timeout: float = 30.0) -> dict[str, Any]:
    """The named checks of the server at ``url`` (see the module's description)."""
    base = url.rstrip("/")
    session = requests.Session()
    checks: dict[str, Any] = {}
    for route in ROUTES:
        answer = session.get(base + route, timeout=timeout)
        checks[f"route {route}"] = answer.status_code
    stats = session.get(base + "/system_stats", timeout=timeout).json()
    checks["system_stats keys"] = keys(stats)
    checks["system_stats.system keys"] = keys(stats.get("system"))
    checks["system_stats.devices[0] keys"] = keys((stats.get("devices") or [{}])[0])
    features = session.get(base + "/features", timeout=timeout)
    checks["features"] = features.json() if features.status_code == 200 else None
    checks["queue keys"] = keys(session.get(base + "/queue", timeout=timeout).json())
    catalog = session.get(base + "/object_info", timeout=timeout).json()
    shared = catalog.get("EmptyImage", {})
    checks["object_info class keys (EmptyImage)"] = keys(shared)
    checks["object_info keys of any class"] = sorted({k for d in catalog.values() for k in d})
    checks.update(_run_probe(session, base, timeout))
    return checks


def _run_probe(session: requests.Session, base: str, timeout: float) -> dict[str, Any]:
    import websocket

    client_id = str(uuid.uuid4())
    socket = websocket.create_connection(
        base.replace("http", "ws", 1) + f"/ws?clientId={client_id}", timeout=timeout
    )
    checks: dict[str, Any] = {}
    try:
        probe = json.loads(json.dumps(PROBE))
        probe["1"]["inputs"]["color"] = int(time.time() * 1000) % 0xFFFFFF  # never cached
        answer = session.post(
            base + "/prompt", json={"prompt": probe, "client_id": client_id}, timeout=timeout
        )
        checks["POST /prompt status"] = answer.status_code
        checks["POST /prompt keys"] = keys(answer.json())
        prompt_id = answer.json().get("prompt_id")
        messages = _messages_until_done(socket, prompt_id, timeout)
    finally:
        socket.close()
    checks["ws message types"] = [m["type"] for m in messages]
    for kind in dict.fromkeys(m["type"] for m in messages):
        data = next(m.get("data") for m in messages if m["type"] == kind)
        checks[f"ws {kind} keys"] = keys(data)
    entry = _history_entry(session, base, prompt_id, timeout)
    checks["history entry keys"] = keys(entry)
    checks["history status keys"] = keys(entry.get("status"))
    extra = entry.get("prompt", [None] * 4)[3] if isinstance(entry.get("prompt"), list) else None
    checks["history extra_data keys"] = keys(extra)
    jobs = session.get(base + f"/api/jobs/{prompt_id}", timeout=timeout)
    checks["jobs entry keys"] = keys(jobs.json()) if jobs.status_code == 200 else None
    return checks


def _messages_until_done(socket: Any, prompt_id: str, timeout: float) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        raw = socket.recv()
        if not isinstance(raw, str):
            continue
        message = json.loads(raw)
        if message.get("type") in VOLATILE_TYPES:
            continue
        data = message.get("data") or {}
        if data.get("prompt_id") not in (None, prompt_id):
            continue
        if message.get("type") in ("status", "feature_flags") and not messages:
            continue  # sent on connect, before the prompt: not part of its run
        messages.append(message)
        if message.get("type") == "executing" and data.get("node") is None:
            return messages
    raise TimeoutError(f"the probe prompt did not finish in {timeout:g} s")


def _history_entry(
    session: requests.Session, base: str, prompt_id: str, timeout: float
) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        entry = session.get(base + f"/history/{prompt_id}", timeout=timeout).json()
        if prompt_id in entry:
            found: dict[str, Any] = entry[prompt_id]
            return found
        time.sleep(0.05)
    return {}


def compare(old: dict[str, Any], new: dict[str, Any]) -> list[dict[str, Any]]:
    """Every check of either fingerprint, with both answers and whether they agree."""
    return [
        {
            "check": name,
            "old": old.get(name),
            "new": new.get(name),
            "same": old.get(name) == new.get(name),
        }
        for name in dict.fromkeys([*old, *new])
    ]
