"""The mock against recordings of real ComfyUI 0.8.0: same status codes, same JSON
structure, same WebSocket message order."""

from __future__ import annotations

import copy

import pytest
import requests

from tests.conftest import reference
from tests.procs import wait_until
from tests.wsprobe import Probe, compact, shape

ERROR_CASES = reference("post_prompt_errors.json")
WS_SCENARIOS = [
    ("ws_success.json", None),
    ("ws_exec_error.json", "regex_replace_invalid_pattern"),
    ("ws_exec_error.json", "empty_image_too_big_to_allocate"),
    ("ws_exec_error.json", "error_after_a_successful_node"),
]


def _post(url: str, case: dict) -> requests.Response:
    request = case["request"]
    if "json" in request:
        return requests.post(url + request["path"], json=request["json"], timeout=10)
    return requests.post(
        url + request["path"],
        data=request.get("data", ""),
        headers=request.get("headers"),
        timeout=10,
    )


@pytest.mark.parametrize("case", ERROR_CASES, ids=[c["note"] for c in ERROR_CASES])
def test_post_prompt_errors_match_comfyui(shared_mock, case):
    answer = _post(shared_mock.url, case)
    expected = case["response"]
    assert answer.status_code == expected["status"]
    if "json" in expected:
        body = answer.json()
        assert body["error"] == {**expected["json"]["error"], "details": body["error"]["details"]}
        assert shape(body) == shape(expected["json"]) or _same_errors(body, expected["json"])
        assert body["error"]["details"] == expected["json"]["error"]["details"] or (
            body["error"]["details"].split(":")[0]
            == expected["json"]["error"]["details"].split(":")[0]
        )
    else:
        assert answer.text == expected["text"]


def _same_errors(body: dict, expected: dict) -> bool:
    """node_errors agree on node ids, error types, details and input names."""

    def summary(node_errors):
        # ComfyUI checks a node's inputs in set order: compare errors as a sorted list.
        return {
            nid: (
                sorted(
                    (e["type"], e["details"].split(",")[0], e["extra_info"].get("input_name"))
                    for e in entry["errors"]
                ),
                entry["dependent_outputs"],
                entry["class_type"],
            )
            for nid, entry in node_errors.items()
        }

    return summary(body["node_errors"]) == summary(expected["node_errors"])


JSON_ERROR_CASES = [c for c in ERROR_CASES if "json" in c["response"]]


@pytest.mark.parametrize("case", JSON_ERROR_CASES, ids=[c["note"] for c in JSON_ERROR_CASES])
def test_node_errors_match_comfyui(shared_mock, case):
    body = _post(shared_mock.url, case).json()
    assert _same_errors(body, case["response"]["json"])


@pytest.mark.parametrize(("file", "key"), WS_SCENARIOS, ids=[f"{f}:{k}" for f, k in WS_SCENARIOS])
def test_websocket_sequence_matches_comfyui(mock_server, file, key):
    recorded = reference(file)
    if key is not None:
        recorded = recorded[key]
    probe = Probe(mock_server.url)
    try:
        prompt_id, frames = probe.run(copy.deepcopy(recorded["prompt"]))
    finally:
        probe.close()
    expected_frames = [m["json"] for m in recorded["ws"]["messages"] if m["kind"] == "text"]
    assert [compact(f) for f in frames] == recorded["ws"]["sequence"]
    for ours, theirs in zip(frames, expected_frames, strict=True):
        assert set(ours.get("data") or {}) == set(theirs.get("data") or {}), ours["type"]
        if ours["type"] == "execution_error":  # every input, linked ones resolved
            assert set(ours["data"]["current_inputs"]) == set(theirs["data"]["current_inputs"])
    history = requests.get(f"{mock_server.url}/history/{prompt_id}", timeout=5).json()[prompt_id]
    recorded_history = next(iter(recorded["history_entry"]["response"]["json"].values()))
    assert set(history) == set(recorded_history)
    assert set(history["status"]) == set(recorded_history["status"])
    assert [m[0] for m in history["status"]["messages"]] == [
        m[0] for m in recorded_history["status"]["messages"]
    ]
    assert history["status"]["status_str"] == recorded_history["status"]["status_str"]
    assert shape(history["outputs"]) == shape(recorded_history["outputs"])


