"""Editor workflows convert to exactly the prompts ComfyUI's frontend produced."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from ComfyLibrary.errors import WorkflowError
from ComfyLibrary.mock.catalog import load_bundled_object_info
from ComfyLibrary.workflow.ui_format import convert_ui_workflow, strip_dynamic_prompt

pytestmark = pytest.mark.portable  # no local server process: runs on macOS and Windows

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


def _qwen_edit_sampler(mutate=None) -> dict:
    """The KSampler inside image_qwen_image_edit's subgraph, converted, after ``mutate``."""
    workflow = json.loads((PAIRS / "image_qwen_image_edit.json").read_text())
    subgraph = next(
        s for s in workflow["definitions"]["subgraphs"] if any(n["id"] == 110 for n in s["nodes"])
    )
    if mutate is not None:
        mutate(subgraph)
    prompt = convert_ui_workflow(workflow, CATALOG, "image_qwen_image_edit")
    return prompt["102:3"]["inputs"]


def test_a_subgraph_link_the_editor_loses_to_a_slot_clash_gives_the_widget_value():
    # saved slots [.., steps (link), cfg (link)] without seed: the editor's slot check in
    # subgraphs drops the link into steps (checked against frontend 1.35.9 in Chromium)
    inputs = _qwen_edit_sampler()
    assert inputs["steps"] == 4
    assert inputs["cfg"] == ["102:109", 0]


def test_the_same_links_saved_in_the_editors_order_are_kept():
    def cfg_before_steps(subgraph):
        sampler = next(n for n in subgraph["nodes"] if n["id"] == 3)
        sampler["inputs"][4], sampler["inputs"][5] = sampler["inputs"][5], sampler["inputs"][4]
        for link in subgraph["links"]:
            if link["id"] in (210, 211):
                link["target_slot"] = 4 if link["id"] == 210 else 5

    inputs = _qwen_edit_sampler(cfg_before_steps)
    assert inputs["steps"] == ["102:110", 0]
    assert inputs["cfg"] == ["102:109", 0]


def test_instance_values_go_to_the_promoted_widgets_that_exist():
    # ModelSamplingAuraFlow has no 'sampling' widget: the editor promotes no widget for that
    # subgraph input, drops the slot, and the instance's values shift onto the next inputs
    workflow = json.loads((PAIRS / "3d_hunyuan3d-v2.1.json").read_text())
    prompt = convert_ui_workflow(workflow, CATALOG, "3d_hunyuan3d-v2.1")
    assert "sampling" not in prompt["19:3"]["inputs"]
    assert prompt["19:7"]["inputs"]["steps"] == "flow"
    assert prompt["19:1"]["inputs"]["ckpt_name"] == 4096


@pytest.mark.parametrize(
    ("damage", "named"),
    [
        (lambda w: w["nodes"][0].pop("type"), r"node \d+ has no 'type'"),
        (lambda w: w["nodes"].append("oops"), r"node \d+ is not an object with an 'id'"),
        (lambda w: w["links"].append([1, 2]), r"link \[1, 2\] is not \[id, origin, slot"),
        (lambda w: w["links"][0].__setitem__(1, "x"), "ids or slots that are not numbers"),
        (lambda w: w.__setitem__("definitions", "x"), "'definitions' is not an object"),
        (lambda w: w["nodes"][0].__setitem__("inputs", {"a": 1}), "'inputs' that is not a list"),
    ],
)
def test_a_malformed_editor_workflow_fails_in_one_line_naming_the_problem(damage, named):
    workflow = json.loads((PAIRS / "sdxl_simple_example.json").read_text())
    damage(workflow)
    with pytest.raises(WorkflowError, match=named) as failure:
        convert_ui_workflow(workflow, CATALOG, "broken.json")
    assert "\n" not in str(failure.value)
    assert "Export (API)" in str(failure.value)


def test_proxy_widgets_give_promoted_widgets_their_values_by_name():
    # proxyWidgets [["-1", "text"], ["-1", "seed"], ...]: widgets_values follow that order,
    # not the subgraph's input order (checked against frontend 1.35.9)
    workflow = json.loads((PAIRS / "pinned_flux_kontext_dev_basic.json").read_text())
    values = next(n for n in workflow["nodes"] if n["id"] == 192)["widgets_values"]
    prompt = convert_ui_workflow(workflow, CATALOG, "pinned_flux_kontext_dev_basic")
    assert prompt["192:6"]["inputs"]["text"] == values[0]
    assert prompt["192:31"]["inputs"]["seed"] == values[1]
