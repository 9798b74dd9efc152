"""The mock against recordings of model workflows on real ComfyUI 0.8 with the test models
(tests/recorders/record_model_workflows.py, on the real lane's server): the same WebSocket
sequence (event order, per-step ``progress`` and ``progress_state``), ``executed`` and
history shapes, status messages, ``/view`` answers, ``/system_stats`` with a model loaded,
and ``/free``. The scenarios run in the recorded order on one fresh server each side, so
the caches agree; the interrupted 30-step run is replayed at real pace, where the mock
samples as long as 0.8 does."""

from __future__ import annotations

import pytest
import requests

from tests.conftest import reference, start_mock
from tests.recorders.record_model_workflows import START_FRAME, run
from tests.wsprobe import shape

RECORDED = reference("ws_models.json")
SCENARIOS = ["text_to_image", "cached_rerun", "separate_loaders", "interrupted_30_steps"]


@pytest.fixture(scope="module")
def replayed(tmp_path_factory):
    server = start_mock(tmp_path_factory.mktemp("model-conformance"))
    url = server.url
    try:
        upload = requests.post(
            f"{url}/upload/image",
            files={"image": ("start_frame.png", START_FRAME.read_bytes(), "image/png")},
            timeout=10,
        ).json()
        ours = {}
        for name in SCENARIOS:
            if name == "interrupted_30_steps":
                requests.post(f"{url}/mock/pace", json={"pace": "real"}, timeout=5)
            ours[name] = run(
                url,
                RECORDED[name]["prompt"],
                interrupt_after_progress=1 if name == "interrupted_30_steps" else None,
            )
            requests.post(f"{url}/mock/pace", json={"pace": "fast"}, timeout=5)
        video = dict(RECORDED["image_to_video"]["prompt"])
        video["13"] = {**video["13"], "inputs": {**video["13"]["inputs"], "image": upload["name"]}}
        ours["image_to_video"] = run(url, video)
        ours["system_stats_shape"] = shape(requests.get(f"{url}/system_stats", timeout=5).json())
        free = requests.post(
            f"{url}/free", json={"unload_models": True, "free_memory": True}, timeout=5
        )
        ours["free"] = {"status": free.status_code, "body": free.text}
        yield ours
    finally:
        server.kill()


@pytest.mark.parametrize("name", [*SCENARIOS, "image_to_video"])
def test_model_workflows_run_as_on_0_8(replayed, name):
    theirs, ours = RECORDED[name], replayed[name]
    assert ours["sequence"] == theirs["sequence"]
    assert ours["progress"] == theirs["progress"]
    assert ours["executed_shape"] == theirs["executed_shape"]
    assert ours["history_shape"] == theirs["history_shape"]
    assert (ours["status"], ours["messages"]) == (theirs["status"], theirs["messages"])
    assert ours["output_nodes"] == theirs["output_nodes"]
    assert ours["views"] == theirs["views"]


def test_system_stats_with_a_model_loaded_and_free_answer_as_on_0_8(replayed):
    assert replayed["system_stats_shape"] == RECORDED["system_stats_shape"]
    assert replayed["free"] == RECORDED["free"]
