"""The mock as each ComfyUI version it was recorded from (0.3.64, 0.3.77, 0.8.0): its
protocol fingerprint equals that real version's, check by check, its catalog is that
version's, and a version it was not recorded from is refused in one line."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys

import pytest
import requests

from ComfyLibrary.client import ComfyClient
from ComfyLibrary.mock.versions import supported, version_object_info
from ComfyLibrary.servers.ports import free_port
from ComfyLibrary.upgrade.fingerprint import compare, fingerprint
from tests.conftest import start_mock
from tests.prompts import shipped
from tests.recorders.record_version import structure_only

VERSIONS = ("0.3.64", "0.3.77", "0.8.0")


def recorded(version: str) -> dict:
    from importlib import resources

    folder = resources.files("ComfyLibrary.mock").joinpath(f"data/versions/{version}")
    return json.loads(folder.joinpath("server.json").read_text())


def test_every_version_the_issue_names_is_recorded():
    assert set(VERSIONS) <= set(supported())


@pytest.mark.parametrize("version", VERSIONS)
def test_the_mock_scores_against_each_real_version_as_its_default_does_against_0_8(
    tmp_path, version
):
    server = start_mock(tmp_path, version, comfyui_version=version)
    try:
        ours = fingerprint(server.url)
    finally:
        server.kill()
    rows = compare(recorded(version)["fingerprint"], ours)
    differing = [(r["check"], r["old"], r["new"]) for r in rows if not r["same"]]
    assert not differing, f"{len(rows) - len(differing)} of {len(rows)} checks agree: {differing}"


def test_the_versions_differ_where_the_real_ones_do():
    old = recorded("0.3.64")["fingerprint"]
    new = recorded("0.8.0")["fingerprint"]
    differing = {r["check"] for r in compare(old, new) if not r["same"]}
    assert {"route /api/jobs", "history extra_data keys", "features"} <= differing


@pytest.mark.parametrize("version", VERSIONS)
def test_each_version_serves_its_own_catalog_and_versions(tmp_path, version):
    server = start_mock(tmp_path, version, comfyui_version=version)
    try:
        catalog = requests.get(f"{server.url}/object_info", timeout=30).json()
        stats = requests.get(f"{server.url}/system_stats", timeout=10).json()["system"]
    finally:
        server.kill()
    assert set(catalog) == set(version_object_info(version))
    assert stats["comfyui_version"] == version
    assert stats == {**stats, **recorded(version)["system"]}


def test_0_3_64_runs_a_workflow_and_keeps_history_as_it_did(tmp_path):
    server = start_mock(tmp_path, "old", comfyui_version="0.3.64")
    client = ComfyClient(server.url)
    try:
        client.connect(10)
        completion = client.wait_for_completion(client.submit(shipped("empty_image_save")), 30)
        assert completion.status == "success"
        assert "create_time" not in completion.history["prompt"][3]
        assert requests.get(f"{server.url}/api/jobs", timeout=10).status_code == 404
        jobs = requests.get(f"{server.url}/api/jobs/{completion.prompt_id}", timeout=10)
        assert jobs.status_code == 404
        assert requests.post(f"{server.url}/api/jobs", timeout=10).status_code == 405
    finally:
        client.close()
        server.kill()


def test_a_0_3_64_catalog_refuses_a_class_only_0_8_has(tmp_path):
    only_new = sorted(set(version_object_info("0.8.0")) - set(version_object_info("0.3.64")))
    server = start_mock(tmp_path, "old", comfyui_version="0.3.64")
    try:
        prompt = {"1": {"class_type": only_new[0], "inputs": {}}}
        answer = requests.post(f"{server.url}/prompt", json={"prompt": prompt}, timeout=10)
    finally:
        server.kill()
    assert answer.status_code == 400
    assert answer.json()["error"]["type"] == "invalid_prompt"


def test_a_version_the_mock_cannot_be_is_refused_in_one_line():
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "ComfyLibrary.mock",
            "--port",
            str(free_port()),
            "--comfyui-version",
            "0.2.1",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert "cannot be ComfyUI 0.2.1: it can be 0.3.64, 0.3.77, 0.8.0" in done.stderr
    assert "Traceback" not in done.stderr


def test_recorded_catalogs_carry_structure_not_prose():
    for version in VERSIONS:
        catalog = version_object_info(version)
        assert catalog == structure_only(catalog)
        assert all(d.get("description", "") == "" for d in catalog.values())


def test_the_default_0_8_catalog_is_the_recorded_0_8_one():
    from importlib import resources

    bundled = json.loads(
        gzip.decompress(
            resources.files("ComfyLibrary.mock").joinpath("data/object_info.json.gz").read_bytes()
        )
    )
    assert set(bundled) == set(version_object_info("0.8.0"))
