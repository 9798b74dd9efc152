"""Writing real video files with PyAV (FFmpeg bundled in the wheel)."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any

# (container format, codec) -> encoder options that keep the mock fast.
FAST_OPTIONS = {
    "libx264": {"preset": "ultrafast", "crf": "23"},
    "libvpx-vp9": {"deadline": "realtime", "cpu-used": "8", "row-mt": "1"},
    "libsvtav1": {"preset": "12"},
}


def _even(value: int) -> int:
    return value if value % 2 == 0 else value + 1


def write_video(
    path: Path,
    frames: list[Any],
    fps: float,
    codec: str,
    crf: float | None = None,
    audio: dict[str, Any] | None = None,
) -> None:
    """Encodes PIL frames (and optional mono float audio) into ``path``."""
    import av

    rate = Fraction(fps).limit_denominator(1000)
    width, height = _even(frames[0].width), _even(frames[0].height)
    with av.open(str(path), mode="w") as container:
        stream = container.add_stream(codec, rate=rate)
        stream.width, stream.height = width, height
        stream.pix_fmt = "yuv420p"
        options = dict(FAST_OPTIONS.get(codec, {}))
        if crf is not None:
            options["crf"] = str(int(crf))
        stream.options = options
        audio_stream = None
        if audio is not None:
            audio_stream = container.add_stream(
                "aac" if path.suffix == ".mp4" else "libopus", rate=audio["sample_rate"]
            )
            audio_stream.layout = "mono"
        for image in frames:
            if image.size != (width, height):
                image = image.resize((width, height))  # noqa: PLW2901 - even sizes for yuv420p
            frame = av.VideoFrame.from_image(image.convert("RGB"))
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
        if audio_stream is not None and audio is not None:
            _write_audio(container, audio_stream, audio)


def _write_audio(container: Any, stream: Any, audio: dict[str, Any]) -> None:
    import array

    import av
    import numpy as np

    if "waveform" in audio:  # an AUDIO value: the first item of the batch, mixed to mono
        waveform = np.asarray(audio["waveform"], dtype=np.float32)
        mono = (waveform[0] if waveform.ndim == 3 else waveform).mean(axis=0)
        samples = array.array("f", mono.tobytes())
    else:
        samples = array.array("f", audio["samples"])
    frame_size = stream.codec_context.frame_size or 1024
    for start in range(0, len(samples), frame_size):
        chunk = samples[start : start + frame_size]
        frame = av.AudioFrame(format="flt", layout="mono", samples=len(chunk))
        frame.planes[0].update(chunk.tobytes())
        frame.sample_rate = audio["sample_rate"]
        frame.pts = start
        frame.time_base = Fraction(1, audio["sample_rate"])
        container.mux(stream.encode(frame))
    container.mux(stream.encode(None))
