"""WebSocket behaviour against the recorded ComfyUI 0.8 traces: connect, feature
flags, socket replacement, reconnect mid-run, isolation between clients, binary
preview frames and interrupts."""

from __future__ import annotations

import contextlib
import copy
import json
import struct
import time
import uuid

import pytest
import requests
import websocket

from tests.conftest import reference, start_mock
from tests.wsprobe import Probe, compact

CONNECT = reference("ws_connect.json")
ISOLATION = reference("ws_isolation.json")
PREVIEW = reference("ws_preview_binary.json")
INTERRUPT = reference("ws_interrupt.json")
SLOW_PROMPT = INTERRUPT["targeted_interrupt"]["prompt"]
SMALL_PROMPT = {
    "1": {
        "class_type": "EmptyImage",
        "inputs": {"width": 16, "height": 16, "batch_size": 1, "color": 1},
    },
    "2": {"class_type": "SaveImage", "inputs": {"images": ["1", 0], "filename_prefix": "iso"}},
}


def compact_all(frames):
    out = []
    for frame in frames:
        if frame["type"] == "BINARY":
            out.append(
                {1: "BINARY:PREVIEW_IMAGE", 4: "BINARY:PREVIEW_IMAGE_WITH_METADATA"}[frame["kind"]]
            )
        else:
            out.append(compact(frame))
    return out


def stall(url: str, on: bool) -> None:
    requests.post(f"{url}/mock/stall", json={"stalled": on}, timeout=5).raise_for_status()


def post(url: str, prompt: dict, client_id: str | None = None) -> str:
    body = {"prompt": copy.deepcopy(prompt)}
    if client_id is not None:
        body["client_id"] = client_id
    answer = requests.post(f"{url}/prompt", json=body, timeout=5)
    answer.raise_for_status()
    return answer.json()["prompt_id"]


def read_until(probe: Probe, predicate) -> list[dict]:
    while True:
        frame = probe.recv()
        if predicate(frame):
            return probe.frames


def is_done(prompt_id):
    return lambda f: (
        f["type"] == "executing"
        and f["data"].get("node") is None
        and f["data"].get("prompt_id") == prompt_id
    )


def test_connect_with_and_without_client_id(mock_server):
    probe = Probe(mock_server.url, "fixed-id")
    hello = probe.recv()
    probe.close()
    assert hello == {
        "type": "status",
        "data": {"status": {"exec_info": {"queue_remaining": 0}}, "sid": "fixed-id"},
    }
    ws = websocket.create_connection(f"ws{mock_server.url[4:]}/ws", timeout=5)
    sid = json.loads(ws.recv())["data"]["sid"]
    ws.close()
    assert len(sid) == 32
    int(sid, 16)


@pytest.mark.parametrize(
    "scenario", ["feature_flags_handshake", "feature_flags_sent_first_twice_then_garbage"]
)
def test_feature_flags_handshake(mock_server, scenario):
    recorded = CONNECT[scenario]
    ws = websocket.create_connection(f"ws{mock_server.url[4:]}/ws?clientId=ff", timeout=5)
    for message in recorded["messages"]:
        if message.get("dir") == "sent":
            ws.send(json.dumps(message["json"]))
    if scenario.endswith("garbage"):
        ws.send("this is not json")
    received = [json.loads(ws.recv()), json.loads(ws.recv())]
    ws.settimeout(0.3)
    with pytest.raises(websocket.WebSocketTimeoutException):
        ws.recv()  # exactly one feature_flags answer
    ws.close()
    expected = [m["json"] for m in recorded["messages"] if m.get("dir") != "sent"]
    assert received[1] == expected[-1]
    assert received[0]["type"] == "status"


def test_second_socket_with_same_id_takes_over(mock_server):
    first = Probe(mock_server.url, "twin")
    first.recv()
    second = Probe(mock_server.url, "twin")
    second.recv()
    prompt_id = post(mock_server.url, SMALL_PROMPT, "twin")
    frames = read_until(second, is_done(prompt_id))
    assert compact_all(frames) == CONNECT["same_clientId_twice"]["second_socket"]["sequence"]
    first.ws.settimeout(0.3)
    with pytest.raises(websocket.WebSocketTimeoutException):
        first.recv()
    first.close()
    second.close()


