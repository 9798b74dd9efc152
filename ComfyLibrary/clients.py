"""Clients opened by the library, by alias, with a current client."""

from __future__ import annotations

import contextlib
import threading

from ComfyLibrary.client import ComfyClient
from ComfyLibrary.errors import ComfyError


class ClientRegistry:
    def __init__(self) -> None:
        self._clients: dict[str, ComfyClient] = {}
        self._lock = threading.Lock()
        self.current: str | None = None

    def add(self, alias: str | None, client: ComfyClient) -> str:
        with self._lock:
            if alias is None:
                index = len(self._clients) + 1
                while f"client{index}" in self._clients:
                    index += 1
                alias = f"client{index}"
            old = self._clients.get(alias)
            self._clients[alias] = client
            self.current = alias
        if old is not None:
            old.close()
        return alias

    def get(self, alias: str | None = None) -> tuple[str, ComfyClient]:
        with self._lock:
            key = alias if alias is not None else self.current
            if key is None or key not in self._clients:
                if alias is None:
                    raise ComfyError("No client is connected: use Connect To ComfyUI first.")
                known = ", ".join(self._clients) or "none"
                raise ComfyError(f"No client '{alias}' (connected clients: {known}).")
            return key, self._clients[key]

    def remove(self, alias: str | None = None) -> tuple[str, ComfyClient]:
        key, client = self.get(alias)
        with self._lock:
            self._clients.pop(key, None)
            if self.current == key:
                self.current = next(reversed(self._clients), None) if self._clients else None
        return key, client

    def aliases(self) -> list[str]:
        with self._lock:
            return list(self._clients)

    def close(self, alias: str) -> None:
        with self._lock:
            client = self._clients.pop(alias, None)
            if self.current == alias:
                self.current = next(reversed(self._clients), None) if self._clients else None
        if client is not None:
            with contextlib.suppress(Exception):
                client.close()

    def close_all(self) -> None:
        for alias in self.aliases():
            self.close(alias)
