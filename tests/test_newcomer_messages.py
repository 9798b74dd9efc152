"""What a newcomer's mistakes are told: a workflow file of white space, one that is not
UTF-8, a save prefix that leaves the output folder, a misspelt workflow name (the library's
broken test fixtures are never offered), and a prompt id that is no prompt of the server
(with the arguments swapped)."""

from __future__ import annotations

import pytest

from ComfyLibrary import ComfyLibrary
from ComfyLibrary.errors import ComfyError, WorkflowError
from ComfyLibrary.mock.catalog import load_bundled_object_info
from ComfyLibrary.workflow.loader import available_workflows, read_json, shipped_folder
from ComfyLibrary.workflow.validate import validate_workflow
from tests.conftest import start_mock
from tests.prompts import shipped


def test_a_file_of_white_space_is_called_empty(tmp_path):
    path = tmp_path / "blank.json"
    path.write_text("  \n\t\n   \n")
    with pytest.raises(WorkflowError, match=r"is empty \(it holds only white space\)"):
        read_json(path)


def test_a_file_that_is_not_utf8_is_named_with_the_place(tmp_path):
    path = tmp_path / "latin.json"
    path.write_bytes(b'{\n "1": {"title": "caf\xe9"}}')
    with pytest.raises(WorkflowError, match=r"is not UTF-8 text: byte 22 \(line 2\) is 0xe9"):
        read_json(path)


@pytest.mark.parametrize("prefix", ["../../x", "/tmp/x", "a/../../x"])
def test_a_save_prefix_that_leaves_the_output_folder_is_caught_before_it_runs(prefix):
    workflow = shipped("empty_image_save")
    saver = next(n for n in workflow.values() if n["class_type"] == "SaveImage")
    saver["inputs"]["filename_prefix"] = prefix
    problems = [str(p) for p in validate_workflow(workflow, load_bundled_object_info())]
    assert any("would save outside the server's output folder" in p for p in problems), problems


@pytest.mark.parametrize("prefix", ["ComfyUI", "runs/a/b", "a/../b"])
def test_a_save_prefix_inside_the_output_folder_passes(prefix):
    workflow = shipped("empty_image_save")
    saver = next(n for n in workflow.values() if n["class_type"] == "SaveImage")
    saver["inputs"]["filename_prefix"] = prefix
    assert validate_workflow(workflow, load_bundled_object_info()) == []


def test_the_librarys_broken_fixtures_are_never_suggested():
    names = available_workflows(shipped_folder())
    assert names
    assert not [n for n in names if n.startswith("broken/")]
    with pytest.raises(WorkflowError) as failure:
        ComfyLibrary().run_keyword("Load Workflow", ("invert_chian",), {})
    assert "did you mean 'invert_chain'" in str(failure.value)
    assert "broken/" not in str(failure.value)


def test_a_prompt_id_the_server_does_not_have_is_said_so_and_a_swap_is_named(tmp_path):
    server = start_mock(tmp_path)
    library = ComfyLibrary(output_dir=str(tmp_path / "out"))
    try:
        library.run_keyword("Connect To ComfyUI", (server.url,), {})
        result = library.run_keyword("Run Workflow", ("empty_image_save",), {})
        with pytest.raises(ComfyError) as failure:
            library.run_keyword("Node Should Have Run", (result.prompt_id, "1"), {})
        message = str(failure.value)
        assert message.startswith("'1' is no prompt of ")
        assert f"The next argument, '{result.prompt_id}', is one: are the two swapped?" in message
        assert "Wait For Completion" not in message
    finally:
        library.run_keyword("Close All Clients", (), {})
        server.kill()


@pytest.mark.parametrize(
    ("keyword", "argument", "kept"),
    [
        ("Keep Queue On Restart", (), True),
        ("Keep Queue On Restart", (False,), False),
        ("Lose Queue On Restart", (False,), True),  # the deprecated name still works
        ("Lose Queue On Restart", (), False),
    ],
)
def test_keep_queue_on_restart_reads_well_both_ways(tmp_path, keyword, argument, kept):
    import requests

    library = ComfyLibrary(output_dir=str(tmp_path / "out"))
    try:
        url = library.run_keyword("Start Mock Server", (), {})
        library.run_keyword(keyword, argument, {})
        assert requests.get(f"{url}/mock/faults", timeout=5).json()["keep_queue"] is kept
    finally:
        library.run_keyword("Stop All Servers", (), {})


def test_the_mocks_references_are_its_own_and_a_mismatch_names_both_origins(tmp_path):
    server = start_mock(tmp_path)
    library = ComfyLibrary(output_dir=str(tmp_path / "out"))
    golden = tmp_path / "golden" / "canvas.png"
    try:
        library.run_keyword("Connect To ComfyUI", (server.url,), {})
        first = library.run_keyword("Run Workflow", ("invert_chain",), {"color": 0})
        library.run_keyword(
            "Image Should Match Reference",
            (first.files[0], str(golden)),
            {"per_version": True, "update": True},
        )
        kept = tmp_path / "golden" / "0.8.0-mock" / "canvas.png"
        assert kept.is_file()
        assert (kept.parent / "canvas.png.provenance.json").is_file()
        other = library.run_keyword("Run Workflow", ("invert_chain",), {"color": 0xFFFFFF})
        with pytest.raises(AssertionError) as failure:
            library.run_keyword(
                "Image Should Match Reference",
                (other.files[0], str(golden)),
                {"per_version": True},
            )
        message = str(failure.value)
        assert str(kept) in message
        assert "The reference was made on the mock 0.8.0; this run is the mock 0.8.0." in message
    finally:
        library.run_keyword("Close All Clients", (), {})
        server.kill()


def test_a_comfyui_folder_runs_with_its_own_venv(tmp_path):
    from ComfyLibrary.keywords.servers import comfyui_venv_python

    assert comfyui_venv_python(tmp_path) is None
    python = tmp_path / ".venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text("")
    assert comfyui_venv_python(tmp_path) == str(python)
