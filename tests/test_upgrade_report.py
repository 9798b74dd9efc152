"""The upgrade report: between the mock as ComfyUI 0.3.64 and as 0.8.0 (their catalogs and
protocols recorded from the real versions), with workflows of a team's, outputs from two
run reports that differ by one pixel level under another torch, per-version references,
and custom node packs reported from a start-up log."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from ComfyLibrary.errors import ComfyError
from ComfyLibrary.mock.versions import version_object_info
from ComfyLibrary.upgrade.catalog_diff import BREAKS, COMPATIBLE, diff_catalogs
from ComfyLibrary.upgrade.compare import compare_servers
from ComfyLibrary.upgrade.sides import Side, failed_packs, import_seconds, loaded_packs
from tests.conftest import start_mock

REMOVED_SINCE_0_3_64 = [
    "Load3DAnimation",
    "LoadImageSetFromFolderNode",
    "LoadImageTextSetFromFolderNode",
    "Preview3DAnimation",
    "SaveLoRANode",
]


@pytest.fixture(scope="module")
def two_versions(tmp_path_factory):
    old = start_mock(tmp_path_factory.mktemp("old"), "old", comfyui_version="0.3.64")
    new = start_mock(tmp_path_factory.mktemp("new"), "new")
    try:
        yield old.url, new.url
    finally:
        old.kill()
        new.kill()


def test_the_catalog_diff_of_0_3_64_and_0_8_0_is_what_the_real_ones_list():
    diff = diff_catalogs(version_object_info("0.3.64"), version_object_info("0.8.0"))
    assert len(diff["added"]) == 68
    assert diff["removed"] == REMOVED_SINCE_0_3_64
    scale = diff["changed"]["ImageScaleToTotalPixels"]
    assert scale == [
        {
            "what": "required input added",
            "input": "resolution_steps",
            "old": None,
            "new": "INT",
            "impact": BREAKS,
        }
    ]
    samplers = next(c for c in diff["changed"]["KSampler"] if c["input"] == "sampler_name")
    assert samplers["old"] == []  # only added: no workflow breaks
    assert samplers["impact"] == COMPATIBLE
    load3d = diff["changed"]["Load3D"]
    assert any(c["what"] == "output changed" for c in load3d)
    audio = {c["what"] for c in diff["changed"]["EmptyAudio"]}
    assert audio == {"min changed", "max changed"}


def test_a_catalog_compared_with_itself_has_no_change():
    catalog = version_object_info("0.8.0")
    assert diff_catalogs(catalog, catalog) == {"added": [], "removed": [], "changed": {}}


def _api(tmp: Path, name: str, prompt: dict) -> None:
    (tmp / f"{name}.json").write_text(json.dumps(prompt))


def team_workflows(folder: Path) -> Path:
    folder.mkdir()
    image = {
        "class_type": "EmptyImage",
        "inputs": {"width": 8, "height": 8, "batch_size": 1, "color": 0},
    }
    save = {"class_type": "SaveImage", "inputs": {"images": ["2", 0], "filename_prefix": "t"}}
    _api(
        folder,
        "plain",
        {"1": image, "2": {"class_type": "ImageInvert", "inputs": {"image": ["1", 0]}}, "3": save},
    )
    scale = {"image": ["1", 0], "upscale_method": "area", "megapixels": 1.0}
    _api(
        folder,
        "scales",
        {"1": image, "2": {"class_type": "ImageScaleToTotalPixels", "inputs": scale}, "3": save},
    )
    return folder  # fmt: skip


def test_the_report_between_two_versions_names_what_breaks_your_workflows(two_versions, tmp_path):
    old, new = two_versions
    report, json_path, html_path = compare_servers(
        old, new, tmp_path / "out", workflows=team_workflows(tmp_path / "workflows")
    )
    assert report["old"]["comfyui_version"] == "0.3.64"
    assert report["new"]["comfyui_version"] == "0.8.0"
    assert report["what_changed"] == "ComfyUI"
    verdicts = {w["workflow"]: w for w in report["workflows"]}
    assert verdicts["plain.json"]["verdict"] == "unchanged"
    assert not verdicts["plain.json"]["affected"]
    scales = verdicts["scales.json"]
    assert scales["verdict"] == "breaks"
    assert scales["affected"][0]["input"] == "resolution_steps"
    assert any("resolution_steps" in p for p in scales["new_problems"])
    assert report["workflows"][0]["workflow"] == "scales.json"  # what breaks comes first
    protocol = {c["check"]: c for c in report["protocol"]}
    assert protocol["route /api/jobs"] == {
        "check": "route /api/jobs",
        "old": 404,
        "new": 200,
        "same": False,
    }
    assert protocol["ws message types"]["same"]
    assert report["summary"]["workflows_breaking"] == 1
    assert json.loads(json_path.read_text())["summary"] == report["summary"]
    page = html_path.read_text()
    assert "ImageScaleToTotalPixels" in page
    assert "resolution_steps" in page
    assert "<script" not in page


def _run_report(folder: Path, torch: str, level: int) -> Path:
    folder.mkdir(parents=True)
    Image.new("RGB", (16, 16), (level, 40, 80)).save(folder / "fox.png")
    run = {
        "workflow": "tiny_text_to_image",
        "suite": "Tiny",
        "test": "A Fox",
        "status": "success",
        "parameters": {"seed": 42},
        "files": ["fox.png"],
        "phases": {"execution": 0.5 if torch == "2.13.0" else 0.4},
        "nodes": [{"class_type": "KSampler", "seconds": 0.3, "cached": False}],
        "provenance": {"comfyui_version": "0.8.0", "pytorch_version": torch},
    }
    path = folder / "run-report.json"
    path.write_text(json.dumps({"runs": [run]}))
    return path


def test_outputs_of_two_torch_builds_name_torch_as_what_changed(two_versions, tmp_path):
    _, new = two_versions
    runs = (_run_report(tmp_path / "a", "2.13.0", 100), _run_report(tmp_path / "b", "2.14.1", 101))
    report, _, html_path = compare_servers(new, new, tmp_path / "out", runs=runs, protocol=False)
    (output,) = report["outputs"]
    assert output["changed"] is True
    assert output["max_pixel_difference"] == 1
    assert output["cause"] == "torch"
    assert output["old_versions"]["pytorch_version"] == "2.13.0"
    assert report["time"]["workflows"][0]["ratio"] == 0.8
    assert "torch" in html_path.read_text()


def test_per_version_references_are_compared_file_by_file(two_versions, tmp_path):
    old, new = two_versions
    for version, level in (("0.3.64", 10), ("0.8.0", 10)):
        (tmp_path / "golden" / version).mkdir(parents=True)
        Image.new("RGB", (8, 8), (level, 0, 0)).save(tmp_path / "golden" / version / "a.png")
    report, _, _ = compare_servers(
        old, new, tmp_path / "out", references=tmp_path / "golden", protocol=False
    )
    assert report["outputs"][0]["file"] == "a.png"
    assert report["outputs"][0]["changed"] is False
    assert report["outputs"][0]["ssim"] == 1.0


def test_a_profile_is_a_side_too(two_versions, tmp_path):
    from ComfyLibrary.profile import capture_profile

    old, new = two_versions
    capture_profile(old, tmp_path / "old.json")
    report, _, _ = compare_servers(str(tmp_path / "old.json"), new, tmp_path / "out")
    assert report["old"]["comfyui_version"] == "0.3.64"
    assert "protocol" not in report  # a profile cannot be asked
    assert len(report["catalog"]["added"]) == 68


LOG = """2026-12-07 10:00:00.000 - Cannot import /srv/ComfyUI/custom_nodes/comfylibrary_broken module for custom nodes: No module named 'comfy.nested_tensor'
2026-12-07 10:00:00.001 - Import times for custom nodes:
   0.0 seconds: /srv/ComfyUI/custom_nodes/websocket_image_save.py
   0.1 seconds: /srv/ComfyUI/custom_nodes/comfylibrary_example
   0.0 seconds (IMPORT FAILED): /srv/ComfyUI/custom_nodes/comfylibrary_broken
