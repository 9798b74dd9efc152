"""A workflow whose LoadImage names an image the server does not have: both the library's
own check and the server's rejection say why in one line, and how to put it there."""

from __future__ import annotations

import textwrap
from pathlib import Path

from tests.procs import run_robot

ROOT = Path(__file__).resolve().parents[1]
RESOURCE = ROOT / "resources" / "comfy.resource"
START_FRAME = ROOT / "resources" / "fixtures" / "start_frame.png"
EMPTY = "image 'example.png' is not on the server: its input folder has no image files"
NOT_THERE = "image 'example.png' is not in the server's input folder"


def test_an_image_missing_from_an_empty_input_folder_is_explained(tmp_path):
    suite = tmp_path / "missing_image.robot"
    suite.write_text(
        textwrap.dedent(
            f"""\
            *** Settings ***
            Resource    {RESOURCE}

            *** Test Cases ***
            The Library's Check Explains It
                Start A Mock ComfyUI And Connect
                ${{workflow}} =    Load Workflow    load_and_invert
                Set Workflow Input    ${{workflow}}    1.image    example.png
                Run Keyword And Expect Error
                ...    *{EMPTY}; put one there with Upload Image first*
                ...    Validate Workflow    ${{workflow}}

            The Server's Rejection Explains It
                Start A Mock ComfyUI And Connect
                ${{workflow}} =    Load Workflow    load_and_invert
                Set Workflow Input    ${{workflow}}    1.image    example.png
                Run Keyword And Expect Error
                ...    *node 1 (LoadImage) input 'image': {NOT_THERE}; put it there with Upload*
                ...    Submit Workflow    ${{workflow}}    validate=False

            With Images There It Lists Them
                Start A Mock ComfyUI And Connect
                Upload Image    {START_FRAME}
                ${{workflow}} =    Load Workflow    load_and_invert
                Set Workflow Input    ${{workflow}}    1.image    example.png
                Run Keyword And Expect Error
                ...    *{NOT_THERE} (it has: start_frame.png); put it there*
                ...    Validate Workflow    ${{workflow}}
            """
        )
    )
    out = tmp_path / "out"
    run = run_robot(suite, out)
    assert "3 tests, 3 passed, 0 failed" in run.stdout, run.stdout
