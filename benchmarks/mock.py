"""Mock server figures: spawn-to-ready, submit-to-done latency and throughput, each beside
its floor measured in the same run with the same client.

The floors: for round trips and throughput, benchmarks/floor_server.py (a bare aiohttp
server that answers ``POST /prompt`` and sends one WebSocket message); for starting,
``python -c "import aiohttp.web"``. The client is the one ComfyLibrary uses (requests and
websocket-client). Goals: round trip <= 1.3x the floor, prompts/s >= 0.8x, start <= 1.2x.

Run: .venv/bin/python benchmarks/mock.py   (prints Markdown tables)
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import requests
import websocket

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ComfyLibrary.servers import ServerProcess, mock_command, mock_folders
from ComfyLibrary.servers.ports import free_port
from ComfyLibrary.workflow import set_input

WORKFLOWS = Path(__file__).resolve().parents[1] / "resources" / "workflows"
FLOOR_SERVER = Path(__file__).resolve().parent / "floor_server.py"
ROUNDS = 3  # mock and floor take turns, so a busy moment of the machine hits both


def tiny(color: int) -> dict:
    return {
        "1": {
            "class_type": "EmptyImage",
            "inputs": {"width": 64, "height": 64, "batch_size": 1, "color": color},
        },
        "2": {"class_type": "SaveImage", "inputs": {"images": ["1", 0], "filename_prefix": "b"}},
    }


def text_to_image(seed: int) -> dict:
    """The shipped z-image turbo workflow at 1024x1024 with 4 steps."""
    workflow = json.loads((WORKFLOWS / "z_image_turbo_generation.json").read_text())
    for path, value in {
        "KSampler.seed": seed,
        "KSampler.steps": 4,
        "EmptySD3LatentImage.width": 1024,
        "EmptySD3LatentImage.height": 1024,
    }.items():
        set_input(workflow, path, value)
    return workflow


class Runner:
    def __init__(self, url: str):
        self.url = url
        self.client_id = uuid.uuid4().hex
        self.ws = websocket.create_connection(
            f"ws{url[4:]}/ws?clientId={self.client_id}", skip_utf8_validation=True
        )
        self.session = requests.Session()

    def run(self, prompt: dict, download: bool = False) -> float:
        start = time.perf_counter()
        prompt_id = self.session.post(
            f"{self.url}/prompt", json={"prompt": prompt, "client_id": self.client_id}
        ).json()["prompt_id"]
        while True:
            message = self.ws.recv()
            if isinstance(message, str):
                data = json.loads(message)
                if (
                    data["type"] == "executing"
                    and data["data"]["node"] is None
                    and data["data"].get("prompt_id") == prompt_id
                ):
                    break
        if download:
            entry = self.session.get(f"{self.url}/history/{prompt_id}").json()[prompt_id]
            for image in entry["outputs"]["9"]["images"]:
                self.session.get(f"{self.url}/view", params=image).raise_for_status()
        return time.perf_counter() - start


def concurrent(url: str, clients: int, per_client: int, make) -> float:
    runners = [Runner(url) for _ in range(clients)]
    counter = iter(range(10**9))
    lock = threading.Lock()

    def work(runner: Runner) -> None:
        for _ in range(per_client):
            with lock:
                n = next(counter)
            runner.run(make(n))

    start = time.perf_counter()
    threads = [threading.Thread(target=work, args=(r,)) for r in runners]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    history = requests.get(f"{url}/history").json()
    ok = sum(1 for e in history.values() if e["status"]["status_str"] == "success")
    assert ok >= clients * per_client, f"only {ok} prompts in history"
    return clients * per_client / elapsed


def start_once(root: Path) -> float:
    port = free_port()
    server = ServerProcess(
        mock_command(port, options=mock_folders(root)),
        port,
        root / "log.txt",
        "bench",
    )
    try:
        return server.start(15)
    finally:
        server.kill()


def import_aiohttp() -> float:
    """The start floor: a new interpreter that imports aiohttp's server."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import aiohttp.web"], check=True)
    return time.perf_counter() - start


def starts(root: Path) -> tuple[list[float], list[float], list[float]]:
    """Five cold starts (a new interpreter each), each beside the floor's import, then five
    starts forked from the fork server the library keeps (as every mock after a process's
    first one starts)."""
    cold, floor = [], []
    os.environ["COMFY_MOCK_ZYGOTE"] = "0"
    try:
        for _ in range(5):
            cold.append(start_once(root))
            floor.append(import_aiohttp())
    finally:
        os.environ.pop("COMFY_MOCK_ZYGOTE")
    start_once(root)  # the first start of the process is cold; it starts the fork server
    forked = [start_once(root) for _ in range(5)]
    return cold, forked, floor


