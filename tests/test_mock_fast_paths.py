"""The mock's shortcuts keep ComfyUI's behaviour: saved-file counters without a folder scan
per save, and mocks forked from the warm fork server (exit codes, process groups)."""

from __future__ import annotations

import os
import signal
import time

import pytest

from ComfyLibrary.client import ComfyClient
from ComfyLibrary.errors import PromptFailed
from ComfyLibrary.servers import ServerProcess, mock_command, zygote
from ComfyLibrary.servers.ports import free_port
from tests.conftest import skip_or_fail, start_mock
from tests.procs import alive, wait_until

TINY = {
    "1": {
        "class_type": "EmptyImage",
        "inputs": {"width": 8, "height": 8, "batch_size": 1, "color": 0},
    },
    "2": {"class_type": "SaveImage", "inputs": {"images": ["1", 0], "filename_prefix": "count"}},
}


def saved_name(client: ComfyClient, color: int) -> str:
    prompt = {**TINY, "1": {**TINY["1"], "inputs": {**TINY["1"]["inputs"], "color": color}}}
    completion = client.wait_for_completion(client.submit(prompt), timeout=10)
    return completion.outputs["2"]["images"][0]["filename"]


def test_counters_follow_the_folder_as_comfyui_does(tmp_path):
    server = start_mock(tmp_path)
    client = ComfyClient(server.url)
    client.connect(5)
    output = tmp_path / "out"
    try:
        assert saved_name(client, 1) == "count_00001_.png"
        assert saved_name(client, 2) == "count_00002_.png"
        for file in output.glob("count_*"):
            file.unlink()  # a test cleans the outputs: numbering starts again
        assert saved_name(client, 3) == "count_00001_.png"
        (output / "count_00041_.png").write_bytes(b"placed by someone else")
        assert saved_name(client, 4) == "count_00042_.png"
        (output / "count_00042_.png").unlink()  # the mock's last file removed
        assert saved_name(client, 5) == "count_00042_.png"
    finally:
        client.close()
        server.kill()


def require_fork_server() -> None:
    """Skips where mocks are not forked (named why); a failure under
    COMFY_REQUIRE_FORK_SERVER=1."""
    if zygote.enabled():
        return
    if os.environ.get("COMFY_MOCK_ZYGOTE", "1").strip() in ("0", "false", "no"):
        reason = "COMFY_MOCK_ZYGOTE turns the fork server off"
    else:
        reason = "this Python has no os.pidfd_open or socket.send_fds for the fork server"
    skip_or_fail(reason, "COMFY_REQUIRE_FORK_SERVER")


def test_a_forked_mock_reports_how_it_ended_and_has_its_own_process_group(tmp_path):
    first = start_mock(tmp_path, "first")  # a cold start also starts the fork server
    forked = []
    try:
        for name in ("second", "third"):
            server = start_mock(tmp_path / name, name)
            forked.append(server)
        require_fork_server()
        assert all(isinstance(s.process, zygote.ForkedProcess) for s in forked)
        second, third = forked
        assert os.getpgid(second.pid) == second.pid
        assert second.stop(timeout=10) is True
        assert second.process.returncode == 0
        third.kill()
        assert third.process.returncode == -signal.SIGKILL
        assert not alive(third.pid)
        log = (tmp_path / "second" / "second.log").read_text()
        assert "ComfyUI mock ready at" in log  # the forked mock's output reaches its log
    finally:
        for server in [first, *forked]:
            server.kill()


def test_forked_mocks_end_with_the_fork_server(tmp_path):
    first = start_mock(tmp_path, "first")
    server = start_mock(tmp_path / "again", "again")
    try:
        require_fork_server()
        assert isinstance(server.process, zygote.ForkedProcess), "a later mock was not forked"
        pid = server.pid
        zygote.ZYGOTES.discard()
        assert wait_until(lambda: not alive(pid), timeout=10)
        started = time.monotonic()
        replacement = start_mock(tmp_path / "replacement", "replacement")  # cold again
        replacement.kill()
        assert time.monotonic() - started < 15
    finally:
        server.kill()
        first.kill()


