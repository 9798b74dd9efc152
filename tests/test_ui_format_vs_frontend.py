"""The converter against its ground truth, ComfyUI's own frontend (1.35.9, served by the
mock, in headless Chromium): ``app.loadGraphData`` then ``app.graphToPrompt().output``
give the same prompt as ``convert_ui_workflow`` for a committed sample of templates."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests

from ComfyLibrary.workflow.ui_format import convert_ui_workflow
from tests.browser import FLAGS, chromium_or_skip, import_or_skip
from tests.conftest import start_mock

import_or_skip("comfyui_frontend_package", "the [frontend] extra is not installed")
sync_api = import_or_skip("playwright.sync_api", "playwright is not installed")

SAMPLE = sorted((Path(__file__).parent / "fixtures" / "templates").glob("*.json"))


def comparable(prompt: dict) -> dict:
    return {k: {"class_type": v["class_type"], "inputs": v["inputs"]} for k, v in prompt.items()}


@pytest.fixture(scope="module")
def frontend(tmp_path_factory):
    chromium = chromium_or_skip()
    server = start_mock(tmp_path_factory.mktemp("frontend-mock"))
    requests.post(f"{server.url}/settings", json={"Comfy.TutorialCompleted": True}, timeout=5)
    catalog = requests.get(f"{server.url}/object_info", timeout=10).json()
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=FLAGS)
        page = browser.new_page()
        page.goto(server.url + "/", wait_until="load")
        page.wait_for_function("() => window.app && window.app.graph", timeout=60000)
        try:
            yield page, catalog
        finally:
            browser.close()
            server.kill()


@pytest.mark.parametrize("template", SAMPLE, ids=lambda p: p.stem)
def test_the_converter_matches_the_frontend(frontend, template):
    page, catalog = frontend
    workflow = json.loads(template.read_text())
    theirs = page.evaluate(
        "async wf => { await window.app.loadGraphData(wf, true, true);"
        " return (await window.app.graphToPrompt()).output }",
        workflow,
    )
    ours = convert_ui_workflow(workflow, catalog, template.name)
    assert comparable(ours) == comparable(theirs)
