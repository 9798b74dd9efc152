"""Hostile input is refused in one line before anything is read: workflow names, the
mock's control routes beyond loopback, upload names, dependency cycles."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from ComfyLibrary.errors import WorkflowError
from ComfyLibrary.workflow import resolve_workflow_path
from ComfyLibrary.workflow.bindings import load_bindings
from tests.procs import run_robot

ROOT = Path(__file__).resolve().parents[1]
WORKFLOW = '{"1": {"class_type": "EmptyImage", "inputs": {}}}'


@pytest.fixture
def folders(tmp_path):
    flows = tmp_path / "flows"
    flows.mkdir()
    (tmp_path / "flows.json").write_text(WORKFLOW)  # next to the folder, not in it
    (tmp_path / "secret.json").write_text(WORKFLOW)
    (flows / "good.json").write_text(WORKFLOW)
    (flows / "evil").symlink_to(tmp_path / "secret.json")
    (flows / "loop").symlink_to(flows / "loop")
    (flows / "inner.json").symlink_to(flows / "good.json")
    return flows


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("", "names no file"),
        ("   ", "names no file"),
        (".", "names no file"),
        ("..", "names no file"),
        ("evil", "is outside the workflow folder"),
        ("../secret", "is outside the workflow folder"),
        ("../secret.json", "is outside the workflow folder"),
        ("/etc/no-such-workflow", "does not exist: check the path"),
        ("/etc", "is a folder"),
        ("sub/../../secret", "is outside the workflow folder"),
        ("bad\0name", "contains a NUL byte"),
        ("x" * 300, "more than a file name can be"),
        ("loop", "cannot be resolved"),
        ("missing", "not found"),
    ],
    ids=lambda value: repr(value)[:24],
)
def test_hostile_workflow_names_are_refused_in_one_line(folders, name, problem):
    with pytest.raises(WorkflowError) as failure:
        resolve_workflow_path(name, folders)
    message = str(failure.value)
    assert problem in message
    assert "\n" not in message


def test_names_inside_the_folder_still_load(folders):
    assert resolve_workflow_path("good", folders) == folders / "good.json"
    assert resolve_workflow_path("inner.json", folders) == folders / "good.json"


def test_a_bindings_file_linked_from_outside_is_refused(folders, tmp_path):
    (tmp_path / "outside.bindings.json").write_text('{"width": "1.width"}')
    (folders / "good.bindings.json").symlink_to(tmp_path / "outside.bindings.json")
    with pytest.raises(WorkflowError, match="links outside the workflow folder"):
        load_bindings(resolve_workflow_path("good", folders))


def test_load_workflow_keyword_refuses_hostile_names_in_robot(tmp_path, folders):
    suite = tmp_path / "hostile.robot"
    suite.write_text(
        f"""*** Settings ***
Library    ComfyLibrary    workflow_dir={folders}

*** Test Cases ***
Hostile Names
    Run Keyword And Expect Error    Workflow name '' names no file*    Load Workflow    ${{EMPTY}}
    Run Keyword And Expect Error    Workflow 'evil' is outside*    Load Workflow    evil
    Run Keyword And Expect Error    *contains a NUL byte*    Load Workflow    a\\x00b
"""
    )
    run = run_robot(suite, tmp_path / "out", timeout=60)
    assert run.returncode == 0, run.stdout


# The mock's control routes ------------------------------------------------------------

NAMESPACE_SCRIPT = """
set -e
ip link set lo up
ip addr add 192.0.2.10/32 dev lo
exec {python} {probe} {port}
"""

PROBE = """
import json, subprocess, sys, time, requests
port = sys.argv[1]
def start(*extra, env=None):
    import os
    mock = subprocess.Popen(
        [sys.executable, "-m", "ComfyLibrary.mock", "--listen", "192.0.2.10", "--port", port,
         *extra], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, **(env or {})})
    lines = []
    for line in mock.stdout:
        lines.append(line.strip())
        if "ready at" in line:
            break
    return mock, lines
def ask(headers=None):
    url = f"http://192.0.2.10:{port}/mock/latency"
    answer = requests.post(url, json={"ms": 0}, headers=headers or {}, timeout=5)
    return answer.status_code, answer.text
