"""The routes ComfyUI's web editor uses, answered with 0.8's status codes, content types
and JSON shapes (recordings: routes_probe.json, get_endpoints.json), and settings and
user files kept in the mock's own user folder."""

from __future__ import annotations

import pytest
import requests

from tests.conftest import reference

FRONTEND_PATHS = {
    "/settings",
    "/users",
    "/userdata",
    "/v2/userdata",
    "/i18n",
    "/workflow_templates",
    "/global_subgraphs",
    "/experiment/models",
    "/internal/logs",
    "/internal/logs/raw",
    "/internal/folder_paths",
}
PROBES = [p for p in reference("routes_probe.json") if p["path"] in FRONTEND_PATHS]
TOP = {"dict": dict, "list": list, "str": str}


@pytest.mark.parametrize("probe", PROBES, ids=lambda p: p["path"])
def test_frontend_routes_answer_as_0_8(shared_mock, probe):
    answer = requests.get(shared_mock.url + probe["path"], timeout=5)
    assert answer.status_code == probe["status"]
    assert answer.headers.get("Content-Type") == probe["content_type"]
    if probe["json_top_level_type"]:
        assert isinstance(answer.json(), TOP[probe["json_top_level_type"]])


@pytest.mark.parametrize(
    ("path", "status", "body"),
    [
        ("/users", 200, {"storage": "server", "migrated": True}),
        ("/internal/files/bogus", 400, {"error": "Invalid directory type"}),
        ("/view_metadata/checkpoints?filename=x.safetensors", 404, None),
        ("/api/settings", 200, None),
        ("/global_subgraphs", 200, {}),
    ],
)
def test_recorded_answers(shared_mock, path, status, body):
    answer = requests.get(shared_mock.url + path, timeout=5)
    assert answer.status_code == status
    if body is not None:
        assert answer.json() == body


def test_settings_and_user_files_persist_in_the_user_folder(shared_mock):
    url = shared_mock.url
    assert requests.post(f"{url}/settings/Comfy.Theme", json="dark", timeout=5).status_code == 200
    assert requests.get(f"{url}/settings/Comfy.Theme", timeout=5).json() == "dark"
    assert requests.get(f"{url}/settings/Nothing.Set", timeout=5).json() is None
    saved = requests.post(f"{url}/userdata/workflows%2Fmine.json", data=b'{"nodes": []}', timeout=5)
    assert saved.status_code == 200
    assert saved.json() == "workflows/mine.json"
    again = requests.post(
        f"{url}/userdata/workflows%2Fmine.json?overwrite=false", data=b"{}", timeout=5
    )
    assert again.status_code == 409
    listed = requests.get(f"{url}/userdata?dir=workflows&full_info=true", timeout=5).json()
    assert [item["path"] for item in listed] == ["mine.json"]
    assert requests.get(f"{url}/userdata/workflows%2Fmine.json", timeout=5).content == (
        b'{"nodes": []}'
    )
    moved = requests.post(f"{url}/userdata/workflows%2Fmine.json/move/workflows%2Fours.json")
    assert moved.json() == "workflows/ours.json"
    assert requests.delete(f"{url}/userdata/workflows%2Fours.json", timeout=5).status_code == 204
    escape = requests.get(f"{url}/userdata/..%2F..%2Fsecret", timeout=5)
    assert escape.status_code == 403


