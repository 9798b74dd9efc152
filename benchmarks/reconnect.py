"""Reconnection figures: how fast a client is back after a server restart, and whether
its threads and file descriptors stay flat over many restart cycles.

Run: .venv/bin/python benchmarks/reconnect.py
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ComfyLibrary.client import ComfyClient
from ComfyLibrary.servers import ServerProcess, mock_command, mock_folders
from ComfyLibrary.servers.ports import free_port

CANVAS = {
    "1": {
        "class_type": "EmptyImage",
        "inputs": {"width": 64, "height": 64, "batch_size": 1, "color": 0},
    },
    "2": {"class_type": "SaveImage", "inputs": {"images": ["1", 0], "filename_prefix": "r"}},
}


def restart_and_measure(server: ServerProcess, client: ComfyClient, color: int):
    mark = client.events.last_seq
    server.kill()
    client.events.wait_for(lambda e: e.type == "disconnected", 10, since=mark)
    server.start(15)
    answered = time.time()
    event = client.events.wait_for(lambda e: e.type == "reconnected", 15, since=mark)
    assert event is not None, "no reconnected event"
    reconnect = event.time - answered
    prompt = {**CANVAS, "1": {**CANVAS["1"], "inputs": {**CANVAS["1"]["inputs"], "color": color}}}
    handle = client.submit(prompt)
    client.wait_for_completion(handle, 15)
    completed = time.time() - answered
    return max(0.0, reconnect), completed


def resources() -> tuple[int, int]:
    return threading.active_count(), len(os.listdir("/proc/self/fd"))


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-reconnect-") as folder:  # removed afterwards
        measure(Path(folder))


def measure(root: Path) -> None:
    port = free_port()
    server = ServerProcess(
        mock_command(port, options=mock_folders(root)),
        port,
        root / "server.log",
        "bench",
    )
    server.start(15)
    client = ComfyClient(server.url)
    client.connect(5)
    try:
        samples = [restart_and_measure(server, client, i) for i in range(20)]
        before = resources()
        for i in range(100):
            restart_and_measure(server, client, 1000 + i)
        after = resources()
    finally:
        client.close()
        server.kill()
    reconnects = [s[0] for s in samples]
    completions = [s[1] for s in samples]
    print("| figure (20 restarts, default backoff) | value |")
    print("| --- | --- |")
    print(
        f"| restarted server answering -> `reconnected` (median) | "
        f"{statistics.median(reconnects) * 1000:.0f} ms |"
    )
    print(
        f"| restarted server answering -> prompt completed (median) | "
        f"{statistics.median(completions) * 1000:.0f} ms |"
    )
    print("| comfyui-node default backoff before its first retry after a drop | 1000 ms |")
    print(f"| threads before / after 100 more restart cycles | {before[0]} / {after[0]} |")
    print(f"| file descriptors before / after 100 more restart cycles | {before[1]} / {after[1]} |")


if __name__ == "__main__":
    main()
