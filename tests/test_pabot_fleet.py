"""pabot spreads a run over a fleet of ComfyUI servers handed out by PabotLib, and over
machines with --shard; the servers' own histories show who used what, and when."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import requests

from tests.conftest import start_mock

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
RESOURCE = ROOT / "resources" / "comfy.resource"

SUITE = """\
*** Settings ***
Resource    {resource}

*** Test Cases ***
{name} First
    Run Two Prompts    {name} First

{name} Second
    Run Two Prompts    {name} Second

*** Keywords ***
Run Two Prompts
    [Arguments]    ${{label}}
    Connect To ComfyUI
    FOR    ${{round}}    IN RANGE    2
        ${{workflow}} =    Load Workflow    slow_sampler
        Set Workflow Parameters    ${{workflow}}    seed=random    steps=40
        Set Workflow Input    ${{workflow}}    9.filename_prefix    fleet/${{label}}
        ${{prompt_id}} =    Submit Workflow    ${{workflow}}
        Wait For Completion    ${{prompt_id}}
        IF    "${{label}}" == "Suite1 First"    Fail    Failing on purpose, server held
    END
"""


def pabot(*arguments: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "pabot"), *arguments],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={**os.environ, "PATH": f"{BIN}:{os.environ['PATH']}"},
    )


def labels_in_order(url: str) -> list[str]:
    """The test label of every prompt in the server's history, in the order it finished."""
    history = requests.get(f"{url}/history", timeout=10).json()
    labels = []
    for entry in history.values():
        prefix = entry["prompt"][2]["9"]["inputs"]["filename_prefix"]
        labels.append(prefix.removeprefix("fleet/"))
    return labels


@pytest.fixture
def fleet(tmp_path):
    servers = [start_mock(tmp_path / f"gpu{i}", f"gpu{i}", step_ms=10) for i in range(3)]
    try:
        yield servers
    finally:
        for server in servers:
            server.kill()


def test_a_fleet_of_three_servers_serves_four_processes(tmp_path, fleet):
    (tmp_path / "servers.dat").write_text(
        "".join(
            f"[gpu{i}]\ntype=comfyui\nurl={server.url}\ngpu={i}\nname=GPU box {i}\n\n"
            for i, server in enumerate(fleet)
        )
    )
    suites = tmp_path / "suites"
    suites.mkdir()
    for index in range(1, 5):
        name = f"Suite{index}"
        (suites / f"{name.lower()}.robot").write_text(SUITE.format(resource=RESOURCE, name=name))
    run = pabot(
        "--processes", "4", "--pabotlibport", "0",
        "--resourcefile", "servers.dat", "--outputdir", "out", "suites",
        cwd=tmp_path,
    )  # fmt: skip
    assert "8 tests, 7 passed, 1 failed" in run.stdout, run.stdout + run.stderr

    histories = {server.url: labels_in_order(server.url) for server in fleet}
    every = [label for labels in histories.values() for label in labels]
    expected = {f"Suite{i} {which}" for i in range(1, 5) for which in ("First", "Second")}
    assert set(every) == expected, "every test got a server and ran on it"
    for url, labels in histories.items():
        # each test ran its prompts on one server, uninterrupted: nobody else used the
        # server while a test held it (a test never shares its server, nor a process)
        runs = [label for i, label in enumerate(labels) if i == 0 or labels[i - 1] != label]
        assert len(runs) == len(set(runs)), f"{url} was shared: {labels}"
    failed_on = next(url for url, labels in histories.items() if "Suite1 First" in labels)
    after = histories[failed_on][histories[failed_on].index("Suite1 First") + 1 :]
    assert after, "the server of the failing test was never used again: it was not given back"


def test_shards_split_a_run_over_machines_and_rebot_merges_them(tmp_path):
    suites = tmp_path / "suites"
    suites.mkdir()
    for index in range(1, 4):
        (suites / f"part{index}.robot").write_text(
            textwrap.dedent(
                f"""\
                *** Test Cases ***
                Part {index} A
                    Log    part {index} a
                Part {index} B
                    Log    part {index} b
                """
            )
        )
    outputs = []
    for shard in ("1/2", "2/2"):
        out = f"shard{shard[0]}"
        run = pabot(
            "--processes", "2", "--shard", shard, "--outputdir", out, "suites", cwd=tmp_path
        )  # fmt: skip
        assert run.returncode == 0, run.stdout + run.stderr
        outputs.append(str(tmp_path / out / "output.xml"))
    merged = subprocess.run(
        [str(BIN / "rebot"), "--outputdir", "merged", "--output", "output.xml", *outputs],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert merged.returncode == 0, merged.stdout
    names = [t.get("name") for t in ET.parse(tmp_path / "merged" / "output.xml").iter("test")]
    expected = [f"Part {i} {x}" for i in range(1, 4) for x in "AB"]
    assert sorted(names) == sorted(expected), "every test ran exactly once over the shards"
