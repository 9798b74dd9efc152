"""A mock server this run did not start (a container of a compose stack, say), used by URL.

Its faults are injected over its control routes as a started mock's are; killing, stopping,
freezing or restarting it is refused in one line, since its process belongs to someone else.
"""

from __future__ import annotations

from typing import NoReturn
from urllib.parse import urlsplit

from ComfyLibrary.errors import ComfyError
from ComfyLibrary.servers.mock_control import control
from ComfyLibrary.servers.readiness import http_answers


class RunningMock:
    """A mock serving at ``url`` whose process this run does not own."""

    kind = "mock"
    frozen = False
    pid = None
    on_dispose: tuple = ()

    def __init__(self, url: str, name: str, control_token: str | None = None):
        parts = urlsplit(url.rstrip("/"))
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ComfyError(f"'{url}' is not a server URL: give one like http://mock:8188.")
        self.url = url.rstrip("/")
        self.name = name
        self.host = parts.hostname
        self.port = parts.port or (443 if parts.scheme == "https" else 80)
        self.control_token = control_token

    def faults(self) -> dict:
        """The mock's faults (``GET /mock/faults``): fails unless the URL is a mock's."""
        return control(self.url, "faults", None, token=self.control_token)

    def answers(self, timeout: float = 1.0) -> bool:
        return http_answers(self.host, self.port, timeout)

    def is_running(self) -> bool:
        return self.answers()

    def refuse(self, action: str) -> NoReturn:
        raise ComfyError(
            f"Server '{self.name}' at {self.url} runs outside this test run, so it cannot be "
            f"{action} from here: start a mock of this run's own with Start Mock Server for that."
        )

    def kill(self) -> None:
        self.refuse("killed")

    def stop(self, timeout: float = 10.0) -> bool:
        self.refuse("stopped")

    def start(self, ready_timeout: float = 30.0) -> float:
        self.refuse("restarted")

    def freeze(self) -> None:
        self.refuse("frozen")

    def thaw(self) -> None:
        self.refuse("thawed")

    def log_tail(self, lines: int = 20) -> list[str]:
        return []
