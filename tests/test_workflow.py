"""Loading workflows and setting inputs by id, title or class."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ComfyLibrary.errors import WorkflowError
from ComfyLibrary.workflow import load_workflow, resolve_workflow_path, set_input

pytestmark = pytest.mark.portable  # no local server process: runs on macOS and Windows

WORKFLOW = {
    "1": {"class_type": "EmptyImage", "inputs": {"width": 64}, "_meta": {"title": "Canvas"}},
    "57:3": {"class_type": "KSampler", "inputs": {"seed": 0}, "_meta": {"title": "Sampler"}},
    "6": {"class_type": "CLIPTextEncode", "inputs": {"text": ""}, "_meta": {"title": "Prompt"}},
    "7": {"class_type": "CLIPTextEncode", "inputs": {"text": ""}, "_meta": {"title": "Prompt"}},
}


def write(tmp_path, name, content):
    path = tmp_path / name
    path.write_text(content)
    return path


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "is empty"),
        ("{not json", "is not valid JSON (line 1, column 2"),
        ("[1, 2]", "is a JSON array"),
        ('{"nodes": [], "links": []}', "editor's UI format"),
        ('{"1": {"inputs": {}}}', "node '1' has no class_type"),
    ],
)
def test_unusable_files_fail_with_one_line(tmp_path, content, message):
    path = write(tmp_path, "w.json", content)
    with pytest.raises(WorkflowError, match=message.replace("(", r"\(").replace("'", "'")):
        load_workflow(path)


def test_names_cannot_leave_the_workflow_folder(tmp_path):
    (tmp_path / "flows").mkdir()
    write(tmp_path, "secret.json", "{}")
    with pytest.raises(WorkflowError, match="outside the workflow folder"):
        resolve_workflow_path("../secret.json", tmp_path / "flows")


def test_json_extension_is_optional(tmp_path):
    path = write(tmp_path, "flow.json", json.dumps(WORKFLOW))
    assert resolve_workflow_path("flow", tmp_path) == path


def test_set_by_id_title_and_unique_class():
    workflow = json.loads(json.dumps(WORKFLOW))
    assert set_input(workflow, "57:3.seed", 5) == "57:3"
    assert set_input(workflow, '"Canvas".width', 128) == "1"
    assert set_input(workflow, "KSampler.seed", 7) == "57:3"
    assert workflow["57:3"]["inputs"]["seed"] == 7
    assert workflow["1"]["inputs"]["width"] == 128


def test_ambiguous_target_lists_candidates():
    with pytest.raises(WorkflowError, match=r"matches several nodes: 6 \(CLIPTextEncode\), 7"):
        set_input(json.loads(json.dumps(WORKFLOW)), "CLIPTextEncode.text", "x")


def test_missing_input_lists_existing_ones():
    with pytest.raises(WorkflowError, match=r"has no input 'steps'. Its inputs: seed"):
        set_input(json.loads(json.dumps(WORKFLOW)), "57:3.steps", 4)


@given(
    st.sampled_from(["1.width", "57:3.seed", '"Canvas".width', "KSampler.seed"]),
    st.one_of(st.integers(), st.text(), st.floats(allow_nan=False)),
)
def test_set_value_reads_back(path, value):
    workflow = json.loads(json.dumps(WORKFLOW))
    node_id = set_input(workflow, path, value)
    assert workflow[node_id]["inputs"][path.rpartition(".")[2]] == value


def test_an_absolute_path_written_out_loads_from_anywhere(tmp_path):
    (tmp_path / "flows").mkdir()
    write(tmp_path, "mine.json", "{}")
    assert (
        resolve_workflow_path(tmp_path / "mine.json", tmp_path / "flows") == tmp_path / "mine.json"
    )
    assert (
        resolve_workflow_path(str(tmp_path / "mine"), tmp_path / "flows") == tmp_path / "mine.json"
    )


def test_a_misspelt_name_gets_the_closest_names_and_the_list(tmp_path):
    flows = tmp_path / "flows"
    flows.mkdir()
    for name in ("tiny_text_to_image", "tiny_image_to_video", "empty_image_save"):
        write(flows, f"{name}.json", "{}")
    write(flows, "tiny_text_to_image.bindings.json", "{}")
    with pytest.raises(WorkflowError) as failure:
        resolve_workflow_path("tiny_text_to_imag", flows)
    message = str(failure.value)
    assert "did you mean 'tiny_text_to_image'?" in message
    assert "Workflows there: empty_image_save, tiny_image_to_video, tiny_text_to_image." in message
    assert "bindings" not in message
    assert "\n" not in message


def test_a_name_in_an_empty_folder_says_there_is_none(tmp_path):
    with pytest.raises(WorkflowError, match="there are no workflows there"):
        resolve_workflow_path("anything", tmp_path)
