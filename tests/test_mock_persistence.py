"""A mock that keeps its queue across restarts never loses a prompt it acknowledged, and
a state folder it cannot read back is set aside, not fatal."""

from __future__ import annotations

import json
import time

import requests

from ComfyLibrary.mock.persistence import STATE_FOLDER
from tests.conftest import start_mock

CANVAS = {
    "1": {
        "class_type": "EmptyImage",
        "inputs": {"width": 32, "height": 32, "batch_size": 1, "color": 99},
    },
    "2": {"class_type": "SaveImage", "inputs": {"images": ["1", 0], "filename_prefix": "p/c"}},
}


def wait_until_dead(server, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while server.is_running() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not server.is_running(), "the injected crash did not end the mock"


def test_a_crash_right_after_the_answer_keeps_every_acknowledged_prompt(tmp_path):
    """The mock dies the instant it has answered 200 (the `crash` fault): with the queue
    kept, each acknowledged prompt is queued or done after the restart."""
    server = start_mock(tmp_path, keep_queue_on_restart=True, stall=True)
    acknowledged = []
    try:
        for _ in range(5):
            control = requests.post(
                f"{server.url}/mock/fail_prompts", json={"mode": "crash", "count": 1}, timeout=5
            )
            assert control.status_code == 200, control.text
            answer = requests.post(f"{server.url}/prompt", json={"prompt": CANVAS}, timeout=5)
            assert answer.status_code == 200, answer.text
            acknowledged.append(answer.json()["prompt_id"])
            wait_until_dead(server)
            server.start(15)
        queue = requests.get(f"{server.url}/queue", timeout=5).json()
        queued = {item[1] for item in queue["queue_running"] + queue["queue_pending"]}
        history = requests.get(f"{server.url}/history", timeout=5).json()
        lost = [p for p in acknowledged if p not in queued and p not in history]
        assert lost == [], f"acknowledged, then lost in the crash: {lost}"
    finally:
        server.kill()


def test_unreadable_state_files_are_set_aside_and_the_mock_starts(tmp_path):
    state = tmp_path / "out" / STATE_FOLDER
    (state / "history").mkdir(parents=True)
    no_id = state / "history" / "no-id.json"
    no_id.write_text(json.dumps({"sequence": 1, "entry": {"outputs": {}}}))
    not_json = state / "history" / "torn.json"
    not_json.write_text('{"sequence": 2, "prompt_id": "x", "entr')
    good = state / "history" / "good.json"
    status = {"status_str": "success", "completed": True, "messages": []}
    entry = {"prompt": [1, "kept", {}, {}, []], "outputs": {}, "status": status, "meta": {}}
    good.write_text(json.dumps({"sequence": 3, "prompt_id": "kept", "entry": entry}))
    (state / "queue.json").write_text(json.dumps({"pending": [["not", "an", "item"]]}))
    server = start_mock(tmp_path, keep_queue_on_restart=True)
    try:
        history = requests.get(f"{server.url}/history", timeout=5).json()
        assert list(history) == ["kept"]
        for path in (no_id, not_json, state / "queue.json"):
            assert not path.exists()
            assert path.with_name(path.name + ".corrupt").exists()
        log = server.log_path.read_text()
        assert "no-id.json holds a history entry without its prompt id" in log
        assert "set aside as queue.json.corrupt" in log
        assert "Traceback" not in log
    finally:
        server.kill()