def test_reconnect_mid_run_replays_the_running_node(mock_server):
    stall(mock_server.url, True)
    client_id = f"re-{uuid.uuid4().hex[:6]}"
    probe = Probe(mock_server.url, client_id)
    prompt_id = post(mock_server.url, SLOW_PROMPT, client_id)
    read_until(probe, lambda f: f["type"] == "executing")
    probe.close()
    again = Probe(mock_server.url, client_id)
    hello, replay = again.recv(), again.recv()
    assert compact(hello) == "status(queue_remaining=1)"
    assert replay == {"type": "executing", "data": {"node": "1"}}  # no prompt_id, as recorded
    stall(mock_server.url, False)
    frames = read_until(again, is_done(prompt_id))
    assert compact(frames[-1]) == "executing(node=None)"
    again.close()


def test_events_go_only_to_the_submitting_client(mock_server):
    watcher = Probe(mock_server.url)
    watcher.recv()
    owner = Probe(mock_server.url)
    owner.recv()
    prompt_id = post(mock_server.url, SMALL_PROMPT, owner.client_id)
    read_until(owner, is_done(prompt_id))
    watcher.ws.settimeout(0.3)
    seen = []
    with contextlib.suppress(websocket.WebSocketTimeoutException):
        while True:
            seen.append(compact(watcher.recv()))
    assert seen == ISOLATION["prompt_of_another_client"]["watcher"]["sequence"][1:]
    watcher.close()
    owner.close()


def test_prompt_without_client_id_broadcasts_only_progress_state(mock_server):
    recorded = ISOLATION["prompt_without_client_id"]
    watcher = Probe(mock_server.url)
    watcher.recv()
    prompt_id = post(mock_server.url, recorded["post"]["request"]["json"]["prompt"])
    frames = read_until(watcher, lambda f: compact(f) == "status(queue_remaining=0)")
    assert compact_all(frames[1:]) == recorded["watcher"]["sequence"]
    assert requests.get(f"{mock_server.url}/history/{prompt_id}", timeout=5).json()
    watcher.close()


@pytest.mark.parametrize("scenario", ["no_feature_flags", "with_supports_preview_metadata"])
def test_binary_preview_frames(mock_server, scenario):
    recorded = PREVIEW[scenario]
    probe = Probe(mock_server.url)
    probe.recv()
    if scenario.startswith("with"):
        probe.ws.send(
            json.dumps({"type": "feature_flags", "data": {"supports_preview_metadata": True}})
        )
        probe.recv()
    prompt_id, frames = probe.run(copy.deepcopy(recorded["prompt"]))
    expected = [s for s in recorded["ws"]["sequence"] if not s.startswith("SENT")]
    assert compact_all(frames) == expected
    binary = [f["raw"] for f in frames if f["type"] == "BINARY"]
    if scenario.startswith("with"):
        (length,) = struct.unpack(">I", binary[0][4:8])
        metadata = json.loads(binary[0][8 : 8 + length])
        assert metadata["prompt_id"] == prompt_id
        assert metadata["image_type"] == "image/png"
        assert binary[0][8 + length :][:8] == b"\x89PNG\r\n\x1a\n"
    else:
        assert binary[0][:8].hex() == "0000000100000002"
        assert binary[0][8:16] == b"\x89PNG\r\n\x1a\n"
    probe.close()


@pytest.mark.parametrize("how", ["targeted_interrupt", "global_interrupt_no_body"])
def test_interrupt_takes_effect_at_the_next_node(mock_server, how):
    recorded = INTERRUPT[how]
    stall(mock_server.url, True)
    probe = Probe(mock_server.url)
    probe.recv()
    prompt_id = post(mock_server.url, SLOW_PROMPT, probe.client_id)
    read_until(probe, lambda f: f["type"] == "executing")
    body = {"prompt_id": prompt_id} if how == "targeted_interrupt" else None
    requests.post(f"{mock_server.url}/interrupt", json=body, timeout=5).raise_for_status()
    frames = read_until(probe, is_done(prompt_id))
    stall(mock_server.url, False)
    assert compact_all(frames[-3:]) == recorded["ws"]["sequence"][-3:]
    assert frames[-4]["type"] == "executing"  # interrupted as the next node started
    ours = next(f for f in frames if f["type"] == "execution_interrupted")["data"]
    theirs = next(
        m["json"]
        for m in recorded["ws"]["messages"]
        if m.get("json", {}).get("type") == "execution_interrupted"
    )["data"]
    assert set(ours) == set(theirs)
    history = requests.get(f"{mock_server.url}/history/{prompt_id}", timeout=5).json()[prompt_id]
    assert history["status"]["status_str"] == "error"
    assert [m[0] for m in history["status"]["messages"]][-1] == "execution_interrupted"
    probe.close()


