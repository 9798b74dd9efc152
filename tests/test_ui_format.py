"""Editor workflows convert to exactly the prompts ComfyUI's frontend produced."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from ComfyLibrary.errors import WorkflowError
from ComfyLibrary.mock.catalog import load_bundled_object_info
from ComfyLibrary.workflow.ui_format import convert_ui_workflow, strip_dynamic_prompt

PAIRS = Path(__file__).parent / "fixtures" / "ui2api"
NAMES = sorted(p.name[: -len(".api.json")] for p in PAIRS.glob("*.api.json"))
CATALOG = load_bundled_object_info()


@pytest.mark.parametrize("name", NAMES)
def test_conversion_matches_the_frontend(name):
    editor = json.loads((PAIRS / f"{name}.json").read_text())
    expected = json.loads((PAIRS / f"{name}.api.json").read_text())
    assert convert_ui_workflow(editor, CATALOG, name) == expected


def test_node_types_the_catalog_lacks_are_named():
    editor = json.loads((PAIRS / "sdxl_simple_example.json").read_text())
    catalog = copy.deepcopy(CATALOG)
    del catalog["KSamplerAdvanced"]
    with pytest.raises(WorkflowError, match=r"has no KSamplerAdvanced \(node \d+, \d+\)"):
        convert_ui_workflow(editor, catalog, "sdxl_simple_example")


def test_dynamic_prompt_comments_are_stripped():
    assert strip_dynamic_prompt("a cat // a comment\n/* gone */on a {mat}") == "a cat \non a mat"


def test_node_types_only_in_bypassed_nodes_are_named_too():
    catalog = load_bundled_object_info()
    editor = Path(__file__).resolve().parents[1] / "resources/workflows/editor"
    workflow = json.loads((editor / "sdxl_simple_example.json").read_text())
    workflow["nodes"].append(
        {"id": 999, "type": "NoSuchBypassedNode", "mode": 4, "inputs": [], "outputs": []}
    )
    with pytest.raises(WorkflowError, match=r"has no NoSuchBypassedNode \(node 999\)"):
        convert_ui_workflow(workflow, catalog, "bypassed.json")
