"""Scoped settings (`SettingScope`) and the keyword run on failure with arguments, in a
real Robot run: what a test or suite sets comes back when it ends."""

from __future__ import annotations

import textwrap
from pathlib import Path

from ComfyLibrary.scopes import ScopedSettings, SettingScope
from tests.procs import run_robot

RESOURCE = Path(__file__).resolve().parents[1] / "resources" / "comfy.resource"


def test_values_come_back_in_the_order_their_scopes_end():
    scoped = ScopedSettings()
    value = {"timeout": 30}

    def set_(new, scope):
        scoped.replaced("timeout", value["timeout"], scope)
        value["timeout"] = new

    def end():
        value.update(scoped.end())

    scoped.start("suite")
    set_(60, SettingScope.SUITE)
    scoped.start("test")
    set_(5, SettingScope.TEST)
    set_(6, SettingScope.TEST)  # the value from before the first change comes back
    end()
    assert value["timeout"] == 60
    scoped.start("test")
    set_(90, SettingScope.GLOBAL)  # outlives the test and the suite
    end()
    end()
    assert value["timeout"] == 90


def test_a_test_scope_in_a_suite_setup_holds_for_the_suite():
    scoped = ScopedSettings()
    scoped.start("suite")
    scoped.replaced("timeout", 30, SettingScope.TEST)
    assert scoped.end() == {"timeout": 30}


def test_the_keyword_run_on_failure_takes_arguments_and_a_scope(tmp_path):
    suite = tmp_path / "on_failure.robot"
    suite.write_text(
        textwrap.dedent(
            f"""\
            *** Settings ***
            Resource    {RESOURCE}

            *** Test Cases ***
            A Failure Runs The Registered Keyword With Its Arguments
                Register Keyword To Run On Failure    Log    Failure seen by the suite    WARN
                ...    scope=Test
                Get Image Info    {tmp_path}/missing.png

            The Default Is Back In The Next Test
                Get Image Info    {tmp_path}/missing.png
            """
        )
    )
    out = tmp_path / "out"
    run = run_robot(suite, out)
    assert "2 tests, 0 passed, 2 failed" in run.stdout, run.stdout
    xml = (out / "output.xml").read_text()
    first, second = xml.split("</test>")[:2]
    assert "Failure seen by the suite" in first
    assert 'name="Log ComfyUI Diagnostics"' not in first
    assert "Failure seen by the suite" not in second
    assert 'name="Log ComfyUI Diagnostics"' in second


def test_outputs_of_passing_tests_go_when_only_failures_keep_theirs(tmp_path):
    suite = tmp_path / "retention.robot"
    suite.write_text(
        textwrap.dedent(
            f"""\
            *** Settings ***
            Library    ComfyLibrary    keep_outputs=ON_FAILURE    run_on_failure=NONE
            Resource    {RESOURCE}

            *** Test Cases ***
            A Passing Test Leaves Nothing
                Start A Mock ComfyUI And Connect
                Run Workflow And Download Its Images    empty_image_save.json

            A Failing Test Keeps Its Files
                Start A Mock ComfyUI And Connect
                Run Workflow And Download Its Images    empty_image_save.json
                Fail    on purpose

            A Test Can Keep Its Files Anyway
                Set Output Retention    ALWAYS    scope=Test
                Start A Mock ComfyUI And Connect
                Run Workflow And Download Its Images    empty_image_save.json
            """
        )
    )
    out = tmp_path / "out"
    run = run_robot(suite, out)
    assert "3 tests, 2 passed, 1 failed" in run.stdout, run.stdout
    tests = out / "comfy" / "Retention"
    kept = {path.relative_to(tests).parts[0] for path in tests.rglob("*.png")}
    assert kept == {"A_Failing_Test_Keeps_Its_Files", "A_Test_Can_Keep_Its_Files_Anyway"}
    assert len(list((out / "comfy" / "servers").glob("*.log"))) == 2  # the passing test's went
