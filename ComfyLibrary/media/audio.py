"""Reading audio files (WAV, MP3, FLAC, OPUS, ...) with PyAV."""

from __future__ import annotations

import itertools
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ComfyLibrary.errors import MediaError
from ComfyLibrary.media.files import checked_file


@dataclass
class AudioInfo:
    path: str
    container: str
    codec: str
    sample_rate: int
    channels: int
    duration: float
    size: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def audio_info(path: str | Path) -> AudioInfo:
    import av

    file = checked_file(path, "Audio")
    try:
        with av.open(str(file)) as container:
            if not container.streams.audio:
                raise MediaError(f"File {file.name} has no audio stream.")
            stream = container.streams.audio[0]
            if container.duration:
                duration = float(container.duration) / 1_000_000
            elif stream.duration and stream.time_base:
                duration = float(stream.duration * stream.time_base)
            else:
                samples = sum(frame.samples for frame in container.decode(stream))
                duration = samples / stream.rate if stream.rate else 0.0
            return AudioInfo(
                str(file),
                container.format.name.split(",")[0],
                stream.codec_context.name,
                stream.rate,
                stream.codec_context.channels,
                round(duration, 3),
                file.stat().st_size,
            )
    except MediaError:
        raise
    except (av.error.FFmpegError, OSError, ValueError) as exc:
        raise MediaError(f"Audio file {file.name} is not readable audio: {exc}") from None


def _sample_levels(path: str | Path):
    """Yields, per decoded frame of the first audio stream, the loudest sample of each
    instant over all channels, from 0 to 1 (integer samples scaled to full scale)."""
    import av
    import numpy as np

    file = Path(path)
    try:
        with av.open(str(file)) as container:
            stream = container.streams.audio[0]
            for frame in container.decode(stream):
                data = frame.to_ndarray()
                if np.issubdtype(data.dtype, np.integer):
                    data = data.astype(np.float64) / float(np.iinfo(data.dtype).max)
                # planar frames are (channels, samples), packed ones (1, samples*channels)
                yield np.abs(data).max(axis=0)
    except (av.error.FFmpegError, OSError, ValueError, IndexError) as exc:
        raise MediaError(f"Audio file {file.name} is not readable audio: {exc}") from None


def audio_peak_dbfs(path: str | Path) -> float:
    """The loudest sample of the first audio stream, in dBFS (0 is full scale; digital
    silence is -inf)."""
    import math

    peak = max((float(levels.max()) for levels in _sample_levels(path) if levels.size), default=0)
    return 20 * math.log10(peak) if peak > 0 else -math.inf


def audio_envelope(path: str | Path, buckets: int = 240) -> list[float]:
    """The loudness of the first audio stream over time: ``buckets`` values from 0 to 1,
    each the loudest sample (all channels) of its stretch, for a waveform picture."""
    import numpy as np

    chunks = list(_sample_levels(path))
    if not chunks:
        return [0.0] * buckets
    samples = np.concatenate(chunks)
    edges = np.linspace(0, len(samples), buckets + 1).astype(int)
    return [
        round(float(min(1.0, samples[a:b].max())) if b > a else 0.0, 4)
        for a, b in itertools.pairwise(edges)
    ]
