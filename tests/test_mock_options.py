"""Mock server options: a team's own node catalog, model lists, bad option files."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import requests

from ComfyLibrary.client import ComfyClient
from ComfyLibrary.errors import ServerUnreachable
from tests.conftest import start_mock

CUSTOM_NODE = {
    "StudioUpscale": {
        "input": {
            "required": {
                "image": ["IMAGE", {}],
                "factor": ["INT", {"default": 2, "min": 1, "max": 8}],
            }
        },
        "input_order": {"required": ["image", "factor"]},
        "output": ["IMAGE"],
        "output_is_list": [False],
        "output_name": ["IMAGE"],
        "output_node": False,
        "name": "StudioUpscale",
        "display_name": "Studio Upscale",
        "category": "studio",
        "description": "",
        "python_module": "custom_nodes.studio",
    },
}


def test_a_teams_object_info_adds_custom_nodes_that_validate_and_run(tmp_path):
    dump = tmp_path / "object_info.json"
    dump.write_text(json.dumps(CUSTOM_NODE))
    models = tmp_path / "models.json"
    models.write_text(json.dumps({"checkpoints": ["studio_v3.safetensors"]}))
    server = start_mock(tmp_path, object_info=dump, models=models)
    try:
        info = requests.get(f"{server.url}/object_info/StudioUpscale", timeout=5).json()
        assert info["StudioUpscale"]["category"] == "studio"
        checkpoints = requests.get(f"{server.url}/models/checkpoints", timeout=5).json()
        assert checkpoints == ["studio_v3.safetensors"]
        prompt = {
            "1": {
                "class_type": "EmptyImage",
                "inputs": {"width": 32, "height": 32, "batch_size": 1, "color": 1},
            },
            "2": {"class_type": "StudioUpscale", "inputs": {"image": ["1", 0], "factor": 9}},
            "3": {"class_type": "PreviewAny", "inputs": {"source": ["2", 0]}},
        }
        rejected = requests.post(f"{server.url}/prompt", json={"prompt": prompt}, timeout=5)
        assert rejected.status_code == 400
        assert rejected.json()["node_errors"]["2"]["errors"][0]["type"] == "value_bigger_than_max"
        prompt["2"]["inputs"]["factor"] = 2
        client = ComfyClient(server.url)
        client.connect(5)
        try:
            result = client.wait_for_completion(client.submit(prompt), 10)
        finally:
            client.close()
        assert result.status == "success"  # the custom node ran as a placeholder
    finally:
        server.kill()


def test_a_bad_object_info_file_stops_the_mock_with_one_line(tmp_path):
    dump = tmp_path / "broken.json"
    dump.write_text("[1, 2, 3]")
    result = subprocess.run(
        [sys.executable, "-m", "ComfyLibrary.mock", "--port", "0", "--object-info", str(dump)],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"comfy-mock: cannot start: {dump} is not an /object_info dump (a JSON object)"
    ]


def test_unknown_host_is_named_as_such():
    client = ComfyClient("http://no-such-host.invalid:8188")
    try:
        with pytest.raises(
            ServerUnreachable,
            match=r"no-such-host.invalid:8188: host name not "
            r"found \(GET /system_stats\)",
        ):
            client.connect(5)
    finally:
        client.close()


def test_a_bad_pace_stops_the_mock_with_one_line():
    done = subprocess.run(
        [sys.executable, "-m", "ComfyLibrary.mock", "--port", "0", "--pace", "slowly"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode != 0
    assert done.stderr.strip() == (
        "comfy-mock: --pace: pace must be fast, real or a positive number, not 'slowly'"
    )


def test_the_pace_is_set_at_run_time_kept_over_a_reset_and_refused_when_wrong(shared_mock):
    url = shared_mock.url
    try:
        assert requests.post(f"{url}/mock/pace", json={"pace": "real"}, timeout=5).json()[
            "pace"
        ] == pytest.approx(1.0)
        faults = requests.post(f"{url}/mock/faults/reset", timeout=5).json()
        assert faults["pace"] == pytest.approx(1.0)  # a setting, not a fault
        refused = requests.post(f"{url}/mock/pace", json={"pace": -2}, timeout=5)
        assert refused.status_code == 400
        assert "pace must be fast, real or a positive number" in refused.text
    finally:
        requests.post(f"{url}/mock/pace", json={"pace": "fast"}, timeout=5)
    assert requests.get(f"{url}/mock/faults", timeout=5).json()["pace"] is None


def test_at_real_pace_a_blur_takes_what_0_8_takes_and_at_half_pace_half(shared_mock):
    import time

    from ComfyLibrary.mock.pace import BLUR_SECONDS_512_R31

    client = ComfyClient(shared_mock.url)
    client.connect(5)

    def blur(color: int) -> float:
        prompt = {
            "1": {
                "class_type": "EmptyImage",
                "inputs": {"width": 512, "height": 512, "batch_size": 1, "color": color},
            },
            "2": {
                "class_type": "ImageBlur",
                "inputs": {"image": ["1", 0], "blur_radius": 31, "sigma": 5.0},
            },
            "3": {"class_type": "PreviewImage", "inputs": {"images": ["2", 0]}},
        }
        started = time.monotonic()
        client.wait_for_completion(client.submit(prompt), 30)
        return time.monotonic() - started

    try:
        requests.post(f"{shared_mock.url}/mock/pace", json={"pace": "real"}, timeout=5)
        assert blur(101) >= BLUR_SECONDS_512_R31  # a lower bound: sleeping cannot be faster
        requests.post(f"{shared_mock.url}/mock/pace", json={"pace": 0.5}, timeout=5)
        assert blur(102) >= BLUR_SECONDS_512_R31 / 2
    finally:
        requests.post(f"{shared_mock.url}/mock/pace", json={"pace": "fast"}, timeout=5)
        client.close()
