"""Generates real media files for the media tests."""

from __future__ import annotations

import array
import math
import random
from fractions import Fraction
from pathlib import Path

import av
from PIL import Image, ImageDraw

RATE = 44100


def moving_frames(count: int, size=(160, 96), seed: int = 1) -> list[Image.Image]:
    rng = random.Random(seed)
    base = Image.new("RGB", (size[0] * 2, size[1] * 2))
    draw = ImageDraw.Draw(base)
    for _ in range(40):
        x, y = rng.randrange(base.width), rng.randrange(base.height)
        draw.ellipse((x, y, x + 30, y + 30), fill=tuple(rng.randrange(256) for _ in range(3)))
    return [base.crop((i * 2, i, i * 2 + size[0], i + size[1])) for i in range(count)]


def _tone_stream(container, codec: str):
    stream = container.add_stream(codec, rate=48000 if codec == "libopus" else RATE)
    stream.layout = "mono"
    return stream


def _encode_tone(container, stream, seconds: float) -> None:
    rate = stream.rate
    samples = array.array(
        "f", (0.3 * math.sin(2 * math.pi * 440 * i / rate) for i in range(int(seconds * rate)))
    )
    size = stream.codec_context.frame_size or 1024
    for start in range(0, len(samples), size):
        chunk = samples[start : start + size]
        frame = av.AudioFrame(format="flt", layout="mono", samples=len(chunk))
        frame.planes[0].update(chunk.tobytes())
        frame.sample_rate = rate
        frame.pts = start
        frame.time_base = Fraction(1, rate)
        container.mux(stream.encode(frame))
    container.mux(stream.encode(None))


def write_video(
    path: Path,
    frames: list[Image.Image],
    fps: int = 12,
    codec: str = "libx264",
    audio_seconds: float = 0.0,
) -> Path:
    with av.open(str(path), "w") as container:
        stream = container.add_stream(codec, rate=Fraction(fps))
        stream.width, stream.height = frames[0].size
        stream.pix_fmt = "yuv420p"
        audio = _tone_stream(container, "aac") if audio_seconds else None
        for image in frames:
            container.mux(stream.encode(av.VideoFrame.from_image(image)))
        container.mux(stream.encode(None))
        if audio is not None:
            _encode_tone(container, audio, audio_seconds)
    return path


def write_audio(path: Path, seconds: float, codec: str) -> Path:
    with av.open(str(path), "w") as container:
        _encode_tone(container, _tone_stream(container, codec), seconds)
    return path
