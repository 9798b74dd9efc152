"""Queue, history, jobs and control routes against the recorded ComfyUI 0.8 session.

The recording held a slow prompt running while others were queued, deleted and
cleared. Here the mock's stall fault holds the prompt instead of a slow node, and
every recorded request is replayed in order with the recorded prompt ids mapped
to ours. Each answer must have the recorded status, content type and JSON structure.
"""

from __future__ import annotations

import json
import time

import requests

from tests.conftest import reference
from tests.procs import wait_until
from tests.wsprobe import shape

RECORDING = reference("queue_history.json")
SKIP = {"posts", "ws_during_queue_ops"}


def compatible(ours, theirs, path="$"):
    """Same keys and value types; an empty list matches any list."""
    if isinstance(theirs, dict):
        assert isinstance(ours, dict), f"{path}: expected an object, got {ours!r}"
        assert set(ours) == set(theirs), f"{path}: keys {sorted(ours)} != {sorted(theirs)}"
        for key in theirs:
            compatible(ours[key], theirs[key], f"{path}.{key}")
    elif isinstance(theirs, list):
        assert isinstance(ours, list), f"{path}: expected a list, got {ours!r}"
        if ours and theirs:
            compatible(ours[0], theirs[0], f"{path}[0]")
    else:
        assert shape(ours) == shape(theirs) or theirs is None or ours is None, (
            f"{path}: {ours!r} is not like {theirs!r}"
        )


class Replay:
    def __init__(self, url: str):
        self.url = url
        self.ids: dict[str, str] = {}

    def map(self, text: str) -> str:
        for recorded, ours in self.ids.items():
            text = text.replace(recorded, ours)
        return text

    def send(self, request: dict) -> requests.Response:
        path = self.map(request["path"])
        if "json" in request:
            body = json.loads(self.map(json.dumps(request["json"])))
            return requests.request(request["method"], self.url + path, json=body, timeout=10)
        return requests.request(
            request["method"],
            self.url + path,
            data=request.get("data"),
            headers=request.get("headers"),
            timeout=10,
        )

    def check(self, key: str) -> requests.Response:
        case = RECORDING[key]
        answer = self.send(case["request"])
        expected = case["response"]
        assert answer.status_code == expected["status"], key
        assert answer.headers.get("Content-Type") == expected["headers"].get("Content-Type"), key
        if "json" in expected and expected["json"] is not None:
            body = answer.json()
            theirs = json.loads(self.map(json.dumps(expected["json"])))
            compatible(body, theirs, key)
        return answer

    def post(self, recorded: dict) -> str:
        answer = self.send(recorded["request"]).json()
        self.ids[recorded["response"]["json"]["prompt_id"]] = answer["prompt_id"]
        return answer["prompt_id"]

    def wait_for_history(self, prompt_id: str) -> dict:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            entry = requests.get(f"{self.url}/history/{prompt_id}", timeout=5).json()
            if entry:
                return entry[prompt_id]
            time.sleep(0.02)
        raise AssertionError(f"{prompt_id} never reached the history")


def test_queue_history_and_jobs_session_matches_comfyui(mock_server):
    replay = Replay(mock_server.url)
    keys = [k for k in RECORDING if k not in SKIP]
    for key in keys[: keys.index("queue_running_and_pending")]:
        replay.check(key)

    requests.post(f"{mock_server.url}/mock/stall", json={"stalled": True}, timeout=5)
    slow = replay.post(RECORDING["posts"]["slow"])
    assert wait_until(
        lambda: requests.get(f"{mock_server.url}/queue", timeout=5).json()["queue_running"],
        timeout=10,
    ), "the worker never took the slow prompt"
    for name in ("p1", "p2", "p3_front"):
        replay.post(RECORDING["posts"][name])
    queue = replay.check("queue_running_and_pending").json()
    assert [item[1] for item in queue["queue_running"]] == [slow]
    assert [item[0] for item in queue["queue_pending"]] == [-3, 2, 1]  # the raw heap
    assert replay.check("prompt_while_running").json() == {"exec_info": {"queue_remaining": 4}}
    for key in keys[keys.index("jobs_while_running") : keys.index("interrupt_running") + 1]:
        replay.check(key)
    interrupted = replay.wait_for_history(slow)
    assert interrupted["status"]["status_str"] == "error"
    requests.post(f"{mock_server.url}/mock/stall", json={"stalled": False}, timeout=5)
    replay.check("history_after_interrupt")
    replay.check("history_of_deleted_pending")

    recorded_runs = RECORDING["history_after_runs"]["response"]["json"]
    for recorded_id, entry in recorded_runs.items():
        if recorded_id in replay.ids:
            continue
        _, _, prompt, extra_data, _ = entry["prompt"]
        answer = requests.post(
            f"{mock_server.url}/prompt",
            json={"prompt": prompt, "client_id": extra_data.get("client_id")},
            timeout=5,
        ).json()
        replay.ids[recorded_id] = answer["prompt_id"]
        replay.wait_for_history(answer["prompt_id"])
    for key in keys[keys.index("history_after_runs") :]:
        replay.check(key)
