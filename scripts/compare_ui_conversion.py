"""Converts every editor-format template of ``comfyui-workflow-templates-json`` whose node
types all exist in the mock's catalog twice, with ComfyUI's own frontend (served by the
mock, in headless Chromium: ``app.loadGraphData`` then ``app.graphToPrompt().output``)
and with the library's converter, and prints how many match and how the others differ.

Needs the [frontend] extra, playwright, Debian's chromium and the templates package:
    .venv/bin/pip install comfyui-workflow-templates-json
    .venv/bin/python scripts/compare_ui_conversion.py [--limit N] [--show 5] [--source pinned]
(``--source pinned``: the templates of comfyui-workflow-templates 0.7.67, which 0.8 pins
and serves to its editor; they come with the [frontend] extra.)
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ComfyLibrary.errors import WorkflowError
from ComfyLibrary.workflow.ui_format import VIRTUAL, convert_ui_workflow, is_ui_format
from tests.browser import FLAGS, find_or_install_chromium
from tests.conftest import start_mock


def templates(source: str = "json") -> list[Path]:
    """The editor templates of ``comfyui-workflow-templates-json`` (``json``), or those of
    ``comfyui-workflow-templates``, the package 0.8 pins and serves at /templates
    (``pinned``)."""
    if source == "pinned":
        from comfyui_workflow_templates import get_asset_path, iter_templates

        return sorted(
            Path(get_asset_path(entry.template_id, asset.filename))
            for entry in iter_templates()
            for asset in entry.assets
            if asset.filename.endswith(".json") and asset.filename != "index.json"
        )
    import comfyui_workflow_templates_json as package

    return sorted((Path(package.__file__).parent / "templates").glob("*.json"))


def node_types(workflow: dict) -> set[str]:
    found = {n.get("type") for n in workflow.get("nodes", [])}
    for subgraph in (workflow.get("definitions") or {}).get("subgraphs", []):
        found |= {n.get("type") for n in subgraph.get("nodes", [])}
        found.discard(subgraph.get("id"))
    subgraph_ids = {s.get("id") for s in (workflow.get("definitions") or {}).get("subgraphs", [])}
    return {t for t in found if t and t not in subgraph_ids}


def comparable(prompt: dict) -> dict:
    return {
        node_id: {"class_type": node["class_type"], "inputs": node["inputs"]}
        for node_id, node in prompt.items()
    }


def differences(ours: dict, theirs: dict) -> list[str]:
    found = []
    for node_id in sorted(set(ours) | set(theirs)):
        a, b = ours.get(node_id), theirs.get(node_id)
        if a is None or b is None:
            found.append(f"node {node_id} only in {'frontend' if a is None else 'ours'}")
            continue
        if a["class_type"] != b["class_type"]:
            found.append(f"node {node_id}: class {a['class_type']} vs {b['class_type']}")
        for name in sorted(set(a["inputs"]) | set(b["inputs"])):
            if a["inputs"].get(name, "<missing>") != b["inputs"].get(name, "<missing>"):
                found.append(
                    f"node {node_id} ({b['class_type']}) input {name}: "
                    f"{json.dumps(a['inputs'].get(name, '<missing>'))[:60]} vs "
                    f"{json.dumps(b['inputs'].get(name, '<missing>'))[:60]}"
                )
    return found


def main() -> int:
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=0)
    parser.add_argument("--show", type=int, default=5, help="differences shown per template")
    parser.add_argument(
        "--source",
        choices=("json", "pinned"),
        default="json",
        help="comfyui-workflow-templates-json (json) or 0.8's comfyui-workflow-templates",
    )
    args = parser.parse_args()
    server = start_mock(Path(tempfile.mkdtemp(prefix="compare-ui-")))
    import requests

    requests.post(f"{server.url}/settings", json={"Comfy.TutorialCompleted": True}, timeout=5)
    catalog = requests.get(f"{server.url}/object_info", timeout=10).json()
    chosen = []
    for path in templates(args.source):
        data = json.loads(path.read_text())
        if is_ui_format(data) and node_types(data) <= set(catalog) | VIRTUAL:
            chosen.append((path, data))
    if args.limit:
        chosen = chosen[: args.limit]
    matched, differing, failed = 0, [], []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=find_or_install_chromium(), args=FLAGS
            )
            page = browser.new_page()
            page.goto(server.url + "/", wait_until="load")
            page.wait_for_function("() => window.app && window.app.graph", timeout=60000)
            for path, data in chosen:
                try:
                    theirs = page.evaluate(
                        "async wf => { await window.app.loadGraphData(wf, true, true);"
                        " return (await window.app.graphToPrompt()).output }",
                        data,
                    )
                except Exception as exc:  # the frontend itself could not convert it
                    failed.append(f"{path.name}: frontend: {str(exc).splitlines()[0][:120]}")
                    continue
                try:
                    ours = convert_ui_workflow(data, catalog, path.name)
                except WorkflowError as exc:
                    differing.append((path.name, [f"ours refused it: {exc}"]))
                    continue
                found = differences(comparable(ours), comparable(theirs))
                if found:
                    differing.append((path.name, found))
                else:
                    matched += 1
            browser.close()
    finally:
        server.kill()
    print(f"templates whose node types the catalog has: {len(chosen)}")
    print(f"converted exactly as the frontend does: {matched}")
    print(f"differing: {len(differing)}; the frontend failed on: {len(failed)}")
    for name, found in differing:
        print(f"- {name}: " + "; ".join(found[: args.show]))
    for line in failed:
        print(f"- {line}")
    return 0 if not differing else 1


if __name__ == "__main__":
    sys.exit(main())
