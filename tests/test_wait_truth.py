"""A wait reports what the server really did, within its timeout, whatever happens to
the connection or the server around the prompt's completion (real processes)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from ComfyLibrary.client import ComfyClient
from ComfyLibrary.errors import PromptLost, ServerUnreachable, WaitTimeout
from tests.conftest import start_mock
from tests.procs import run_robot
from tests.prompts import sampler_workflow

ROOT = Path(__file__).resolve().parents[1]
CANVAS = {
    "1": {
        "class_type": "EmptyImage",
        "inputs": {"width": 32, "height": 32, "batch_size": 1, "color": 123},
    },
    "2": {"class_type": "SaveImage", "inputs": {"images": ["1", 0], "filename_prefix": "w/t"}},
}


def test_a_crash_while_history_is_reread_still_reports_success(tmp_path):
    """The server finishes the prompt, then dies just as the client re-reads its history
    (after ``executing null``); once it is back, with its queue and history kept, the
    wait returns success instead of a connection error."""
    server = start_mock(tmp_path, keep_queue_on_restart=True)
    client = ComfyClient(server.url, http_retries=0)
    crashed = threading.Event()
    restarted = threading.Thread(target=lambda: (time.sleep(0.3), server.start(15)))
    real_history = client.history

    def history_then_crash(prompt_id=None, max_items=None, deadline=None):
        if prompt_id is not None and not crashed.is_set():
            crashed.set()
            server.kill()  # the entry is on disk: the mock saved it before executing null
            restarted.start()
        return real_history(prompt_id, max_items, deadline)

    client.history = history_then_crash
    try:
        client.connect(5)
        handle = client.submit(CANVAS)
        result = client.wait_for_completion(handle, 30)
        assert crashed.is_set(), "the crash never happened during the wait"
        assert result.status == "success"
        assert result.outputs["2"]["images"][0]["filename"].startswith("t_")
    finally:
        if restarted.is_alive():
            restarted.join(20)
        client.close()
        server.kill()


def test_submission_after_a_lost_answer_is_not_duplicated(tmp_path):
    """POST /prompt reached the server but the answer was lost: the client asks before it
    submits again, so the server runs the prompt once."""
    server = start_mock(tmp_path)
    client = ComfyClient(server.url)
    real_submit = client.http.submit_prompt
    calls = []

    def lose_first_answer(body):
        answer = real_submit(body)
        calls.append(answer["prompt_id"])
        if len(calls) == 1:
            raise ServerUnreachable("connection reset (POST /prompt)")
        return answer

    client.http.submit_prompt = lose_first_answer
    try:
        client.connect(5)
        handle = client.submit(CANVAS)
        client.wait_for_completion(handle, 10)
        assert calls == [handle.prompt_id]
        assert list(client.history(max_items=10)) == [handle.prompt_id]
    finally:
        client.close()
        server.kill()


def test_a_prompt_that_finishes_between_the_two_reads_is_not_submitted_again(tmp_path):
    """The cause of the duplicate seen under load: after a lost answer the client looked in
    the history (not there yet: still queued), then in the queue (not there any more:
    finished in between) and submitted again. The queue is read first now."""
    server = start_mock(tmp_path)
    client = ComfyClient(server.url)
    real_submit, real_queue, real_history = (
        client.http.submit_prompt,
        client.queue,
        client.history,
    )
    submitted, lookups = [], []

    def lose_first_answer(body):
        submitted.append(body["prompt_id"])
        answer = real_submit(body)
        if len(submitted) == 1:
            deadline = time.monotonic() + 10  # done before the lookups begin
            while not real_history(answer["prompt_id"]) and time.monotonic() < deadline:
                time.sleep(0.01)
            raise ServerUnreachable("connection reset (POST /prompt)")
        return answer

    def queue_as_first_seen(deadline=None):
        # the first read of either sees the prompt still queued; later reads see it done
        lookups.append("queue")
        if len(lookups) == 1:
            return {"queue_running": [[0, submitted[0], {}, {}, []]], "queue_pending": []}
        return real_queue(deadline=deadline)

    def history_as_first_seen(prompt_id=None, max_items=None, deadline=None):
        lookups.append("history")
        if len(lookups) == 1:
            return {}
        return real_history(prompt_id, max_items, deadline)

    client.http.submit_prompt = lose_first_answer
    client.queue = queue_as_first_seen
    client.history = history_as_first_seen
    try:
        client.connect(5)
        handle = client.submit(CANVAS)
        assert submitted == [handle.prompt_id], f"submitted {len(submitted)} times"
        assert lookups[0] == "queue"
    finally:
        client.close()
        server.kill()


def test_a_submission_is_never_repeated_while_the_server_cannot_say_it_has_it(tmp_path):
    """After a lost answer the lookup fails too: the client asks again instead of
    submitting blind, and submits again only once the server says it lacks the prompt."""
    server = start_mock(tmp_path)
    client = ComfyClient(server.url, http_retries=3)
    real_queue = client.queue
    submitted, lookups = [], []

    def lose_first_answer_before_the_server(body):
        submitted.append(body["prompt_id"])
        if len(submitted) == 1:
            raise ServerUnreachable("connection refused (POST /prompt)")
        return client.http.__class__.submit_prompt(client.http, body)

    def queue_unreachable_once(deadline=None):
        lookups.append("queue")
        if len(lookups) == 1:
            raise ServerUnreachable("connection refused (GET /queue)")
        return real_queue(deadline=deadline)

    client.http.submit_prompt = lose_first_answer_before_the_server
    client.queue = queue_unreachable_once
    try:
        client.connect(5)
        handle = client.submit(CANVAS)
        client.wait_for_completion(handle, 10)
        assert len(submitted) == 2, "submitted again before the server said it lacks it"
        assert lookups == ["queue", "queue"]
        assert list(client.history(max_items=10)) == [handle.prompt_id]
    finally:
        client.close()
        server.kill()


def test_a_wait_on_a_hung_server_ends_at_its_timeout(tmp_path):
    server = start_mock(tmp_path)
    client = ComfyClient(server.url, timeout=30)
    try:
        client.connect(5)
        handle = client.submit(sampler_workflow(steps=400, seed=11))
        client.events.wait_for(lambda e: e.type == "progress", 10)
        server.freeze()
        started = time.monotonic()
        with pytest.raises(WaitTimeout) as failure:
            client.wait_for_completion(handle, 2)
        took = time.monotonic() - started
        # the HTTP timeout is 30 s: each call inside the wait is cut to the time left
        assert took < 2 + 1.5, f"the wait took {took:.1f} s"
        message = str(failure.value)
        assert "did not complete in 2 seconds: it was running node" in message
        assert "\n" not in message
    finally:
        server.thaw()
        client.close()
        server.kill()


def test_a_lost_prompt_is_declared_only_once_the_server_answers(tmp_path):
    """ComfyUI's default: the queue is lost on restart. While the server is down the wait
    keeps going; once it answers without the prompt, the prompt is lost, with no hang."""
    server = start_mock(tmp_path, stall=True)
    client = ComfyClient(server.url)
    try:
        client.connect(5)
        handle = client.submit(CANVAS)
        server.kill()
        restart = threading.Timer(1.5, lambda: server.start(15))
        restart.start()
        started = time.monotonic()
        with pytest.raises(PromptLost, match="answers but has it neither queued"):
            client.wait_for_completion(handle, 30)
        assert time.monotonic() - started >= 1.0, "declared lost while the server was down"
        restart.join()
    finally:
        client.close()
        server.kill()


def test_a_robot_test_timeout_interrupts_a_wait_on_a_hung_server(tmp_path):
    suite = tmp_path / "hung.robot"
    suite.write_text(
        f"""*** Settings ***
Resource    {ROOT / "resources" / "comfy.resource"}

*** Test Cases ***
Hung Server
    [Timeout]    4s
    Start A Mock ComfyUI And Connect
    ${{prompt_id}} =    Start A Slow Workflow
    Freeze Server
    Log To Console    FROZEN-AT ${{{{time.time()}}}}
    Wait For Completion    ${{prompt_id}}    timeout=2 minutes
"""
    )
    run = run_robot(suite, tmp_path / "out", timeout=90)
    ended = time.time()
    assert "Test timeout 4 seconds exceeded." in run.stdout, run.stdout
    frozen_at = float(run.stdout.split("FROZEN-AT ")[1].split()[0])
    # the test timeout fires within 4 s of the test start, before the freeze plus 4 s;
    # what follows is cleanup and Robot writing its output
    assert ended - frozen_at < 4 + 10, run.stdout
