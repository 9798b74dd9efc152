"""A misspelt argument name gets "did you mean" wherever it stands, for every keyword.

The listener sees each call as written, before Robot resolves it: these tests give it the
library's real keyword implementations, as Robot builds them, and every argument name of
every keyword misspelt; tests/test_usability.py and suites/mock run it inside Robot (the
oldest Robot the metadata allows too, under `make floor`).
"""

from __future__ import annotations

import textwrap

import pytest
from robot.running import Keyword, testlibraries

from ComfyLibrary.keywords.arguments import MisspeltNameListener
from tests.procs import run_robot


@pytest.fixture(scope="module")
def library():
    return testlibraries.TestLibrary.from_name("ComfyLibrary", create_keywords=True)


def misspelt(name: str) -> str:
    """The name with two letters swapped, as a fast typist swaps them."""
    middle = len(name) // 2
    return name[: middle - 1] + name[middle] + name[middle - 1] + name[middle + 1 :]


def cases(library):
    for implementation in library.keywords:
        spec = implementation.args
        if spec.var_named:
            continue
        names = list(spec.named)
        for name in names:
            typo = misspelt(name)
            if len(name) >= 4 and typo != name and typo not in names:
                yield implementation, name, typo


def test_every_argument_of_every_keyword_misspelt_is_named(library):
    listener = MisspeltNameListener(library.instance)
    checked = 0
    for implementation, name, typo in cases(library):
        data = Keyword(implementation.name, args=(f"{typo}=30s",))
        listener.start_library_keyword(data, implementation, None)
        pending = listener.take_pending()
        assert pending is not None, f"{implementation.name}: {typo}= was not caught"
        assert pending == f"Unknown argument '{typo}': did you mean '{name}'?"
        # Robot resolves the call with the name put right; the call as written comes back
        assert data.args == (f"{name}=30s",)
        listener.end_library_keyword(data, implementation, None)
        assert data.args == (f"{typo}=30s",)
        checked += 1
    assert checked > 200


@pytest.mark.parametrize(
    "args",
    [("abc", "30s", "timout=1s"), ("abc", "timeout=30s", "timout=1s"), ("timout=1s", "abc", "30s")],
    ids=["given-by-position", "given-by-name", "typo-first"],
)
def test_a_misspelt_argument_given_too_is_left_out_for_robot(library, args):
    """So that Robot resolves the call without "multiple values" and the keyword names it."""
    listener = MisspeltNameListener(library.instance)
    wait = next(k for k in library.keywords if k.name == "Wait For Completion")
    data = Keyword(wait.name, args=args)
    listener.start_library_keyword(data, wait, None)
    assert listener.take_pending() == "Unknown argument 'timout': did you mean 'timeout'?"
    assert data.args == tuple(a for a in args if not a.startswith("timout="))


def test_a_value_that_only_looks_named_is_left_alone(library):
    listener = MisspeltNameListener(library.instance)
    connect = next(k for k in library.keywords if k.name == "Connect To ComfyUI")
    for args in (("http://host:8188/?token=abc",), ("alias=x",), (r"timout\=30s",)):
        data = Keyword(connect.name, args=args)
        listener.start_library_keyword(data, connect, None)
        assert listener.take_pending() is None
        assert data.args == args


def test_robot_runs_say_did_you_mean_in_every_position(tmp_path):
    suite = tmp_path / "typos.robot"
    suite.write_text(
        textwrap.dedent(
            """\
            *** Settings ***
            Library    ComfyLibrary

            *** Variables ***
            ${SAID}    Unknown argument 'timout': did you mean 'timeout'?

            *** Test Cases ***
            Typos Anywhere
                ${url} =    Start Mock Server
                Connect To ComfyUI    ${url}
                ${id} =    Submit Workflow    empty_image_save.json
                Run Keyword And Expect Error    ${SAID}
                ...    Wait For Completion    ${id}    timout=30s
                Run Keyword And Expect Error    ${SAID}
                ...    Wait For Completion    prompt_id=${id}    timout=30s
                Run Keyword And Expect Error    ${SAID}
                ...    Wait For Completion    ${id}    timeout=1s    timout=30s
                Run Keyword And Expect Error    ${SAID}
                ...    Wait For Completion    ${id}    30s    timout=1s
                Run Keyword And Expect Error
                ...    Unknown argument 'promt_id': did you mean 'prompt_id'?
                ...    Wait For Completion    promt_id=${id}
                Run Keyword And Expect Error    Unknown argument 'prot': did you mean 'port'?
                ...    Start Mock Server    alias=x    prot=0
                FOR    ${i}    IN RANGE    2
                    Run Keyword And Expect Error    ${SAID}
                    ...    Wait For Completion    ${id}    timout=30s
                END
                ${result} =    Wait For Completion    ${id}    timeout=30s
                Should Be Equal    ${result.status}    success
            """
        )
    )
    run = run_robot(suite, tmp_path / "out", timeout=120)
    assert run.returncode == 0, run.stdout[-3000:]
