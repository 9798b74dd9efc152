"""Shared fixtures: real mock server processes on free ports, always cleaned up."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

import pytest

from ComfyLibrary.client import ComfyClient
from ComfyLibrary.servers import ServerProcess, mock_command
from ComfyLibrary.servers.ports import free_port

FIXTURES = Path(__file__).parent / "fixtures"
REFERENCE = FIXTURES / "reference"


def skip_or_fail(reason: str, variable: str) -> NoReturn:
    """Skips a test for a real absence, named in ``reason``; where ``variable`` is 1 (this
    project's CI sets every ``COMFY_REQUIRE_*``) the absence is a failure instead."""
    if os.environ.get(variable) == "1":
        pytest.fail(f"{variable}=1, but {reason}")
    pytest.skip(reason)


def reference(name: str):
    return json.loads((REFERENCE / name).read_text())


def start_mock(tmp_path: Path, name: str = "test", **options: object) -> ServerProcess:
    port = free_port()
    server = ServerProcess(
        mock_command(
            port,
            options={
                "output_directory": tmp_path / "out",
                "input_directory": tmp_path / "in",
                "temp_directory": tmp_path / "temp",
                **options,
            },
        ),
        port,
        tmp_path / f"{name}.log",
        name,
    )
    server.start(ready_timeout=15)
    return server


@pytest.fixture
def mock_server(tmp_path: Path) -> Iterator[ServerProcess]:
    server = start_mock(tmp_path)
    try:
        yield server
    finally:
        server.kill()


@pytest.fixture(scope="module")
def shared_mock(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    server = start_mock(tmp_path_factory.mktemp("shared-mock"), "shared")
    try:
        yield server
    finally:
        server.kill()


@pytest.fixture(scope="module")
def shared_client(shared_mock: ServerProcess) -> Iterator[ComfyClient]:
    """A connected client of the module's shared mock."""
    client = ComfyClient(shared_mock.url)
    client.connect(5)
    yield client
    client.close()