def test_cached_rerun_replays_outputs_without_writing(mock_server, tmp_path):
    recorded = reference("ws_cached.json")["resubmit_identical"]
    probe = Probe(mock_server.url)
    try:
        first_id, _ = probe.run(copy.deepcopy(recorded["prompt"]))
        probe.frames.clear()
        files_before = sorted(p.name for p in (tmp_path / "out").rglob("*.png"))
        second_id, frames = probe.run(copy.deepcopy(recorded["prompt"]))
    finally:
        probe.close()
    assert [compact(f) for f in frames] == recorded["ws"]["sequence"][1:]
    assert sorted(p.name for p in (tmp_path / "out").rglob("*.png")) == files_before
    history = requests.get(f"{mock_server.url}/history", timeout=5).json()
    assert history[first_id]["outputs"] == history[second_id]["outputs"]


VARIETY = reference("ws_outputs_variety.json")
VARIETY_SCENARIOS = [k for k in VARIETY if k != "view_of_each_output"]


def test_output_node_variety_matches_comfyui(mock_server):
    """Every recorded output shape, replayed in the recorded order (so caching matches too)."""
    probe = Probe(mock_server.url)
    views = {}
    probe.recv()  # the status frame every socket gets on connect
    try:
        for name in VARIETY_SCENARIOS:
            recorded = VARIETY[name]
            body = {
                k: v
                for k, v in recorded["post"]["request"]["json"].items()
                if k not in ("prompt", "client_id")
            }
            probe.frames.clear()
            prompt_id, frames = probe.run(copy.deepcopy(recorded["prompt"]), **body)
            sequence = [compact(f) for f in frames]
            assert sequence == recorded["ws"]["sequence"][1:], name
            history = requests.get(f"{mock_server.url}/history/{prompt_id}", timeout=5).json()
            ours = history[prompt_id]["outputs"]
            theirs = next(iter(recorded["history_entry"]["response"]["json"].values()))["outputs"]
            assert shape(ours) == shape(theirs), name
            assert list(ours) == list(theirs), name
            views[name] = ours
    finally:
        probe.close()
    for recorded_view in VARIETY["view_of_each_output"]:
        outputs = views[recorded_view["scenario"]][recorded_view["node"]][recorded_view["key"]]
        for item in outputs:
            answer = requests.get(f"{mock_server.url}/view", params=item, timeout=5)
            assert answer.status_code == recorded_view["status"]
            assert answer.headers["Content-Type"] == recorded_view["content_type"]
            assert answer.content[:4] == bytes.fromhex(recorded_view["body"]["magic_hex"][:8])


def test_post_prompt_success_variants_match_comfyui(mock_server):
    """Client prompt ids, priorities (explicit, front), extra_data, partial acceptance,
    coercion and re-used ids, replayed in the recorded order."""
    cases = reference("post_prompt_success.json")
    offset = None
    for case in cases:
        request = case["request"]
        expected = case["response"]["json"]
        if request["method"] == "GET":
            (theirs,) = expected.values()

            def rewritten(theirs=theirs, path=request["path"]):
                answer = requests.get(mock_server.url + path, timeout=5).json()
                entry = next(iter(answer.values()), None)
                return entry if entry and entry["prompt"][2] == theirs["prompt"][2] else None

            ours = wait_until(rewritten, timeout=5)
            assert ours, "the re-used prompt id's history was not rewritten by the later run"
            assert set(ours["prompt"][3]) == set(theirs["prompt"][3])
            continue
        answer = requests.post(mock_server.url + request["path"], json=request["json"], timeout=5)
        assert answer.status_code == 200, case["note"]
        body = answer.json()
        assert set(body) == set(expected)
        if "prompt_id" in request["json"]:
            assert body["prompt_id"] == request["json"]["prompt_id"]
        number, recorded = body["number"], expected["number"]
        if isinstance(recorded, float):
            assert number == recorded
        elif recorded < 0:
            assert number == -(abs(recorded) - offset)
        else:
            offset = recorded - number if offset is None else offset
            assert number == recorded - offset, case["note"]
        assert _same_errors(body, expected), case["note"]


def test_output_tooltips_have_0_8s_shape(shared_mock):
    """Where real 0.8 has an output tooltip, the mock has one too: an empty string, as the
    mock leaves every text of ComfyUI's out of its catalog (descriptions are empty too)."""
    recorded = reference("output_tooltips_shape.json")["output_tooltips"]
    served = requests.get(f"{shared_mock.url}/object_info", timeout=10).json()
    different = {
        name: (shape, served[name].get("output_tooltips"))
        for name, shape in recorded.items()
        if name in served
        and [None if t is None else "text" for t in served[name].get("output_tooltips") or []]
        != shape
    }
    assert different == {}
