"""Seed 004's batches: Run Workflows keeps at most N prompts on the server at once, seen
from the server's own queue while the batch runs, and returns the results in order."""

from __future__ import annotations

import re
import textwrap
import threading

import requests

from tests.conftest import start_mock
from tests.procs import run_robot

SUITE = """\
*** Settings ***
Library    ComfyLibrary    workflow_dir={workflows}

*** Test Cases ***
A Batch Of Six
    Connect To ComfyUI    ${{URL}}
    ${{sets}} =    Evaluate    [{{"seed": 100 + s, "steps": 5}} for s in range(6)]
    ${{results}} =    Run Workflows    slow_sampler    ${{sets}}    max_in_flight={limit}
    Length Should Be    ${{results}}    6
    FOR    ${{index}}    ${{result}}    IN ENUMERATE    @{{results}}
        Should Be Equal    ${{result.status}}    success
        Log To Console    ORDER ${{index}} ${{result.prompt_id}}
    END
"""


def test_run_workflows_keeps_at_most_n_in_flight(tmp_path):
    from tests.prompts import WORKFLOWS

    server = start_mock(tmp_path, step_ms=20)
    seen: list[int] = []
    done = threading.Event()

    def watch_queue():
        while not done.is_set():
            try:
                queue = requests.get(f"{server.url}/queue", timeout=2).json()
            except requests.RequestException:
                continue
            seen.append(len(queue["queue_running"]) + len(queue["queue_pending"]))
            done.wait(0.005)

    watcher = threading.Thread(target=watch_queue)
    watcher.start()
    suite = tmp_path / "batch.robot"
    suite.write_text(textwrap.dedent(SUITE.format(workflows=WORKFLOWS, limit=2)))
    try:
        run = run_robot(suite, tmp_path / "out", "--variable", f"URL:{server.url}")
    finally:
        done.set()
        watcher.join()
        history = requests.get(f"{server.url}/history", timeout=5).json()
        server.kill()
    assert run.returncode == 0, run.stdout
    assert max(seen) == 2, f"in flight on the server over time: {sorted(set(seen))}"
    order = [match[1] for match in re.findall(r"ORDER (\d+) (\S+)", run.stdout)]
    seeds = [history[p]["prompt"][2]["3"]["inputs"]["seed"] for p in order]
    assert seeds == [100 + s for s in range(6)], "results come back in the order of the sets"
