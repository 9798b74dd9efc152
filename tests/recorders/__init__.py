"""Recorders of real ComfyUI's behaviour, and the one way they start it."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from ComfyLibrary.servers import ServerProcess
from ComfyLibrary.servers.ports import free_port


@contextlib.contextmanager
def real_comfyui(
    source: Path, python: Path, pythonpath: str = ""
) -> Iterator[tuple[ServerProcess, Path]]:
    """A real ComfyUI from ``source`` run by ``python`` (``--cpu --disable-api-nodes``) in
    a base folder of its own (with the example nodes its folder comes with), ``pythonpath``
    first on its ``PYTHONPATH``; killed and its folder removed afterwards."""
    base = Path(tempfile.mkdtemp(prefix="recorder-"))
    shutil.copytree(source / "custom_nodes", base / "custom_nodes")
    env = {**os.environ, "PYTHONPATH": pythonpath} if pythonpath else None
    port = free_port()
    command = [str(python), str(source / "main.py"), "--cpu", "--listen", "127.0.0.1"]
    command += ["--port", str(port), "--disable-auto-launch", "--disable-api-nodes"]
    command += ["--base-directory", str(base)]
    server = ServerProcess(command, port, base / "server.log", "real", env=env, cwd=source)
    try:
        server.start(ready_timeout=120)
        yield server, base
    finally:
        server.kill()
        shutil.rmtree(base, ignore_errors=True)
