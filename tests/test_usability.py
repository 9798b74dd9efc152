"""The library as a QA engineer meets it: keyword names, the introduction's example, the
settings from the environment, secrets kept out of the log, diagnostics on failure."""

from __future__ import annotations

import os
import re
import textwrap
from pathlib import Path

import pytest

from ComfyLibrary import ComfyLibrary
from ComfyLibrary.servers.ports import free_port
from tests.conftest import start_mock
from tests.procs import run_robot

ROOT = Path(__file__).resolve().parents[1]
RESOURCE = ROOT / "resources" / "comfy.resource"


def test_keyword_names_are_spelled_as_users_write_them():
    names = set(ComfyLibrary().get_keyword_names())
    for expected in (
        "Connect To ComfyUI",
        "Disconnect From ComfyUI",
        "Start ComfyUI Server",
        "Start ComfyUI Container",
        "Drop WebSocket Connections",
        "Interrupt Prompt",
        "Get Server URL",
        "Register Keyword To Run On Failure",
    ):
        assert expected in names
    wrong = [n for n in names if re.search(r"Comfyui|Websocket|\bUrl\b", n) or "_" in n]
    assert not wrong


def test_no_documentation_section_appears_twice():
    doc = ComfyLibrary.__doc__ or ""
    sections = re.findall(r"^\s*= (.+?) =\s*$", doc, re.MULTILINE)
    assert len(sections) == len(set(sections)), sections
    for needed in (
        "Configuration",
        "Failures and diagnostics",
        "Events",
        "Faults",
        "Parallel runs",
        "Secrets",
    ):
        assert needed in sections


def test_the_introduction_example_runs_as_written(tmp_path):
    doc = ComfyLibrary.__doc__ or ""
    intro = doc.split("= Introduction =")[1].split("\n    = ")[0]
    rows = [line.strip()[2:] for line in intro.splitlines() if line.strip().startswith("|")]
    suite = tmp_path / "intro.robot"
    suite.write_text("\n".join(row.replace("*****", "***") for row in rows) + "\n")
    # from a folder with no resources/ of its own: the shipped workflow is found
    run = run_robot(suite, tmp_path / "out", timeout=120)
    assert run.returncode == 0, run.stdout
    # the connection says, near the top of the log, what ran where
    xml = (tmp_path / "out" / "output.xml").read_text()
    connected = re.search(r"connected to ComfyUI 0\.8\.0 at http://[^ ]+ \(frontend [^<]*", xml)
    assert connected, xml[:2000]
    assert "this run: ComfyLibrary " in connected.group(0)
    assert ", Robot Framework " in connected.group(0)