def installed(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


@pytest.mark.skipif(
    not installed("comfyui_workflow_templates"), reason="comfyui-workflow-templates not installed"
)
def test_workflow_templates_are_served_from_the_installed_packages(shared_mock):
    index = requests.get(shared_mock.url + "/templates/index.json", timeout=10)
    assert index.status_code == 200
    categories = index.json()
    assert isinstance(categories, list)
    assert categories
    name = categories[0]["templates"][0]["name"]
    template = requests.get(f"{shared_mock.url}/templates/{name}.json", timeout=10)
    assert template.status_code == 200
    assert "nodes" in template.json()  # an editor-format workflow
    assert requests.get(shared_mock.url + "/templates/no-such.json", timeout=5).status_code == 404


@pytest.mark.skipif(
    not installed("comfyui_embedded_docs"), reason="comfyui-embedded-docs not installed"
)
def test_node_documentation_is_served_from_the_installed_package(shared_mock):
    page = requests.get(shared_mock.url + "/docs/KSampler/en.md", timeout=5)
    assert page.status_code == 200
    assert "KSampler" in page.text or "sampl" in page.text.lower()
    assert requests.get(shared_mock.url + "/docs/NoSuchNode/en.md", timeout=5).status_code == 404


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/experiment/models/preview/checkpoints/0/some_model.safetensors", 404),
        ("/api/experiment/models/preview/checkpoints/0/sub/dir/model.safetensors", 404),
        ("/experiment/models/preview/no_such_folder/0/model.safetensors", 404),
        ("/experiment/models/preview/checkpoints/7/model.safetensors", 500),
        ("/experiment/models/preview/checkpoints/first/model.safetensors", 500),
    ],
)
def test_model_previews_answer_as_0_8_does_for_models_without_one(shared_mock, path, status):
    # 0.8 answers 404 when a model has no preview picture or the folder is unknown, and
    # fails (500) on a path index that is not a number or out of the folder's range
    answer = requests.get(shared_mock.url + path, timeout=5)
    assert answer.status_code == status
    if status == 404:
        assert answer.content == b""


def recorded(path: str):
    [case] = [c for c in reference("get_endpoints.json") if c["request"]["path"] == path]
    return case["response"]["json"]


def shape(paths: list[str], base: str, output: str) -> list[str]:
    """Folder paths with the server's own locations replaced by placeholders."""
    return [p.replace(output, "<output>").replace(base, "<base>") for p in paths]


def test_model_folders_are_0_8s_in_its_order_and_places(shared_mock):
    base, output = "/srv/ComfyUI", "/srv/ComfyUI/output"
    folders = requests.get(shared_mock.url + "/internal/folder_paths", timeout=5).json()
    expected = recorded("/internal/folder_paths")
    assert list(folders) == list(expected)
    mock_output = str(shared_mock.log_path.parent / "out")
    mock_base = folders["custom_nodes"][0].removesuffix("/custom_nodes")
    for name, paths in expected.items():
        assert shape(folders[name], mock_base, mock_output) == shape(paths, base, output), name
    listed = requests.get(shared_mock.url + "/experiment/models", timeout=5).json()
    assert [entry["name"] for entry in listed] == [
        entry["name"] for entry in recorded("/experiment/models")
    ]
    names = requests.get(shared_mock.url + "/models", timeout=5).json()
    assert names == recorded("/models")
    assert requests.get(shared_mock.url + "/models/diffusers", timeout=5).json() == []


@pytest.mark.parametrize("editor_installed", [True, False], ids=["with-editor", "without-editor"])
def test_a_path_no_route_has_answers_as_0_8_with_or_without_the_editor(
    monkeypatch, editor_installed
):
    """0.8 serves its editor's folder at /, so an unknown path is 404 to GET and 405 to
    POST; the mock answers so even where the editor's package is not installed (the runner
    image has no frontend extra, and answered 404 to POST there)."""
    import asyncio

    from aiohttp import web
    from aiohttp.test_utils import TestClient, TestServer

    from ComfyLibrary.mock import frontend

    if not editor_installed:
        monkeypatch.setattr(frontend, "web_root", lambda: None)
    elif frontend.web_root() is None:
        pytest.fail("comfyui-frontend-package is not installed: make install adds the extra")

    async def answers() -> tuple[int, int, int]:
        app = web.Application()
        frontend.register(app)
        async with TestClient(TestServer(app)) as client:
            get = await client.get("/my_pack/status")
            post = await client.post("/my_pack/reload", json={})
            index = await client.get("/")
            return get.status, post.status, index.status

    assert asyncio.run(answers()) == (404, 405, 200)
