"""A minimal ComfyUI WebSocket reader for tests, built on websocket-client only
(independent of the library's client), that renders frames like the reference traces."""

from __future__ import annotations

import json
import struct
import uuid
from typing import Any

import requests
import websocket


def compact(frame: dict[str, Any]) -> str:
    """The reference traces' one-line form of a frame, e.g. ``progress_state(1:running)``."""
    kind, data = frame["type"], frame.get("data") or {}
    if kind == "status":
        return f"status(queue_remaining={data['status']['exec_info']['queue_remaining']})"
    if kind in ("executing", "executed", "progress"):
        return f"{kind}(node={data.get('node')})"
    if kind == "progress_state":
        nodes = ",".join(f"{k}:{v['state']}" for k, v in data["nodes"].items())
        return f"progress_state({nodes})"
    return kind


def shape(value: Any) -> Any:
    """The structure of a JSON value: keys and value types, not the values."""
    if isinstance(value, dict):
        return {k: shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if value is None:
        return "null"
    return type(value).__name__


class Probe:
    def __init__(self, url: str, client_id: str | None = None):
        self.url = url
        self.client_id = client_id or uuid.uuid4().hex
        self.ws = websocket.create_connection(
            f"ws{url[4:]}/ws?clientId={self.client_id}", timeout=10
        )
        self.frames: list[dict[str, Any]] = []

    def recv(self) -> dict[str, Any]:
        opcode, data = self.ws.recv_data_frame(True)
        if opcode == websocket.ABNF.OPCODE_BINARY:
            (kind,) = struct.unpack(">I", data.data[:4])
            frame = {"type": "BINARY", "kind": kind, "raw": data.data}
        else:
            frame = json.loads(data.data)
        self.frames.append(frame)
        return frame

    def run(
        self, prompt: dict[str, Any], on_frame=None, **body: Any
    ) -> tuple[str, list[dict[str, Any]]]:
        """Posts a prompt and reads until ``executing`` with ``node: null`` for it; calls
        ``on_frame(prompt_id, frame)`` for each frame on the way (to act mid-run)."""
        answer = requests.post(
            f"{self.url}/prompt",
            json={"prompt": prompt, "client_id": self.client_id, **body},
            timeout=10,
        )
        answer.raise_for_status()
        prompt_id = answer.json()["prompt_id"]
        while True:
            frame = self.recv()
            if on_frame is not None:
                on_frame(prompt_id, frame)
            data = frame.get("data") or {}
            if (
                frame["type"] == "executing"
                and data.get("node") is None
                and data.get("prompt_id") == prompt_id
            ):
                return prompt_id, self.frames

    def close(self) -> None:
        self.ws.close()
