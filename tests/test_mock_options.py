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
