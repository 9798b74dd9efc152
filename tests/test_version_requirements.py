"""Version requirements: ``satisfies`` and `Require ComfyUI Version` against the mock as an
older and as the current ComfyUI."""

from __future__ import annotations

import pytest
from robot.api.exceptions import SkipExecution

from ComfyLibrary import ComfyLibrary
from ComfyLibrary.errors import ComfyError
from ComfyLibrary.versions import parse_version, satisfies
from tests.conftest import start_mock


@pytest.mark.parametrize(
    ("version", "requirement", "expected"),
    [
        ("0.8.0", ">=0.8", True),
        ("0.3.64", ">=0.8", False),
        ("0.3.77", ">=0.3.64,<0.8", True),
        ("0.3.64", ">0.3.64", False),
        ("0.8.0", "0.8", True),
        ("0.8.1", "==0.8", False),
        ("0.8.0+cu130", "<=0.8.0", True),
        ("v0.3.77", "!=0.3.77", False),
    ],
)
def test_requirements(version, requirement, expected):
    assert satisfies(version, requirement) is expected


@pytest.mark.parametrize("requirement", ["=>0.8", "latest", "0.8,", ">= 0.x"])
def test_a_requirement_that_is_none_fails_in_one_line(requirement):
    with pytest.raises(ComfyError, match="is not a version requirement: write one like"):
        satisfies("0.8.0", requirement)


def test_a_version_that_is_none_fails_in_one_line():
    with pytest.raises(ComfyError, match="'mock' is not a version number"):
        parse_version("mock")


@pytest.mark.parametrize(("version", "skips"), [("0.3.64", True), ("0.8.0", False)])
def test_require_comfyui_version_skips_with_the_reason_on_an_older_server(tmp_path, version, skips):
    server = start_mock(tmp_path, version, comfyui_version=version)
    library = ComfyLibrary(output_dir=str(tmp_path / "out"))
    try:
        library.run_keyword("Connect To ComfyUI", (server.url,), {})
        if skips:
            with pytest.raises(
                SkipExecution, match=r"^Requires ComfyUI >=0.8: this server is ComfyUI 0.3.64\.$"
            ):
                library.run_keyword("Require ComfyUI Version", (">=0.8",), {})
        else:
            assert library.run_keyword("Require ComfyUI Version", (">=0.8",), {}) == "0.8.0"
    finally:
        library.run_keyword("Close All Clients", (), {})
        server.kill()
