"""What the library shows when one of its keywords fails, like SeleniumLibrary's
screenshot on failure: each server's last log lines, the queue and the last events."""

from __future__ import annotations

import contextlib
import json
from typing import Any

import requests
from robotlibcore import keyword

from ComfyLibrary.keywords.context import LibraryComponent
from ComfyLibrary.scopes import SettingScope

DEFAULT_RUN_ON_FAILURE = "Log ComfyUI Diagnostics"
LOG_LINES = 15
EVENTS = 12


def normalise_keyword(name: str | None) -> str | None:
    """None for an empty name or ``NONE`` (any case): nothing runs on failure."""
    text = str(name or "").strip()
    return None if not text or text.upper() == "NONE" else text


class DiagnosticsKeywords(LibraryComponent):
    """Failure diagnostics."""

    @keyword("Register Keyword To Run On Failure", tags=("Diagnostics",))
    def register_keyword_to_run_on_failure(
        self, keyword: str | None, *args: Any, scope: SettingScope = SettingScope.GLOBAL
    ) -> str:
        """Sets the keyword run when a ComfyLibrary keyword fails, with ``args``; returns
        the name of the previous one.

        ``NONE`` turns it off. The keyword runs once per failure; if it fails itself, a
        warning says so and the original failure stands. The default is `Log ComfyUI
        Diagnostics` (or the ``run_on_failure`` import argument). ``scope``
        (`SettingScope`: ``Global``, ``Suite`` or ``Test``) says how long it holds; the
        previous keyword, with its arguments, comes back when that scope ends.

        Example:
        | ${previous} =    Register Keyword To Run On Failure    NONE
        | Register Keyword To Run On Failure    Capture Page Screenshot    failure.png
        | Register Keyword To Run On Failure    Log    Generation failed    WARN    scope=Test
        | Register Keyword To Run On Failure    ${previous}
        """
        name = normalise_keyword(keyword)
        previous = self.library.set_scoped(
            "run_on_failure", (name, tuple(args)) if name else None, scope
        )
        shown = " ".join([name, *map(str, args)]) if name else "none"
        self.info(f"Keyword to run on failure: {shown} ({scope.value} scope).")
        return previous[0] if previous else "NONE"

    @keyword("Log ComfyUI Diagnostics", tags=("Diagnostics",))
    def log_comfyui_diagnostics(self) -> str:
        """Logs, for each server the library runs, the last lines of its log; then the
        current client's connection state, the server's queue and the client's last
        events. Returns the same text. Never fails: what cannot be read is said so.

        It runs by itself when a ComfyLibrary keyword fails (see `Failures and
        diagnostics`).

        Example:
        | Log ComfyUI Diagnostics
        """
        sections = [self._server_section(alias) for alias in self.library.servers.aliases()]
        sections.append(self._client_section())
        text = "\n\n".join(s for s in sections if s)
        self.info(text or "No servers started and no client connected.")
        return text

    def _server_section(self, alias: str) -> str:
        try:
            server = self.library.servers.get(alias)
            running = server.is_running()
            tail = server.log_tail(LOG_LINES)
        except Exception as exc:
            return f"Server '{alias}': cannot be inspected ({exc})."
        state = "running" if running else "not running"
        lines = "\n".join(f"  {line}" for line in tail) or "  (no output)"
        return f"Server '{alias}' at {server.url} ({state}), last {len(tail)} log lines:\n{lines}"

    def _client_section(self) -> str:
        try:
            alias, client = self.library.clients.get(None)
        except Exception:
            return ""
        parts = [f"Client '{alias}' at {client.url}: {client.state.value}."]
        parts.append("Queue: " + self._queue_summary(client))
        events = client.events.events()[-EVENTS:]
        if events:
            parts.append(f"Last {len(events)} events:")
            parts.extend(f"  {event.type} {_short(event.data)}" for event in events)
        return "\n".join(parts)

    @staticmethod
    def _queue_summary(client: Any) -> str:
        """A fresh, quick look at ``/queue`` that leaves the client's breaker alone."""
        try:
            answer = requests.get(
                f"{client.url}/queue", timeout=1.0, headers=dict(client.http.session.headers)
            )
            queue = answer.json()
        except (requests.RequestException, ValueError) as exc:
            return f"unknown (the server did not answer: {type(exc).__name__})"
        running = [item[1] for item in queue.get("queue_running", [])]
        pending = [item[1] for item in queue.get("queue_pending", [])]
        return f"{len(running)} running {running}, {len(pending)} pending {pending[:10]}"


def _short(data: Any, limit: int = 160) -> str:
    if isinstance(data, dict):
        data = {k: v for k, v in data.items() if k != "image"}
    text = ""
    with contextlib.suppress(TypeError, ValueError):
        text = json.dumps(data, default=str)
    text = text or str(data)
    return text if len(text) <= limit else text[:limit] + "..."
