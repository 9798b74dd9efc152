"""ComfyUI's own web editor (comfyui-frontend-package 1.35.9, the version 0.8 pins) served
by the mock, driven in headless Chromium with Playwright: it loads with no failing request,
knows every node class of the mock's catalog, loads a workflow, and its Run button runs it
on the mock, the saved image showing up on the node."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

from tests.browser import FLAGS, chromium_or_skip, import_or_skip
from tests.conftest import start_mock

import_or_skip("comfyui_frontend_package", "the [frontend] extra is not installed")
sync_api = import_or_skip("playwright.sync_api", "playwright is not installed")

ROOT = Path(__file__).resolve().parents[1]
# per-user files a fresh ComfyUI 0.8 answers 404 for as well
OPTIONAL = ("/user.css", "/api/userdata/user.css", "/api/userdata/comfy.templates.json")


@pytest.fixture
def editor(tmp_path):
    chromium = chromium_or_skip()
    server = start_mock(tmp_path)
    failures: list[str] = []
    origin = urlsplit(server.url).netloc
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=FLAGS)
        page = browser.new_page(viewport={"width": 1400, "height": 900})

        def response(answer):
            parts = urlsplit(answer.url)
            if parts.netloc == origin and answer.status >= 400 and parts.path not in OPTIONAL:
                failures.append(f"{answer.status} {parts.path}")

        page.on("response", response)
        # a request to any other host (api.comfy.org's release check, say) is one a real
        # 0.8 serving this editor would not cause; blob: and data: URLs stay in the page
        page.on(
            "request",
            lambda r: (
                urlsplit(r.url).scheme in ("http", "https", "ws", "wss")
                and urlsplit(r.url).netloc != origin
                and failures.append(f"request to another host: {r.method} {r.url}")
            ),
        )
        page.on(
            "requestfailed",
            lambda r: (
                urlsplit(r.url).netloc == origin
                and urlsplit(r.url).path not in OPTIONAL
                and failures.append(f"{r.failure} {urlsplit(r.url).path}")
            ),
        )
        # a ComfyUI whose user has seen the first-run template browser, kept in the
        # mock's own user folder like ComfyUI's settings
        requests.post(f"{server.url}/settings", json={"Comfy.TutorialCompleted": True}, timeout=5)
        try:
            page.goto(server.url + "/", wait_until="load")
            page.wait_for_function(
                "() => window.app && window.app.graph && window.LiteGraph"
                " && Object.keys(window.LiteGraph.registered_node_types).length > 400",
                timeout=60000,
            )
            yield page, server, failures
        finally:
            browser.close()
            server.kill()


def test_the_editor_loads_from_the_mock_and_knows_its_catalog(editor):
    page, server, failures = editor
    catalog = requests.get(f"{server.url}/object_info", timeout=10).json()
    known = set(page.evaluate("Object.keys(window.LiteGraph.registered_node_types)"))
    assert set(catalog) <= known, sorted(set(catalog) - known)[:10]
    page.wait_for_timeout(2000)  # the editor's checks after load (releases, templates)
    assert not [f for f in failures if not f.startswith("net::ERR_ABORTED")], failures


def test_the_run_button_runs_a_workflow_on_the_mock_and_the_image_shows(editor):
    page, server, failures = editor
    workflow = json.loads((ROOT / "resources" / "workflows" / "empty_image_save.json").read_text())
    page.evaluate("wf => window.app.loadApiJson(wf, 'empty_image_save.json')", workflow)
    page.get_by_role("button", name="Run", exact=True).click()
    page.wait_for_function(
        "() => window.app.graph._nodes.some(n => n.type === 'SaveImage'"
        " && n.imgs && n.imgs.length && n.imgs[0].complete && n.imgs[0].naturalWidth > 0)",
        timeout=30000,
    )
    source = page.evaluate("window.app.graph._nodes.find(n => n.type === 'SaveImage').imgs[0].src")
    assert "/view?" in source
    assert "filename=" in source
    history = requests.get(f"{server.url}/history", timeout=10).json()
    [entry] = history.values()
    assert entry["status"]["status_str"] == "success"
    assert not [f for f in failures if not f.startswith("net::ERR_ABORTED")], failures
