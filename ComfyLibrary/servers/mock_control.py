"""Calls to the mock server's fault-injection routes under /mock/."""

from __future__ import annotations

from typing import Any

import requests

from ComfyLibrary.errors import ComfyError
from ComfyLibrary.protocol import MOCK_CONTROL_TOKEN_HEADER


def control(
    url: str, route: str, body: dict[str, Any] | None = None, token: str | None = None
) -> dict[str, Any]:
    """POSTs ``body`` to ``/mock/<route>`` (GET when ``body`` is None) and returns the faults.

    ``token`` is the mock's control token, needed when it listens beyond loopback."""
    target = f"{url}/mock/{route}"
    headers = {MOCK_CONTROL_TOKEN_HEADER: token} if token else {}
    try:
        if body is None:
            answer = requests.get(target, timeout=10, headers=headers)
        else:
            answer = requests.post(target, json=body, timeout=10, headers=headers)
    except requests.RequestException as exc:
        raise ComfyError(f"Cannot reach the mock server's control route {target}: {exc}") from None
    if answer.status_code == 404:
        raise ComfyError(
            f"{url} has no /mock/ control routes: faults can only be injected into "
            "a mock server (use the network proxy for a real ComfyUI)."
        )
    if answer.status_code != 200:
        raise ComfyError(f"The mock refused {route}: {answer.text.strip()[:200]}")
    return answer.json()
