"""File names come from the server: in log.html they are text, never markup."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from tests.procs import run_robot

ROOT = Path(__file__).resolve().parents[1]
EVIL = '<b id="evil">x"'


def test_server_supplied_file_names_are_escaped_in_the_log(tmp_path):
    suite = tmp_path / "names.robot"
    suite.write_text(
        f"""*** Settings ***
Resource    {ROOT / "resources" / "comfy.resource"}

*** Test Cases ***
A Strange File Name
    Start A Mock ComfyUI And Connect
    ${{workflow}} =    Load Workflow    empty_image_save
    Set Workflow Input    ${{workflow}}    2.filename_prefix    {EVIL}
    ${{result}} =    Run Workflow    ${{workflow}}
    Validate Image    ${{result.files}}[0]    not_blank=False
    Get Image Info    ${{result.files}}[0]
""",
        encoding="utf-8",
    )
    done = run_robot(suite, tmp_path / "out")
    assert done.returncode == 0, done.stdout[-2000:]
    messages = [
        m.text or ""
        for m in ET.parse(tmp_path / "out" / "output.xml").iter("msg")
        if m.get("html") == "true"
    ]
    named = [m for m in messages if "evil" in m]
    assert named, "no HTML message names the file"
    for message in named:
        assert '<b id="evil">' not in message, message
        assert "&lt;b id=&quot;evil&quot;&gt;" in message, message
