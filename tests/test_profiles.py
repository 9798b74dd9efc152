"""A team's own ComfyUI on the mock: a profile captured from a running server (here a mock
started with a custom node dump, so that the profile holds a custom class as a real
team's would), served by another mock, with a custom node in the middle of a graph."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from PIL import Image

from ComfyLibrary.client import ComfyClient
from ComfyLibrary.errors import ComfyError
from ComfyLibrary.profile import capture_profile
from ComfyLibrary.servers.ports import free_port
from tests.conftest import start_mock

FIXTURES = Path(__file__).resolve().parents[1] / "resources" / "fixtures"
UPSCALER = json.loads((FIXTURES / "custom_nodes_object_info.json").read_text())


def graph(scale_by: float = 2.0, sharpen: bool = True) -> dict:
    """EmptyImage 64x48 -> MyUpscaler (custom) -> SaveImage."""
    prompt = json.loads((FIXTURES / "custom_node_mid_graph.json").read_text())
    prompt["2"]["inputs"].update(scale_by=scale_by, sharpen=sharpen)
    return prompt


@pytest.fixture(scope="module")
def profile(tmp_path_factory):
    root = tmp_path_factory.mktemp("profiled")
    (root / "custom.json").write_text(json.dumps(UPSCALER))
    source = start_mock(root, "profiled", object_info=root / "custom.json")
    try:
        path = root / "profile.json"
        capture_profile(source.url, path)
    finally:
        source.kill()
    return path


@pytest.fixture(scope="module")
def served(profile, tmp_path_factory):
    server = start_mock(tmp_path_factory.mktemp("serving"), "serving", profile=profile)
    client = ComfyClient(server.url)
    client.connect(10)
    try:
        yield server, client
    finally:
        client.close()
        server.kill()


def test_a_profile_holds_the_servers_catalog_models_and_versions(profile):
    data = json.loads(profile.read_text())
    assert "MyUpscaler" in data["object_info"]
    assert data["system_stats"]["system"]["comfyui_version"]
    assert "checkpoints" in data["models"]
    assert data["behaviours"] == {}
    for key in ("embeddings", "extensions", "features", "captured_from", "captured_at"):
        assert key in data


def test_a_custom_node_mid_graph_passes_its_image_on_at_the_size_asked(served, tmp_path):
    _, client = served
    completion = client.wait_for_completion(client.submit(graph(scale_by=2.0)), 30)
    assert completion.status == "success"
    files = client.download_outputs(completion.history, tmp_path)
    with Image.open(files[0]) as image:
        assert image.size == (128, 96)
        assert image.getextrema() != ((0, 0), (0, 0), (0, 0))


def test_another_value_of_the_custom_node_makes_another_picture(served, tmp_path):
    _, client = served
    pictures = []
    for sharpen in (True, False):
        completion = client.wait_for_completion(client.submit(graph(sharpen=sharpen)), 30)
        files = client.download_outputs(completion.history, tmp_path / str(sharpen))
        pictures.append(files[0].read_bytes())
    assert pictures[0] != pictures[1]


def test_the_custom_node_validates_as_its_catalog_says(served):
    server, _ = served
    answer = requests.post(
        f"{server.url}/prompt", json={"prompt": graph(scale_by=99.0)}, timeout=10
    )
    assert answer.status_code == 400
    errors = answer.json()["node_errors"]["2"]["errors"]
    assert [e["type"] for e in errors] == ["value_bigger_than_max"]


def test_the_served_profile_reports_the_profiled_versions(served, profile):
    server, _ = served
    data = json.loads(profile.read_text())
    stats = requests.get(f"{server.url}/system_stats", timeout=10).json()
    assert stats["system"]["comfyui_version"] == data["system_stats"]["system"]["comfyui_version"]
    assert stats["system"]["pytorch_version"] == data["system_stats"]["system"]["pytorch_version"]
    catalog = requests.get(f"{server.url}/object_info", timeout=10).json()
    assert set(catalog) == set(data["object_info"])


def test_a_behaviour_makes_a_custom_class_act_like_a_core_one(profile, tmp_path):
    data = json.loads(profile.read_text())
    data["behaviours"] = {"MyUpscaler": {"like": "ImageInvert"}}
    inverted = tmp_path / "inverted.json"
    inverted.write_text(json.dumps(data))
    server = start_mock(tmp_path, "like", profile=inverted)
    client = ComfyClient(server.url)
    try:
        client.connect(10)
        completion = client.wait_for_completion(client.submit(graph()), 30)
        files = client.download_outputs(completion.history, tmp_path / "out")
        with Image.open(files[0]) as image:
            assert image.size == (64, 48)  # inverted, not scaled
            assert image.convert("RGB").getpixel((0, 0)) == (0xCC, 0x99, 0x66)
    finally:
        client.close()
        server.kill()


def test_an_unknown_route_answers_as_0_8_without_the_pack(served):
    server, _ = served
    assert requests.get(f"{server.url}/my_pack/status", timeout=10).status_code == 404
    assert requests.post(f"{server.url}/my_pack/reload", json={}, timeout=10).status_code == 405


@pytest.mark.parametrize(
    ("content", "complaint"),
    [
        ("{not json", "is not JSON"),
        ('{"models": {}}', "is not a ComfyUI profile"),
        ('{"object_info": {}, "behaviours": {"X": {"acts": 1}}}', "only 'like' and 'outputs'"),
    ],
)
def test_a_bad_profile_stops_the_mock_with_one_line(tmp_path, content, complaint):
    path = tmp_path / "bad.json"
    path.write_text(content)
    port = str(free_port())
    done = subprocess.run(
        [sys.executable, "-m", "ComfyLibrary.mock", "--port", port, "--profile", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert complaint in done.stderr
    assert "Traceback" not in done.stderr


def test_capturing_an_unreachable_server_fails_in_one_line(tmp_path):
    with pytest.raises(ComfyError, match="did not answer"):
        capture_profile(f"http://127.0.0.1:{free_port()}", tmp_path / "p.json", timeout=2)


def test_the_capture_command_writes_a_profile(tmp_path):
    server = start_mock(tmp_path, "cli")
    try:
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "ComfyLibrary.mock",
                "capture",
                server.url,
                str(tmp_path / "p.json"),
            ],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    finally:
        server.kill()
    assert done.returncode == 0, done.stderr
    assert "node classes" in done.stdout
    assert "object_info" in json.loads((tmp_path / "p.json").read_text())
