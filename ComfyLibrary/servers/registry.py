"""Servers started by the library, by alias, so that cleanup finds every one."""

from __future__ import annotations

import atexit
import contextlib
import threading
import weakref
from typing import Any

from ComfyLibrary.errors import ComfyError
from ComfyLibrary.servers.external import RunningMock
from ComfyLibrary.servers.guardian import GUARDIAN
from ComfyLibrary.servers.process import ServerProcess
from ComfyLibrary.servers.zygote import ZYGOTES

_REGISTRIES: weakref.WeakSet[ServerRegistry] = weakref.WeakSet()


def kill_every_server() -> None:
    """Kills every server of every registry in this process (the process is going away)."""
    for registry in list(_REGISTRIES):
        registry.kill_all()
    ZYGOTES.discard()
    GUARDIAN.close()


class ServerRegistry:
    """Aliases -> servers, with a current server, and a kill-all at interpreter exit."""

    def __init__(self) -> None:
        self._servers: dict[str, Any] = {}  # ServerProcess or ContainerServer
        self._lock = threading.Lock()
        self.current: str | None = None
        _REGISTRIES.add(self)
        atexit.register(self.kill_all)

    def add(self, alias: str, server: Any) -> None:
        with self._lock:
            self._servers[alias] = server
            self.current = alias

    def get(self, alias: str | None = None) -> ServerProcess:
        with self._lock:
            key = alias if alias is not None else self.current
            if key is None or key not in self._servers:
                known = ", ".join(self._servers) or "none"
                what = f"'{alias}'" if alias is not None else "current"
                raise ComfyError(
                    f"No {what} server: start one with Start Mock Server (known servers: {known})"
                )
            return self._servers[key]

    def aliases(self) -> list[str]:
        with self._lock:
            return list(self._servers)

    def remove(self, alias: str) -> ServerProcess | None:
        with self._lock:
            server = self._servers.pop(alias, None)
            if self.current == alias:
                self.current = next(reversed(self._servers), None) if self._servers else None
            return server

    def unique_alias(self, base: str) -> str:
        with self._lock:
            if base not in self._servers:
                return base
            index = 2
            while f"{base}-{index}" in self._servers:
                index += 1
            return f"{base}-{index}"

    def kill_all(self) -> None:
        for alias in self.aliases():
            server = self.remove(alias)
            if server is not None:
                dispose(server, graceful=False)


def dispose(server: Any, graceful: bool = True) -> None:
    """Ends a server for good: a process is stopped (or killed), a container also removed.
    A server this run did not start (`RunningMock`) is only forgotten."""
    if isinstance(server, RunningMock):
        return
    with contextlib.suppress(Exception):
        if graceful:
            server.stop(5)
        else:
            server.kill()
    remove = getattr(server, "remove", None)
    if remove is not None:
        with contextlib.suppress(Exception):
            remove()
    for undo in getattr(server, "on_dispose", ()):  # e.g. custom node packs linked for it
        with contextlib.suppress(Exception):
            undo()
