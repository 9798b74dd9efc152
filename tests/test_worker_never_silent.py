"""Nothing stalls in silence and nothing acknowledged is lost: a saved prompt the mock
cannot run, a prompt that breaks the run machinery, a worker that dies anyway, damaged
history entries, and a kill between the two writes of a save."""

from __future__ import annotations

import copy
import json
import time

import pytest
import requests

from ComfyLibrary.client import ComfyClient
from ComfyLibrary.errors import ComfyHttpError
from ComfyLibrary.mock.persistence import STATE_FOLDER, StateStore
from ComfyLibrary.mock.prompt_queue import PromptQueue
from tests.conftest import start_mock

CANVAS = {
    "1": {
        "class_type": "EmptyImage",
        "inputs": {"width": 16, "height": 16, "batch_size": 1, "color": 5},
    },
    "2": {"class_type": "SaveImage", "inputs": {"images": ["1", 0], "filename_prefix": "w/c"}},
}
SAVED = {"filename": "c_00001_.png", "subfolder": "w", "type": "output"}
GOOD_ENTRY = {
    "prompt": [1, "good", CANVAS, {"client_id": "c", "create_time": 1}, ["2"]],
    "outputs": {"2": {"images": [SAVED]}},
    "status": {"status_str": "success", "completed": True, "messages": []},
    "meta": {},
}  # fmt: skip


def saved_queue(tmp_path, *items) -> None:
    state = tmp_path / "out" / STATE_FOLDER
    state.mkdir(parents=True, exist_ok=True)
    (state / "queue.json").write_text(json.dumps({"pending": [list(i) for i in items]}))


def runs_a_prompt(server) -> None:
    client = ComfyClient(server.url)
    try:
        client.connect(10)
        completion = client.wait_for_completion(client.submit(CANVAS), 20)
        assert completion.status == "success"
    finally:
        client.close()


def test_a_saved_prompt_of_an_unknown_class_is_set_aside_and_the_worker_runs_on(tmp_path):
    unknown = {"1": {"class_type": "NodeOfAPackThatIsGone", "inputs": {}}}
    saved_queue(tmp_path, [1, "stale", unknown, {}, ["1"]], [2, "fine", CANVAS, {}, ["2"]])
    server = start_mock(tmp_path, keep_queue_on_restart=True)
    try:
        runs_a_prompt(server)
        history = requests.get(f"{server.url}/history", timeout=5).json()
        assert history["fine"]["status"]["status_str"] == "success"
        assert "stale" not in history
        log = server.log_path.read_text()
        assert "cannot run (a node class its catalog lacks): stale" in log
        set_aside = tmp_path / "out" / STATE_FOLDER / "queue.set-aside.json"
        assert json.loads(set_aside.read_text())["pending"][0][1] == "stale"
    finally:
        server.kill()


def test_a_prompt_queued_after_a_restart_gets_a_number_after_the_kept_ones(tmp_path):
    """Else it jumps the queue: the counter started again at 0 below the kept prompts, and
    a client's prompt ran before the ones queued before the restart."""
    saved_queue(tmp_path, [7, "kept", CANVAS, {}, ["2"]])
    server = start_mock(tmp_path, keep_queue_on_restart=True)
    try:
        answer = requests.post(f"{server.url}/prompt", json={"prompt": CANVAS}, timeout=5)
        assert answer.json()["number"] == 8
    finally:
        server.kill()


def test_a_prompt_that_breaks_the_run_fails_as_comfyui_fails_and_the_worker_goes_on(tmp_path):
    # outputs naming a node the prompt lacks: the graph walk itself fails
    saved_queue(tmp_path, [1, "broken", CANVAS, {}, ["9"]])
    server = start_mock(tmp_path, keep_queue_on_restart=True)
    try:
        runs_a_prompt(server)
        entry = requests.get(f"{server.url}/history/broken", timeout=5).json()["broken"]
        assert entry["status"]["status_str"] == "error"
        kind, error = entry["status"]["messages"][-1]
        assert kind == "execution_error"
        assert "The mock cannot run this prompt: KeyError" in error["exception_message"]
        for key in ("prompt_id", "node_id", "node_type", "executed", "traceback"):
            assert key in error
    finally:
        server.kill()


