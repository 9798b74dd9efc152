"""The client against real mock processes: completion, failures, lost prompts."""

from __future__ import annotations

import re
import time

import pytest

from ComfyLibrary.client import ComfyClient, ConnectionState
from ComfyLibrary.errors import (
    ComfyHttpError,
    PromptFailed,
    PromptLost,
    PromptRejected,
    ServerUnreachable,
    WaitTimeout,
)
from ComfyLibrary.servers.ports import free_port
from tests.conftest import start_mock
from tests.prompts import sampler_workflow

CANVAS = {
    "1": {
        "class_type": "EmptyImage",
        "inputs": {"width": 64, "height": 32, "batch_size": 1, "color": 255},
    },
    "2": {"class_type": "SaveImage", "inputs": {"images": ["1", 0], "filename_prefix": "t/c"}},
}


@pytest.fixture
def client(mock_server):
    instance = ComfyClient(mock_server.url)
    instance.connect(5)
    yield instance
    instance.close()


def test_completes_and_downloads(client, tmp_path):
    handle = client.submit(CANVAS)
    result = client.wait_for_completion(handle, 10)
    assert result.status == "success"
    files = client.download_outputs(result.history, tmp_path / "dl")
    assert [f.relative_to(tmp_path / "dl").as_posix() for f in files] == ["t/c_00001_.png"]


def test_execution_error_is_one_readable_line(client):
    huge = {
        **CANVAS,
        "1": {
            "class_type": "EmptyImage",
            "inputs": {"width": 16384, "height": 16384, "batch_size": 4096, "color": 0},
        },
    }
    handle = client.submit(huge)
    with pytest.raises(PromptFailed) as failure:
        client.wait_for_completion(handle, 10)
    message = str(failure.value)
    assert "\n" not in message
    assert f"Prompt {handle.prompt_id} failed at node 1 (EmptyImage): RuntimeError:" in message


def test_rejection_names_node_class_and_input(client):
    broken = {
        **CANVAS,
        "1": {
            "class_type": "EmptyImage",
            "inputs": {"width": 0, "height": 32, "batch_size": 1, "color": 0},
        },
    }
    with pytest.raises(
        PromptRejected,
        match=r"node 1 \(EmptyImage\) input 'width': value 0 below "
        r"minimum 1",
    ):
        client.submit(broken)


def test_unreachable_server_is_one_clear_line():
    client = ComfyClient(f"http://127.0.0.1:{free_port()}")
    with pytest.raises(ServerUnreachable, match="connection refused"):
        client.connect(2)
    client.close()


def test_timeout_says_where_the_prompt_was(tmp_path):
    server = start_mock(tmp_path, step_ms=50)
    client = ComfyClient(server.url)
    try:
        client.connect(5)
        handle = client.submit(sampler_workflow(steps=200))
        with pytest.raises(WaitTimeout, match=r"it was running node 3 at step \d+ of 200"):
            client.wait_for_completion(handle, 0.5)
    finally:
        client.close()
        server.kill()


def test_prompt_lost_to_a_crash_fails_clearly(tmp_path):
    server = start_mock(tmp_path, step_ms=50)
    client = ComfyClient(server.url)
    try:
        client.connect(5)
        handle = client.submit(sampler_workflow(steps=200))
        client.events.wait_for(lambda e: e.type == "progress", 5)
        server.kill()
        server.start(15)
        with pytest.raises(PromptLost, match="neither queued, running nor in its history"):
            client.wait_for_completion(handle, 15)
        assert client.connection.wait_for_state({ConnectionState.CONNECTED}, 5)
    finally:
        client.close()
        server.kill()


def test_closing_a_client_stops_it_for_good(mock_server):
    client = ComfyClient(mock_server.url)
    client.connect(5)
    client.close()
    assert client.state is ConnectionState.CLOSED
    assert not client.connection._thread.is_alive()


def fail_prompts(server, **body) -> None:
    import requests

    answer = requests.post(f"{server.url}/mock/fail_prompts", json=body, timeout=5)
    assert answer.status_code == 200, answer.text


@pytest.mark.parametrize("status", [429, 503])
def test_ask_again_later_is_waited_out_as_retry_after_says(client, mock_server, status):
    fail_prompts(mock_server, mode="http", status=status, count=2, retry_after=0.3)
    started = time.monotonic()
    handle = client.submit(sampler_workflow(steps=1))
    took = time.monotonic() - started
    assert client.wait_for_completion(handle, 10).status == "success"
    assert took >= 0.6, f"asked again after {took:.2f} s, before Retry-After"


def test_a_retry_after_beyond_the_time_left_fails_at_once_in_one_line(mock_server):
    impatient = ComfyClient(mock_server.url, timeout=2)
    try:
        fail_prompts(mock_server, mode="http", status=503, count=1, retry_after=60)
        with pytest.raises(ComfyHttpError) as failure:
            impatient.submit(sampler_workflow(steps=1))
        message = str(failure.value)
        assert "HTTP 503" in message
        # it gave up at once, saying so, rather than waiting past its 2 s
        assert re.search(r"asked to be asked again in 60 s; \d+\.\d s were left\.$", message)
        assert "\n" not in message
    finally:
        impatient.close()