"""  # noqa: E501 - ComfyUI's own lines


def test_pack_import_failures_and_times_are_read_from_comfyuis_log():
    assert failed_packs(LOG) == {"comfylibrary_broken": "No module named 'comfy.nested_tensor'"}
    assert import_seconds(LOG)["comfylibrary_example"] == 0.1
    catalog = {"X": {"python_module": "custom_nodes.comfylibrary_example"}, "Y": {}}
    assert loaded_packs(catalog) == {"comfylibrary_example": ["X"]}
    side = Side("old", catalog, {}, None, LOG)
    assert side.failed_packs() == failed_packs(LOG)


def test_bad_sides_and_folders_fail_in_one_line(two_versions, tmp_path):
    _, new = two_versions
    with pytest.raises(ComfyError, match="neither a server URL"):
        compare_servers(str(tmp_path / "nothing.json"), new, tmp_path / "out")
    with pytest.raises(ComfyError, match=r"workflows folder .* does not exist"):
        compare_servers(new, new, tmp_path / "out", workflows=tmp_path / "none")


def test_the_command_writes_both_files(two_versions, tmp_path):
    old, new = two_versions
    done = subprocess.run(
        [sys.executable, "-m", "ComfyLibrary.upgrade.compare", old, new, "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "ComfyUI 0.3.64 -> 0.8.0" in done.stdout
    assert (tmp_path / "upgrade-report.html").is_file()
    missing = subprocess.run(
        [sys.executable, "-m", "ComfyLibrary.upgrade.compare", "http://127.0.0.1:9", new],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert missing.returncode == 2
    assert "Traceback" not in missing.stderr