results = {}
mock, lines = start()
lines.append(mock.stdout.readline().strip())  # what it says after the ready line
queue = requests.get(f"http://192.0.2.10:{port}/queue", timeout=5)
results["plain_open_prompt"] = queue.status_code
results["no_token"] = ask()
results["start_lines"] = lines
mock.terminate(); mock.wait(10)
mock, _ = start("--control-token", "s3cret")
results["wrong_token"] = ask({"X-Comfy-Mock-Token": "guess"})
results["right_token"] = ask({"X-Comfy-Mock-Token": "s3cret"})
results["foreign_origin"] = ask({"X-Comfy-Mock-Token": "s3cret", "Origin": "http://evil.example"})
mock.terminate(); mock.wait(10)
mock, _ = start(env={"COMFY_MOCK_CONTROL_TOKEN": "from-env"})
results["env_token"] = ask({"X-Comfy-Mock-Token": "from-env"})
mock.terminate(); mock.wait(10)
print(json.dumps(results))
"""


def _namespaces_work() -> bool:
    if not shutil.which("unshare") or not shutil.which("ip"):
        return False
    probe = subprocess.run(
        ["unshare", "-n", "sh", "-c", "ip link set lo up && ip addr add 192.0.2.10/32 dev lo"],
        capture_output=True,
        check=False,
    )
    return probe.returncode == 0


@pytest.mark.skipif(not _namespaces_work(), reason="needs unshare -n and ip (root)")
def test_control_routes_beyond_loopback_need_the_token(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text(PROBE)
    script = NAMESPACE_SCRIPT.format(python=sys.executable, probe=probe, port=8188)
    run = subprocess.run(
        ["unshare", "-n", "sh", "-c", script],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert run.returncode == 0, run.stderr
    results = json.loads(run.stdout.strip().splitlines()[-1])
    assert results["plain_open_prompt"] == 200  # ComfyUI's own routes stay open
    status, body = results["no_token"]
    assert status == 403
    assert "without a control token" in body
    assert any("fault-control routes are refused" in line for line in results["start_lines"]), (
        results
    )
    assert results["wrong_token"][0] == 403
    assert results["right_token"][0] == 200
    assert results["foreign_origin"][0] == 403
    assert results["env_token"][0] == 200


def test_control_routes_on_loopback_stay_open_but_refuse_foreign_origins(mock_server):
    url = f"{mock_server.url}/mock/latency"
    assert requests.post(url, json={"ms": 0}, timeout=5).status_code == 200
    foreign = requests.post(url, json={"ms": 0}, headers={"Origin": "http://evil.example"})
    assert foreign.status_code == 403


def test_the_library_passes_its_token_to_a_mock_beyond_loopback(tmp_path):
    """Start Mock Server on 0.0.0.0 hands the mock a token and uses it for faults."""
    suite = tmp_path / "wide.robot"
    suite.write_text(
        """*** Settings ***
Library    ComfyLibrary
Library    RequestsLibrary

*** Test Cases ***
Faults Still Work Beyond Loopback
    ${url} =    Start Mock Server    host=0.0.0.0
    Set Server Latency    10 ms
    ${faults} =    Get Server Faults
    Should Be Equal As Numbers    ${faults}[latency_ms]    10
"""
    )
    suite.write_text(suite.read_text().replace("Library    RequestsLibrary\n", ""))
    run = run_robot(suite, tmp_path / "out", timeout=60)
    assert run.returncode == 0, run.stdout
    log = next((tmp_path / "out" / "comfy" / "servers").glob("*.log")).read_text()
    assert "fault-control routes are refused" not in log


# Uploads and cycles against the mock ----------------------------------------------------


@pytest.mark.parametrize(
    ("filename", "subfolder"),
    [("bad\0name.png", ""), ("x" * 300 + ".png", ""), ("ok.png", "sub\0dir")],
    ids=["nul-name", "long-name", "nul-subfolder"],
)
def test_uploads_with_bad_names_get_an_empty_400(mock_server, filename, subfolder):
    answer = requests.post(
        f"{mock_server.url}/upload/image",
        files={"image": (filename, b"\x89PNG", "image/png")},
        data={"subfolder": subfolder},
        timeout=10,
    )
    assert answer.status_code == 400
    assert answer.content == b""
    assert "Traceback" not in mock_server.log_path.read_text()


def test_view_of_a_nul_name_is_404_without_a_traceback(mock_server):
    answer = requests.get(f"{mock_server.url}/view", params={"filename": "a\0b.png"}, timeout=5)
    assert answer.status_code == 404
    assert "Traceback" not in mock_server.log_path.read_text()


@pytest.mark.parametrize(
    "prompt",
    [
        {
            "1": {"class_type": "ImageInvert", "inputs": {"image": ["2", 0]}},
            "2": {"class_type": "ImageInvert", "inputs": {"image": ["1", 0]}},
            "3": {
                "class_type": "SaveImage",
                "inputs": {"images": ["2", 0], "filename_prefix": "c"},
            },
        },
        {
            "1": {"class_type": "ImageInvert", "inputs": {"image": ["1", 0]}},
            "3": {
                "class_type": "SaveImage",
                "inputs": {"images": ["1", 0], "filename_prefix": "c"},
            },
        },
    ],
    ids=["two-node cycle", "self loop"],
)
def test_a_dependency_cycle_is_answered_as_comfyui_does(mock_server, prompt):
    """As real ComfyUI 0.8 (CPU) answered when asked during this project's real lane: the
    innermost of its recursive validations catches the RecursionError, and every call
    above marks its node invalid without a reason, so neither details nor node errors
    say anything."""
    answer = requests.post(f"{mock_server.url}/prompt", json={"prompt": prompt}, timeout=10)
    assert answer.status_code == 400
    assert answer.json() == {
        "error": {
            "type": "prompt_outputs_failed_validation",
            "message": "Prompt outputs failed validation",
            "details": "",
            "extra_info": {},
        },
        "node_errors": {},
    }
    assert "Traceback" not in mock_server.log_path.read_text()
