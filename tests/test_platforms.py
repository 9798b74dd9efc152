"""Which keywords need POSIX, and the one line they fail with elsewhere."""

from __future__ import annotations

import pytest

from ComfyLibrary import ComfyLibrary, platforms
from ComfyLibrary.errors import ComfyError

pytestmark = pytest.mark.portable

LOCAL_PROCESS_KEYWORDS = {
    "Start Mock Server",
    "Start ComfyUI Server",
    "Kill Server",
    "Restart Server",
    "Freeze Server",
    "Thaw Server",
}


def test_exactly_the_keywords_that_run_local_processes_are_posix_only():
    library = ComfyLibrary()
    tagged = {
        name
        for name in library.get_keyword_names()
        if platforms.POSIX_ONLY in library.get_keyword_tags(name)
    }
    assert tagged == LOCAL_PROCESS_KEYWORDS


@pytest.mark.parametrize("name", sorted(LOCAL_PROCESS_KEYWORDS))
def test_elsewhere_they_fail_in_one_line_naming_what_works(monkeypatch, name):
    monkeypatch.setattr(platforms, "is_posix", lambda: False)
    with pytest.raises(ComfyError) as failure:
        ComfyLibrary().run_keyword(name, ())
    message = str(failure.value)
    assert message.startswith(f"{name} needs Linux or macOS")
    assert "Start ComfyUI Container" in message
    assert "\n" not in message


def test_portable_keywords_are_not_refused(monkeypatch, tmp_path):
    monkeypatch.setattr(platforms, "is_posix", lambda: False)
    workflow = ComfyLibrary().run_keyword("Load Workflow", ("empty_image_save",))
    assert workflow["1"]["class_type"] == "EmptyImage"
