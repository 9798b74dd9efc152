"""Media validation figures: a 1024x1024 PNG validated and compared, and a 121-frame
768x512 MP4 validated with the frozen and black checks.

Run: .venv/bin/python benchmarks/media.py
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ComfyLibrary.media.checks import validate_image, validate_video
from ComfyLibrary.media.compare import compare
from ComfyLibrary.mock.encode import write_video
from ComfyLibrary.mock.nodes.model_nodes import Latent, render_picture, render_video_frames


def timed(action, repeat: int = 5) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    root = Path(tempfile.mkdtemp(prefix="bench-media-"))
    first, second = root / "a.png", root / "b.png"
    render_picture(1024, 1024, ("bench", 1)).save(first, compress_level=4)
    render_picture(1024, 1024, ("bench", 2)).save(second, compress_level=4)
    video = root / "clip.mp4"
    write_video(video, render_video_frames(Latent(768, 512, 1, 121, ("bench",))), 24, "libx264")

    def check_image() -> None:
        assert validate_image(first, width=1024, height=1024).passed

    def check_video() -> None:
        assert validate_video(video, frames=121, width=768, height=512).passed

    image_s = timed(check_image)
    compare_s = timed(lambda: compare(first, second))
    video_s = timed(check_video, repeat=3)
    print("| figure (median) | time |")
    print("| --- | --- |")
    print(f"| validate a 1024x1024 PNG (all checks incl. blank) | {image_s * 1000:.0f} ms |")
    print(f"| compare two 1024x1024 PNGs (SSIM) | {compare_s * 1000:.0f} ms |")
    print(
        f"| validate a 121-frame 768x512 MP4 incl. frozen and black checks | "
        f"{video_s * 1000:.0f} ms |"
    )


if __name__ == "__main__":
    main()
