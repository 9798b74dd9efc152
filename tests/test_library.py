"""The Robot library itself: keywords documented, import without side effects."""

from __future__ import annotations

import subprocess
import sys

from ComfyLibrary import ComfyLibrary


def test_every_keyword_has_documentation_with_an_example():
    library = ComfyLibrary()
    for name in library.get_keyword_names():
        doc = library.get_keyword_documentation(name)
        assert doc.strip(), f"{name} has no documentation"
        assert "Example" in doc, f"{name} documentation has no example"


def test_import_arguments_are_documented():
    doc = ComfyLibrary().get_keyword_documentation("__init__")
    for argument in ("url", "timeout", "output_dir", "workflow_dir", "auto_cleanup"):
        assert f"``{argument}``" in doc


def test_mock_starts_without_importing_robot():
    code = (
        "import sys, ComfyLibrary.mock.server; "
        "print(any(m.startswith(('robot', 'requests', 'websocket')) for m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


def test_mock_help_documents_its_options():
    result = subprocess.run(
        [sys.executable, "-m", "ComfyLibrary.mock", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    for option in (
        "--port",
        "--listen",
        "--output-directory",
        "--step-ms",
        "--object-info",
        "--models",
    ):
        assert option in result.stdout
