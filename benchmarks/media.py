"""Media validation figures, each beside its floor measured in the same run.

``Validate Image`` and ``Validate Video`` run through the library as a suite calls them
(default checks, the log's thumbnails included). Their floors: loading the PNG with Pillow
into a NumPy array; decoding every frame of the video with PyAV to grayscale. Goal: each
keyword within 1.5x its floor.

Run: .venv/bin/python benchmarks/media.py
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

import av
import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ComfyLibrary import ComfyLibrary
from ComfyLibrary.media.compare import compare
from ComfyLibrary.mock.encode import write_video
from ComfyLibrary.mock.nodes.model_nodes import Latent, render_picture, render_video_frames


def timed(action, repeat: int = 5) -> float:
    action()  # warm: imports and caches belong to no single call
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def load_png(path: Path) -> None:
    with Image.open(path) as image:
        np.asarray(image)


def decode_video(path: Path) -> None:
    with av.open(str(path)) as container:
        for frame in container.decode(video=0):
            frame.to_ndarray(format="gray")


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-media-") as folder:  # removed afterwards
        measure(Path(folder))


def measure(root: Path) -> None:
    first, second = root / "a.png", root / "b.png"
    render_picture(1024, 1024, ("bench", 1)).save(first, compress_level=4)
    render_picture(1024, 1024, ("bench", 2)).save(second, compress_level=4)
    video = root / "clip.mp4"
    write_video(video, render_video_frames(Latent(768, 512, 1, 121, ("bench",))), 24, "libx264")
    library = ComfyLibrary(output_dir=str(root / "out"))

    def validate_image() -> None:
        library.run_keyword("Validate Image", (str(first),), {"width": 1024, "height": 1024})

    def validate_video() -> None:
        library.run_keyword(
            "Validate Video", (str(video),), {"frames": 121, "width": 768, "height": 512}
        )

    rows = [
        ("Validate Image, 1024x1024 PNG", timed(validate_image), timed(lambda: load_png(first))),
        (
            "Validate Video, 121-frame 768x512 MP4",
            timed(validate_video, repeat=3),
            timed(lambda: decode_video(video), repeat=3),
        ),
    ]
    print("| figure (median) | keyword | floor | ratio | goal |")
    print("| --- | --- | --- | --- | --- |")
    for name, keyword_s, floor_s in rows:
        print(
            f"| {name} | {keyword_s * 1000:.0f} ms | {floor_s * 1000:.0f} ms | "
            f"{keyword_s / floor_s:.2f}x | <= 1.5x |"
        )
    compare_s = timed(lambda: compare(first, second))
    print(f"| compare two 1024x1024 PNGs (SSIM) | {compare_s * 1000:.0f} ms | | | |")


if __name__ == "__main__":
    main()