def test_interrupt_for_another_prompt_is_ignored_and_idle_interrupt_does_not_leak(mock_server):
    requests.post(f"{mock_server.url}/interrupt", timeout=5)  # idle: must not hit the next run
    stall(mock_server.url, True)
    probe = Probe(mock_server.url)
    probe.recv()
    prompt_id = post(mock_server.url, SLOW_PROMPT, probe.client_id)
    read_until(probe, lambda f: f["type"] == "executing")
    requests.post(f"{mock_server.url}/interrupt", json={"prompt_id": "someone-else"}, timeout=5)
    stall(mock_server.url, False)
    frames = read_until(probe, is_done(prompt_id))
    assert "execution_success" in compact_all(frames)
    probe.close()


# At ComfyUI 0.8's pace ---------------------------------------------------------------
# Two recordings interrupt a chain of 512x512 blurs a second after it starts: real 0.8 is
# still in the chain then; a fast mock has finished it. At --pace real they agree.


@pytest.fixture
def paced_mock(tmp_path):
    server = start_mock(tmp_path, pace="real")
    try:
        yield server
    finally:
        server.kill()


def chain_shape(sequence: list[str]) -> list[str]:
    """A WebSocket sequence without the per-node frames (``progress_state`` and
    ``executing`` of a node): what must agree when two servers stop a node apart."""
    return [
        item
        for item in sequence
        if not item.startswith("progress_state")
        and not (item.startswith("executing(node=") and item != "executing(node=None)")
    ]


def test_at_real_pace_a_wrong_interrupt_is_ignored_and_a_global_one_ends_the_chain(paced_mock):
    recorded = INTERRUPT["interrupt_with_wrong_prompt_id"]
    probe = Probe(paced_mock.url)
    probe.recv()
    prompt_id = post(paced_mock.url, recorded["prompt"], probe.client_id)
    read_until(probe, lambda f: f["type"] == "executing" and f["data"].get("node") == "11")
    wrong = {"prompt_id": "not-the-running-one"}
    requests.post(f"{paced_mock.url}/interrupt", json=wrong, timeout=5).raise_for_status()
    time.sleep(1.0)  # the recorder's own pause before its second interrupt
    requests.post(f"{paced_mock.url}/interrupt", json={}, timeout=5).raise_for_status()
    frames = read_until(probe, is_done(prompt_id))
    probe.close()
    ours = compact_all(frames)
    assert chain_shape(ours) == chain_shape(recorded["ws"]["sequence"])
    reached = [s for s in ours if s.startswith("executing(node=") and s != "executing(node=None)"]
    assert "executing(node=99)" not in reached  # interrupted inside the chain, as 0.8 was
    assert len(reached) >= 4  # past node 11, which the wrong interrupt did not stop
    entry = requests.get(f"{paced_mock.url}/history/{prompt_id}", timeout=5).json()[prompt_id]
    theirs = next(iter(recorded["history_entry"]["response"]["json"].values()))
    assert entry["outputs"] == theirs["outputs"] == {}
    assert entry["status"]["status_str"] == theirs["status"]["status_str"] == "error"
    assert [m[0] for m in entry["status"]["messages"]] == [
        m[0] for m in theirs["status"]["messages"]
    ]


def test_at_real_pace_an_interrupt_reaches_a_prompt_without_client_id_mid_chain(paced_mock):
    recorded = ISOLATION["interrupt_of_prompt_without_client_id"]
    watcher = Probe(paced_mock.url)
    watcher.recv()
    prompt_id = post(paced_mock.url, recorded["post"]["request"]["json"]["prompt"])
    time.sleep(1.2)  # the recorder's pause before it interrupts
    requests.post(f"{paced_mock.url}/interrupt", timeout=5).raise_for_status()
    frames = read_until(watcher, lambda f: compact(f) == "status(queue_remaining=0)")
    watcher.close()
    ours = compact_all(frames[1:])
    assert chain_shape(ours) == chain_shape(recorded["watcher"]["sequence"])
    entry = requests.get(f"{paced_mock.url}/history/{prompt_id}", timeout=5).json()[prompt_id]
    theirs = next(iter(recorded["history"]["response"]["json"].values()))
    assert entry["outputs"] == theirs["outputs"] == {}
    assert [m[0] for m in entry["status"]["messages"]] == [
        m[0] for m in theirs["status"]["messages"]
    ]