class Target:
    """A server under measurement, with the client that measures it."""

    def __init__(self, server: ServerProcess):
        self.server = server
        server.start(15)
        self.runner = Runner(server.url)
        for i in range(20):
            self.runner.run(tiny(i))
        self.latencies: list[float] = []
        self.rates: list[float] = []
        self.seed = 1000

    def measure_round(self) -> None:
        for _ in range(50):
            self.seed += 1
            self.latencies.append(self.runner.run(tiny(self.seed)))
        start = time.perf_counter()
        for _ in range(100):
            self.seed += 1
            self.runner.run(tiny(self.seed))
        self.rates.append(100 / (time.perf_counter() - start))


def floor_target(root: Path, *options: str) -> Target:
    port = free_port()
    return Target(
        ServerProcess(
            [sys.executable, str(FLOOR_SERVER), str(port), *options],
            port,
            root / f"floor{''.join(options)}-log.txt",
            "floor",
        )
    )


def floors_and_mock(root: Path) -> tuple[Target, Target, Target]:
    """The bare floor, the floor that sends 0.8's message sequence, and the mock, measured
    in turns with the same client."""
    floor = floor_target(root)
    sequence = floor_target(root, "--sequence")
    port = free_port()
    mock = Target(
        ServerProcess(
            mock_command(port, options={**mock_folders(root), "step_ms": 0}),
            port,
            root / "log.txt",
            "bench",
        )
    )
    try:
        for _ in range(ROUNDS):
            floor.measure_round()
            sequence.measure_round()
            mock.measure_round()
    finally:
        floor.server.kill()
        sequence.server.kill()
    return floor, sequence, mock


def ratio_row(figure: str, mock: float, floor: float, unit: str, goal: str) -> str:
    digits = 1 if unit == "ms" else 0
    return (
        f"| {figure} | {mock:.{digits}f} {unit} | {floor:.{digits}f} {unit} | "
        f"{mock / floor:.2f}x | {goal} |"
    )


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-") as folder:  # removed afterwards
        measure(Path(folder))


def measure(root: Path) -> None:
    ready, warm, floors = starts(root)
    start_floor = statistics.median(floors)
    floor, sequence, mock = floors_and_mock(root)
    try:
        runner = mock.runner
        parallel = concurrent(mock.server.url, 20, 5, lambda n: tiny(20000 + n))
        big = [runner.run(text_to_image(i), download=True) for i in range(10)]
        big_parallel = concurrent(mock.server.url, 20, 5, lambda n: text_to_image(1000 + n))
    finally:
        mock.server.kill()
    ms = 1000.0
    rows = [  # figure, mock, floor, unit, goal (medians; times in ms)
        (
            'spawn to ready, cold (median of 5) vs `python -c "import aiohttp.web"`',
            statistics.median(ready) * ms,
            start_floor * ms,
            "ms",
            "<= 1.2x",
        ),
        (
            "start forked from the warm fork server (median of 5) vs the same import",
            statistics.median(warm) * ms,
            start_floor * ms,
            "ms",
            "<= 1.2x",
        ),
    ]
    for label, unit, goal, scale, measured in (
        (
            "EmptyImage 64x64 -> SaveImage, submit to `executing null` (median)",
            "ms",
            "<= 1.3x",
            ms,
            lambda target: target.latencies,
        ),
        ("sequential prompts/s (median of rounds)", "/s", ">= 0.8x", 1.0, lambda t: t.rates),
    ):
        mine = statistics.median(measured(mock)) * scale
        rows.append((label, mine, statistics.median(measured(floor)) * scale, unit, goal))
        rows.append(
            (
                "same, against the floor that sends 0.8's 14 messages",
                mine,
                statistics.median(measured(sequence)) * scale,
                unit,
                "-",
            )
        )
    print("| figure | mock | floor | ratio | goal |")
    print("| --- | --- | --- | --- | --- |")
    for row in rows:
        print(ratio_row(*row))
    print()
    print("| figure | mock | real ComfyUI 0.8 (2 cores) |")
    print("| --- | --- | --- |")
    print(
        f"| spawn to ready, cold (median of 5) | {statistics.median(ready) * 1000:.0f} ms | 6-8 s |"
    )
    print(
        f"| EmptyImage 64x64 -> SaveImage, submit to `executing null` (median) | "
        f"{statistics.median(mock.latencies) * 1000:.1f} ms | 5.6 ms |"
    )
    print(f"| sequential prompts/s | {statistics.median(mock.rates):.0f} | 167 |")
    print(
        f"| 20 WebSocket clients x 5 prompts, prompts/s (all in /history) | "
        f"{parallel:.0f} | 73-98 |"
    )
    print(
        f"| 1024x1024 4-step text-to-image incl. /view download (median) | "
        f"{statistics.median(big) * 1000:.1f} ms | (GPU-bound) |"
    )
    print(f"| same, 20 clients x 5 prompts, prompts/s | {big_parallel:.0f} | (GPU-bound) |")


if __name__ == "__main__":
    main()