def test_a_dead_worker_is_said_at_once_and_a_wait_fails_naming_it(tmp_path):
    server = start_mock(tmp_path)
    client = ComfyClient(server.url)
    try:
        client.connect(10)
        requests.post(f"{server.url}/mock/kill_worker", json={}, timeout=5)
        handle = client.submit(CANVAS)  # taken by the worker, which then ends
        started = time.monotonic()
        with pytest.raises(ComfyHttpError, match="prompt worker stopped"):
            client.wait_for_completion(handle, 60)
        assert time.monotonic() - started < 30, "the wait ran into its timeout"
        for method, route in (("GET", "/system_stats"), ("GET", "/queue"), ("POST", "/prompt")):
            answer = requests.request(
                method, server.url + route, json={"prompt": CANVAS}, timeout=5
            )
            assert answer.status_code == 503
            assert "killed on purpose" in answer.json()["error"]
        assert "the prompt worker stopped" in server.log_path.read_text()
    finally:
        client.close()
        server.kill()


def _damaged_entries() -> list[tuple[str, object]]:
    def changed(path, value):
        entry = copy.deepcopy(GOOD_ENTRY)
        target = entry
        for key in path[:-1]:
            target = target[key]
        if value is KeyError:
            del target[path[-1]]
        else:
            target[path[-1]] = value
        return entry

    return [
        ("no prompt", changed(("prompt",), KeyError)),
        ("prompt not a list", changed(("prompt",), {"id": 1})),
        ("prompt too short", changed(("prompt",), [1, "x"])),
        ("extra data a list", changed(("prompt", 3), [1, 2])),
        ("outputs a list", changed(("outputs",), [1])),
        ("output not an object", changed(("outputs", "2"), "png")),
        ("status a string", changed(("status",), "success")),
        ("messages not pairs", changed(("status", "messages"), [["execution_start"]])),
        ("completed a string", changed(("status", "completed"), "yes")),
        ("huge number", changed(("prompt", 0), 1e308)),
        ("entry a list", [1, 2, 3]),
    ]


@pytest.mark.parametrize(("damage", "entry"), _damaged_entries(), ids=lambda v: str(v)[:20])
def test_every_read_route_survives_a_damaged_history_entry(tmp_path, damage, entry):
    history = tmp_path / "out" / STATE_FOLDER / "history"
    history.mkdir(parents=True)
    (history / "good.json").write_text(
        json.dumps({"sequence": 1, "prompt_id": "good", "entry": GOOD_ENTRY})
    )
    (history / "bad.json").write_text(
        json.dumps({"sequence": 2, "prompt_id": "bad", "entry": entry})
    )
    server = start_mock(tmp_path, keep_queue_on_restart=True)
    try:
        for route in (
            "/history",
            "/history/bad",
            "/history/good",
            "/queue",
            "/api/jobs",
            "/api/jobs/bad",
            "/api/jobs/good",
            "/view?filename=c_00001_.png&subfolder=w&type=output",
        ):
            answer = requests.get(server.url + route, timeout=5)
            assert answer.status_code < 500, f"{route} answered {answer.status_code} ({damage})"
        assert "good" in requests.get(f"{server.url}/history", timeout=5).json()
    finally:
        server.kill()


class KilledMidSave(Exception):
    """The kill, between the history write and the queue write of one save."""


def test_a_kill_between_the_two_writes_of_a_save_loses_nothing(tmp_path, monkeypatch):
    """The finished prompt's history entry is written before the queue that drops it: a kill
    after the first write leaves it in both files, and it is read back as finished."""
    from ComfyLibrary.mock import persistence

    queue = PromptQueue(on_change=lambda remaining: None)
    store = StateStore(tmp_path / "state")
    queue.put((1, "p1", CANVAS, {}, ["2"]))
    store.save(queue)  # saved while queued
    task = queue.get(timeout=1)
    assert task is not None
    queue.task_done(task[0], GOOD_ENTRY | {"prompt": [1, "p1", CANVAS, {}, ["2"]]})
    original = persistence._write_atomically

    def killed_at_the_queue(path, data):
        if path.name == "queue.json":
            raise KilledMidSave
        original(path, data)

    monkeypatch.setattr(persistence, "_write_atomically", killed_at_the_queue)
    with pytest.raises(KilledMidSave):
        store.save(queue)
    monkeypatch.setattr(persistence, "_write_atomically", original)
    restarted = PromptQueue(on_change=lambda remaining: None)
    requeued = StateStore(tmp_path / "state").load(restarted)
    assert requeued == 0, "a finished prompt was queued to run again"
    assert "p1" in restarted.get_history()
