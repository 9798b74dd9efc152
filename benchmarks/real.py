"""Real ComfyUI on the CPU beside the mock, in the same run with the same client: the
start-to-ready time and the round trip of a tiny generation (the test models' 64x64,
2-step text-to-image: submit, wait for completion through /history, download, validate).

Needs the real lane's install (``make real`` once, which leaves ComfyUI and its venv in
``.real``). Run: .venv/bin/python benchmarks/real.py [--real-dir .real] [--rounds 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ComfyLibrary.client import ComfyClient
from ComfyLibrary.media.checks import validate_image
from ComfyLibrary.servers import ServerProcess, mock_command, mock_folders
from ComfyLibrary.servers.ports import free_port
from ComfyLibrary.testmodels import write_test_models
from tests.prompts import shipped


def real_server(real_dir: Path, root: Path) -> ServerProcess:
    port = free_port()
    comfyui = real_dir / "ComfyUI"
    command = [
        str(real_dir / "venv" / "bin" / "python"),
        str(comfyui / "main.py"),
        "--cpu",
        "--listen",
        "127.0.0.1",
        "--port",
        str(port),
        "--output-directory",
        str(root / "output"),
        "--temp-directory",
        str(root / "temp"),
    ]
    return ServerProcess(command, port, root / "real.log", "real", cwd=comfyui)


def mock_server(root: Path) -> ServerProcess:
    port = free_port()
    return ServerProcess(
        mock_command(port, options=mock_folders(root)), port, root / "mock.log", "mock"
    )


def round_trip(client: ComfyClient, seed: int, folder: Path) -> float:
    """Submit -> completed (history) -> /view download -> validated, in seconds."""
    started = time.perf_counter()
    handle = client.submit(shipped("tiny_text_to_image", **{"3.seed": seed}))
    completion = client.wait_for_completion(handle, 300)
    [item] = completion.outputs["9"]["images"]
    path = folder / f"{seed}.png"
    path.write_bytes(client.http.download(item["filename"], item["subfolder"], item["type"]))
    result = validate_image(path, width=64, height=64)
    assert result.passed, result.errors
    return time.perf_counter() - started


def measure(server: ServerProcess, rounds: int, root: Path) -> dict[str, float]:
    ready = server.start(300)
    client = ComfyClient(server.url)
    try:
        client.connect(30)
        first = round_trip(client, 1, root)  # the real server loads the models here
        later = [round_trip(client, seed, root) for seed in range(2, rounds + 2)]
    finally:
        client.close()
        server.kill()
    return {"ready": ready, "first": first, "median": statistics.median(later)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--real-dir", type=Path, default=Path(".real"))
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    args.real_dir = args.real_dir.resolve()
    if not (args.real_dir / "venv" / "bin" / "python").exists():
        sys.exit(f"benchmarks/real.py: no ComfyUI install in {args.real_dir}: run `make real` once")
    write_test_models(args.real_dir / "ComfyUI" / "models")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "real").mkdir()
        (root / "mock").mkdir()
        real = measure(real_server(args.real_dir, root / "real"), args.rounds, root / "real")
        mock = measure(mock_server(root / "mock"), args.rounds, root / "mock")
    print("| figure | real ComfyUI 0.8 (CPU) | mock |")
    print("| --- | --- | --- |")
    print(f"| spawn to ready | {real['ready']:.1f} s | {mock['ready'] * 1000:.0f} ms |")
    rows = (("first", "first tiny generation (models load)"), ("median", "later ones, median"))
    for key, label in rows:
        print(
            f"| {label}: submit, complete, download, validate | "
            f"{real[key]:.2f} s | {mock[key] * 1000:.0f} ms |"
        )


if __name__ == "__main__":
    main()
