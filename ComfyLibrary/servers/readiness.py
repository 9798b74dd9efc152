"""Waiting for a ComfyUI server to serve: ``GET /system_stats`` answers while it is alive."""

from __future__ import annotations

import http.client
import threading
import time
from collections.abc import Callable

from ComfyLibrary.errors import ServerStartError

POLL_SECONDS = 0.02


def http_answers(host: str, port: int, timeout: float = 1.0) -> bool:
    """Whether ``GET /system_stats`` answers 200 right now."""
    connection = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        connection.request("GET", "/system_stats")
        return connection.getresponse().status == 200
    except (OSError, http.client.HTTPException):
        return False
    finally:
        connection.close()


def wait_until_ready(
    name: str,
    host: str,
    port: int,
    timeout: float,
    alive: Callable[[], bool],
    exit_description: Callable[[], str],
    tail: Callable[[], str],
    give_up: Callable[[], None],
    output: threading.Event | None = None,
) -> None:
    """Polls until the server answers; fails fast with its last lines if it dies first.
    ``output``, set when the server prints a line (a mock's ready line), cuts a wait short."""
    deadline = time.monotonic() + timeout
    while True:
        if not alive():
            raise ServerStartError(
                f"Server {name} {exit_description()} before it was ready. Last log lines: {tail()}"
            )
        if http_answers(host, port, timeout=min(1.0, max(0.05, deadline - time.monotonic()))):
            return
        if time.monotonic() >= deadline:
            give_up()
            raise ServerStartError(
                f"Server {name} did not answer GET http://{host}:{port}/system_stats within "
                f"{timeout:g} seconds and was stopped. Last log lines: {tail()}"
            )
        if output is None:
            time.sleep(POLL_SECONDS)
        elif output.wait(POLL_SECONDS):
            output.clear()