def test_a_closed_port_in_comfyui_url_is_the_one_tried(tmp_path, monkeypatch):
    port = free_port()
    suite = tmp_path / "env.robot"
    suite.write_text(
        textwrap.dedent(
            f"""\
            *** Settings ***
            Library    ComfyLibrary    run_on_failure=NONE

            *** Test Cases ***
            Environment Decides
                Run Keyword And Expect Error
                ...    Cannot reach ComfyUI at http://127.0.0.1:{port}: connection refused*
                ...    Connect To ComfyUI
            """
        )
    )
    monkeypatch.setenv("COMFYUI_URL", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("COMFYUI_TIMEOUT", "7s")
    run = run_robot(suite, tmp_path / "out")
    assert run.returncode == 0, run.stdout


def test_an_import_argument_beats_the_environment(monkeypatch):
    monkeypatch.setenv("COMFYUI_URL", "http://127.0.0.1:1")
    monkeypatch.setenv("TEST_TIMEOUT", "2 minutes")
    library = ComfyLibrary(url="http://127.0.0.1:2")
    assert library.server_url() == "http://127.0.0.1:2"
    assert library.timeout == 120
    monkeypatch.setenv("COMFYUI_TIMEOUT", "5s")
    assert ComfyLibrary().timeout == 5


@pytest.mark.parametrize("loglevel", ["INFO", "DEBUG"])
def test_credentials_in_a_url_never_reach_the_log(tmp_path, loglevel, monkeypatch):
    """The URL comes as a Robot variable or from COMFYUI_URL, as a runner gives it."""
    server = start_mock(tmp_path)
    closed = free_port()
    secret_url = server.url.replace("//", "//alice:hunter2secret@")
    suite = tmp_path / "secret.robot"
    suite.write_text(
        textwrap.dedent(
            f"""\
            *** Settings ***
            Library    ComfyLibrary

            *** Test Cases ***
            Credentials In The URL
                Connect To ComfyUI    ${{SECRET URL}}
                Submit Workflow    empty_image_save.json
                Wait For Completion
                Run Keyword And Expect Error    Cannot reach ComfyUI at http://127.0.0.1:{closed}*
                ...    Connect To ComfyUI    ${{CLOSED URL}}
                Run Keyword And Expect Error    'http://alice:***@:x' is not a ComfyUI server URL*
                ...    Connect To ComfyUI    ${{BAD URL}}

            Credentials In The Environment
                Connect To ComfyUI
                Run Workflow    empty_image_save
            """
        )
    )
    monkeypatch.setenv("COMFYUI_URL", secret_url)
    out = tmp_path / "out"
    try:
        run = run_robot(
            suite,
            out,
            "--loglevel",
            loglevel,
            "--variable",
            f"SECRET URL:{secret_url}",
            "--variable",
            f"CLOSED URL:http://alice:hunter2secret@127.0.0.1:{closed}",
            "--variable",
            "BAD URL:http://alice:hunter2secret@:x",
        )
    finally:
        server.kill()
    assert run.returncode == 0, run.stdout
    for name in ("output.xml", "log.html", "report.html"):
        text = (out / name).read_text()
        # the variables themselves are where the runner put them, not in the results
        assert "hunter2secret" not in text, name
    assert "hunter2secret" not in run.stdout
    reports = list(out.rglob("run-report.json"))
    assert reports
    for report in reports:
        assert "hunter2secret" not in report.read_text()


def test_a_failing_keyword_logs_diagnostics_once(tmp_path):
    suite = tmp_path / "diagnostics.robot"
    suite.write_text(
        textwrap.dedent(
            f"""\
            *** Settings ***
            Resource    {RESOURCE}

            *** Test Cases ***
            A Stalled Prompt Times Out
                Start A Mock ComfyUI And Connect
                Stall Execution
                Submit Workflow    empty_image_save.json
                Wait For Completion    timeout=1s

            Diagnostics Can Be Turned Off
                Start A Mock ComfyUI And Connect
                ${{previous}} =    Register Keyword To Run On Failure    NONE
                Should Be Equal    ${{previous}}    Log ComfyUI Diagnostics
                Run Keyword And Expect Error    *    Get Server Log    nosuchserver

            A Failing Diagnostics Keyword Is Only A Warning
                Register Keyword To Run On Failure    No Such Keyword Anywhere
                Get Queue

            Errors A Test Expects Get No Diagnostics
                Register Keyword To Run On Failure    Log ComfyUI Diagnostics
                Start A Mock ComfyUI And Connect
                Run Keyword And Expect Error    *    Get Server Log    nosuchserver
                TRY
                    Get Server Log    nosuchserver
                EXCEPT    *    type=GLOB
                    No Operation
                END
            """
        )
    )
    out = tmp_path / "out"
    run = run_robot(suite, out)
    xml = (out / "output.xml").read_text()
    assert "Wait For Completion" in xml
    first = xml.split('name="A Stalled Prompt Times Out"')[1].split("</test>")[0]
    assert first.count('name="Log ComfyUI Diagnostics"') == 1
    assert "last" in first
    assert "ComfyUI mock ready at" in first  # the server's log tail
    assert "Queue: 1 running" in first
    assert "execution_start" in first  # the client's last events
    second = xml.split('name="Diagnostics Can Be Turned Off"')[1].split("</test>")[0]
    assert 'name="Log ComfyUI Diagnostics"' not in second
    third = xml.split('name="A Failing Diagnostics Keyword Is Only A Warning"')[1]
    third = third.split("</test>")[0]
    assert "run on failure, failed too" in third
    assert "No client is connected" in third  # the original failure stands
    fourth = xml.split('name="Errors A Test Expects Get No Diagnostics"')[1].split("</test>")[0]
    assert 'name="Log ComfyUI Diagnostics"' not in fourth
    assert "4 tests, 2 passed, 2 failed" in run.stdout, run.stdout


def test_a_non_editable_install_runs_a_shipped_workflow_from_anywhere(tmp_path):
    """Build the wheel, install it alone in a fresh venv (dependencies borrowed from this
    one, without its editable link to the checkout), and run from another folder."""
    import shutil
    import subprocess
    import sys
    import sysconfig

    source = tmp_path / "source"  # built from a copy: the checkout gets no build/ folder
    source.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, source / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(ROOT / "ComfyLibrary", source / "ComfyLibrary", ignore=ignore)
    shutil.copytree(ROOT / "resources", source / "resources", ignore=ignore)
    wheels = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(source)],
        check=True,
        capture_output=True,
    )
    wheel = next(wheels.glob("robotframework_comfylibrary-*.whl"))
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = Path(
        subprocess.run(
            [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    # the wheel, unpacked as pip would; this venv's packages behind it, without running
    # their .pth files (the editable install's link to the checkout is one of them)
    subprocess.run(
        [sys.executable, "-m", "zipfile", "-e", str(wheel), str(site)],
        check=True,
    )
    (site / "borrowed.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    work = tmp_path / "elsewhere"
    work.mkdir()
    (work / "shipped.robot").write_text(
        textwrap.dedent(
            """\
            *** Settings ***
            Resource    ComfyLibrary/resources/comfy.resource

            *** Test Cases ***
            A Shipped Workflow By Name
                Start A Mock ComfyUI And Connect
                ${result} =    Run Workflow    z_image_turbo_generation    prompt=A red fox
                Image Should Be Valid    ${result.files}[0]    width=1024    height=784
                ${where} =    Evaluate    ComfyLibrary.__file__    modules=ComfyLibrary
                Should Not Contain    ${where}    /work/main/ComfyLibrary
                Log To Console    FROM ${where}
            """
        )
    )
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH",)}
    run = subprocess.run(
        [python, "-m", "robot", "--outputdir", str(work / "out"), "shipped.robot"],
        cwd=work,
        capture_output=True,
        text=True,
        timeout=180,
        env=env,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert f"FROM {site}" in run.stdout, run.stdout
    assert (site / "ComfyLibrary" / "py.typed").exists()


def test_the_readme_example_runs_without_a_warning_in_this_install(tmp_path):
    """The README's installed-package example, copied into an empty folder and run with
    this (editable) install: its Resource line resolves and nothing is imported twice."""
    readme = (ROOT / "README.md").read_text()
    example = readme.split("```robotframework\n", 1)[1].split("```", 1)[0]
    assert "Resource    ComfyLibrary/resources/comfy.resource" in example
    suite = tmp_path / "readme_example.robot"
    suite.write_text(example)
    import subprocess
    import sys

    run = subprocess.run(  # from the empty folder: the checkout is not the working directory
        [sys.executable, "-m", "robot", "--outputdir", "out", suite.name],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stdout
    xml = (tmp_path / "out" / "output.xml").read_text()
    assert not re.findall(r'<msg [^>]*level="(?:WARN|ERROR)"[^>]*>[^<]*', xml), run.stdout


def test_libdoc_documents_the_result_types(tmp_path):
    import json

    from robot.libdoc import libdoc

    spec = tmp_path / "ComfyLibrary.json"
    libdoc("ComfyLibrary", str(spec), format="JSON", quiet=True)
    data = json.loads(spec.read_text())
    types = {t["name"]: t for t in data["typedocs"]}
    for name, field in (("RunResult", "timings"), ("Completion", "source"), ("Workflow", "path")):
        assert name in types, name
        assert field in types[name]["doc"], (name, types[name]["doc"][:200])
    returns = {k["name"]: (k.get("returnType") or {}).get("typedoc") for k in data["keywords"]}
    assert returns["Run Workflow"] == "RunResult"
    assert returns["Wait For Completion"] == "Completion"
    assert returns["Load Workflow"] == "Workflow"
