"""The live line a long wait shows on a terminal: what the prompt is doing, refreshed a few
times a second at most, ended with a newline, and never written where no terminal is."""

from __future__ import annotations

import io
import threading
import time

import requests

from ComfyLibrary.client import ComfyClient
from ComfyLibrary.client.progress import LiveLine, console_line
from tests.conftest import start_mock
from tests.prompts import sampler_workflow


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_line_is_rewritten_in_place_at_most_a_few_times_a_second_and_ended():
    screen = Terminal()
    line = LiveLine(screen, interval=0.2)
    for index in range(50):  # a burst: only the first is shown
        line(f"step {index}")
    assert screen.getvalue().count("\r") == 1
    time.sleep(0.25)
    line("step 99")
    line.close()
    text = screen.getvalue()
    assert text.count("\r") == 2
    assert "step 99" in text
    assert text.endswith("\n")


def test_no_line_where_no_terminal_is_or_when_turned_off(monkeypatch):
    import sys

    monkeypatch.setattr(sys, "__stdout__", io.StringIO())
    assert console_line() is None
    monkeypatch.setattr(sys, "__stdout__", Terminal())
    assert console_line() is not None
    assert console_line(enabled=False) is None
    monkeypatch.setenv("COMFY_CONSOLE_PROGRESS", "0")
    assert console_line() is None


def test_a_wait_tells_the_node_the_step_and_the_queue_position(tmp_path):
    server = start_mock(tmp_path, step_ms=40)
    client = ComfyClient(server.url)
    shown: list[str] = []
    try:
        client.connect(10)
        requests.post(f"{server.url}/mock/stall", json={"stalled": True}, timeout=5)
        first = client.submit(sampler_workflow(steps=10, seed=1))
        second = client.submit(sampler_workflow(steps=10, seed=2))
        threading.Timer(
            1.5,
            lambda: requests.post(f"{server.url}/mock/stall", json={"stalled": False}, timeout=5),
        ).start()
        completion = client.wait_for_completion(second, 60, shown.append)
        assert completion.status == "success"
        assert client.wait_for_completion(first, 60).status == "success"
    finally:
        client.close()
        server.kill()
    text = "\n".join(shown)
    assert f"Prompt {second.prompt_id[:8]}: queued at position" in text
    assert "at step" in text
    assert shown[-1].endswith(" s")
