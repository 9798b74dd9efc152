"""A file the library cannot write fails in one line naming it and the cause."""

from __future__ import annotations

from pathlib import Path

import pytest

from ComfyLibrary.errors import ComfyError
from ComfyLibrary.files import write_file
from ComfyLibrary.report.runs import RunReport
from tests.prompts import shipped


def test_a_full_disk_is_named_with_the_file():
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full here to stand for a full disk")
    with pytest.raises(ComfyError) as failure:
        write_file(Path("/dev/full"), b"x" * 10, "the downloaded output")
    assert str(failure.value) == (
        "Cannot write the downloaded output /dev/full: the disk is full: free space or "
        "write the results elsewhere."
    )


def test_downloads_into_a_path_blocked_by_a_file_fail_in_one_line(shared_client, tmp_path):
    blocker = tmp_path / "results"
    blocker.write_text("a file where the output folder should be")
    completion = shared_client.wait_for_completion(
        shared_client.submit(shipped("empty_image_save")), 10
    )
    with pytest.raises(ComfyError) as failure:
        shared_client.download_outputs(completion.history, blocker / "outputs")
    message = str(failure.value)
    assert message.startswith(f"Cannot write the downloaded output {blocker}/outputs/")
    assert message.endswith("a file stands where a folder is needed.")


def test_the_run_report_names_its_file(tmp_path):
    blocker = tmp_path / "comfy"
    blocker.write_text("not a folder")
    with pytest.raises(ComfyError, match=r"^Cannot write the run report .*run-report\.json"):
        RunReport(blocker / "run-report.json").save()