def saved_with_prefix(client: ComfyClient, prefix: str, color: int) -> dict:
    prompt = {
        "1": {**TINY["1"], "inputs": {**TINY["1"]["inputs"], "color": color}},
        "2": {**TINY["2"], "inputs": {**TINY["2"]["inputs"], "filename_prefix": prefix}},
    }
    completion = client.wait_for_completion(client.submit(prompt), timeout=10)
    return completion.outputs["2"]["images"][0]


def test_odd_prefixes_save_where_comfyui_saves_them(tmp_path):
    # ComfyUI normalises the prefix: its folder part stays inside the output folder and its
    # last part is the stem ("" and "." both give "._00001_.png")
    server = start_mock(tmp_path)
    client = ComfyClient(server.url)
    client.connect(5)
    try:
        assert saved_with_prefix(client, "", 1) == {
            "filename": "._00001_.png",
            "subfolder": "",
            "type": "output",
        }
        assert saved_with_prefix(client, ".", 2)["filename"] == "._00002_.png"
        assert saved_with_prefix(client, "a/../b/c", 3) == {
            "filename": "c_00001_.png",
            "subfolder": "b",
            "type": "output",
        }
        assert saved_with_prefix(client, "day_%year%", 4)["filename"].startswith("day_20")
        (tmp_path / "out" / "ext_7").write_bytes(b"")  # ComfyUI reads 7 here too
        assert saved_with_prefix(client, "ext", 5)["filename"] == "ext_00008_.png"
        with pytest.raises(PromptFailed, match="Saving image outside the output folder"):
            saved_with_prefix(client, "../escape", 6)
        assert not (tmp_path / "escape_00001_.png").exists()
    finally:
        client.close()
        server.kill()


def test_a_forked_mock_that_ended_before_it_was_watched_reports_its_exit_code(
    tmp_path, monkeypatch
):
    first = start_mock(tmp_path, "first")  # makes sure the fork server runs
    try:
        require_fork_server()
        command = [*mock_command(0), "--latency-ms", "not-a-number"]  # argparse refuses it
        real_pidfd_open = os.pidfd_open

        def ended_already(pid: int) -> int:
            wait_until(lambda: not alive(pid), timeout=10)
            raise ProcessLookupError(pid)

        monkeypatch.setattr(os, "pidfd_open", ended_already)
        process = zygote.ZYGOTES.fork(command, dict(os.environ), tmp_path)
        monkeypatch.setattr(os, "pidfd_open", real_pidfd_open)
        assert process is not None, "the running fork server did not fork"
        assert process.poll() == 2
        assert "invalid float value" in process.stdout.read().decode()
    finally:
        first.kill()


def test_a_frozen_fork_server_costs_a_start_half_its_time_then_is_replaced(tmp_path):
    first = start_mock(tmp_path, "first")
    servers = [first]
    try:
        require_fork_server()
        frozen = zygote.ZYGOTES._process
        assert frozen is not None
        os.kill(frozen.pid, signal.SIGSTOP)
        started = time.monotonic()
        port = free_port()
        server = ServerProcess(
            mock_command(port, options={"output_directory": tmp_path / "b"}),
            port,
            tmp_path / "b.log",
            "b",
        )
        servers.append(server)
        server.start(4)
        assert time.monotonic() - started < 4 + 2  # half of 4 s waiting, then a cold start
        assert not isinstance(server.process, zygote.ForkedProcess)
        assert wait_until(lambda: not alive(frozen.pid), timeout=5)  # the frozen one is gone
        servers.append(start_mock(tmp_path / "c", "c"))
        assert isinstance(servers[-1].process, zygote.ForkedProcess)
    finally:
        for server in servers:
            server.kill()
