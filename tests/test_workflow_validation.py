"""Client-side validation and named parameters."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ComfyLibrary.errors import WorkflowError
from ComfyLibrary.mock.catalog import NodeCatalog
from ComfyLibrary.workflow import set_input
from ComfyLibrary.workflow.bindings import apply, load_bindings
from ComfyLibrary.workflow.validate import validate_workflow

pytestmark = pytest.mark.portable  # no local server process: runs on macOS and Windows

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = ROOT / "resources" / "workflows"
CATALOG = NodeCatalog.create(Path("/nonexistent-input")).all_served()
SAMPLER = json.loads((WORKFLOWS / "slow_sampler.json").read_text())


def problems(workflow):
    return [str(p) for p in validate_workflow(workflow, CATALOG)]


@pytest.mark.parametrize(
    "name", ["z_image_turbo_generation", "ltx2_image_to_video", "slow_sampler", "empty_image_save"]
)
def test_shipped_workflows_are_valid_except_for_missing_uploads(name):
    found = problems(json.loads((WORKFLOWS / f"{name}.json").read_text()))
    # the image-to-video start image must be uploaded first; nothing else may be wrong
    assert all("'image'" in p for p in found), found


@pytest.mark.parametrize(
    ("file", "expected"),
    [
        ("missing_input", ["node 3 (KSampler) input 'steps': required input is missing"]),
        (
            "dangling_link",
            [
                "node 8 \"VAE Decode\" (VAEDecode) input 'vae': linked to node 40, "
                "which is not in the workflow"
            ],
        ),
        (
            "cycle",
            ['node 5 "Upscale Latent" (LatentUpscaleBy): its links form a cycle 5 -> 3 -> 5'],
        ),
        (
            "no_output",
            ["the workflow has no output node (such as SaveImage), so nothing would run"],
        ),
    ],
)
def test_broken_workflows_name_node_title_class_and_input(file, expected):
    assert problems(json.loads((WORKFLOWS / "broken" / f"{file}.json").read_text())) == expected


@given(st.integers(min_value=0, max_value=2**64 - 1), st.integers(min_value=1, max_value=10000))
def test_any_seed_and_steps_in_range_validate(seed, steps):
    workflow = json.loads(json.dumps(SAMPLER))
    set_input(workflow, "KSampler.seed", seed)
    set_input(workflow, "KSampler.steps", steps)
    assert problems(workflow) == []


@given(st.one_of(st.integers(max_value=-1), st.integers(min_value=2**64)))
def test_every_out_of_range_seed_is_caught(seed):
    workflow = json.loads(json.dumps(SAMPLER))
    set_input(workflow, "KSampler.seed", seed)
    assert problems(workflow) == [
        f"node 3 (KSampler) input 'seed': value {seed} "
        + ("below minimum 0" if seed < 0 else "above maximum 18446744073709551615")
    ]


def test_bindings_set_every_target_with_the_right_type():
    workflow = json.loads((WORKFLOWS / "ltx2_image_to_video.json").read_text())
    bindings = load_bindings(WORKFLOWS / "ltx2_image_to_video.json")
    written = apply(workflow, bindings, {"seed": "42", "frames": "49", "fps": "12"})
    assert written == {"seed": 42, "frames": 49, "fps": 12.0}
    assert workflow["92:11"]["inputs"]["noise_seed"] == 42
    assert workflow["92:67"]["inputs"]["noise_seed"] == 42
    assert workflow["92:62"]["inputs"]["value"] == 49


def test_random_seed_is_an_integer_in_range():
    workflow = json.loads((WORKFLOWS / "z_image_turbo_generation.json").read_text())
    bindings = load_bindings(WORKFLOWS / "z_image_turbo_generation.json")
    seed = apply(workflow, bindings, {"seed": "random"})["seed"]
    assert isinstance(seed, int)
    assert 0 <= seed < 2**53
    assert workflow["57:3"]["inputs"]["seed"] == seed


def test_bad_parameter_values_and_names_fail_clearly():
    workflow = json.loads((WORKFLOWS / "z_image_turbo_generation.json").read_text())
    bindings = load_bindings(WORKFLOWS / "z_image_turbo_generation.json")
    with pytest.raises(WorkflowError, match="Parameter 'width' must be int, got 'wide'"):
        apply(workflow, bindings, {"width": "wide"})
    with pytest.raises(WorkflowError, match=r"Unknown argument 'colour': \(workflow parameters"):
        apply(workflow, bindings, {"colour": "red"})
    with pytest.raises(WorkflowError, match=r"Unknown argument 'sede': did you mean 'seed'\?"):
        apply(workflow, bindings, {"sede": 1}, keyword_arguments=["workflow", "timeout"])


def test_yaml_bindings(tmp_path):
    (tmp_path / "flow.json").write_text((WORKFLOWS / "empty_image_save.json").read_text())
    (tmp_path / "flow.bindings.yaml").write_text(
        "size:\n  targets: [1.width, 1.height]\n  type: int\n"
    )
    workflow = json.loads((tmp_path / "flow.json").read_text())
    apply(workflow, load_bindings(tmp_path / "flow.json"), {"size": "96"})
    assert (workflow["1"]["inputs"]["width"], workflow["1"]["inputs"]["height"]) == (96, 96)
