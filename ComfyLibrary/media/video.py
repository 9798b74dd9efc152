"""Reading and checking videos with PyAV (FFmpeg bundled in its wheel); animated WEBP,
PNG and GIF are read as videos with Pillow."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from ComfyLibrary.errors import MediaError
from ComfyLibrary.media.files import checked_file

ANIMATED_IMAGE_FORMATS = ("WEBP", "PNG", "GIF")
SAMPLE_SIZE = (64, 64)


@dataclass
class VideoInfo:
    path: str
    container: str
    codec: str
    width: int
    height: int
    fps: float
    frames: int
    duration: float
    size: int
    audio: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _animated_image(path: Path) -> VideoInfo | None:
    from PIL import Image

    try:
        with Image.open(path) as img:
            if img.format not in ANIMATED_IMAGE_FORMATS or getattr(img, "n_frames", 1) < 2:
                return None
            durations = []
            for index in range(img.n_frames):
                img.seek(index)
                durations.append(img.info.get("duration", 100) or 100)
            total = sum(durations) / 1000
            return VideoInfo(
                str(path),
                img.format.lower(),
                img.format.lower(),
                img.width,
                img.height,
                img.n_frames / total if total else 0.0,
                img.n_frames,
                total,
                path.stat().st_size,
            )
    except (OSError, ValueError, SyntaxError):
        return None


def video_info(path: str | Path) -> VideoInfo:
    """Container, codec, size, fps, frame count, duration and audio streams of a video."""
    import av

    file = Path(path)
    checked_file(file, "Video")
    animated = _animated_image(file)
    if animated is not None:
        return animated
    try:
        with av.open(str(file)) as container:
            audio = [
                {
                    "codec": s.codec_context.name,
                    "sample_rate": s.rate,
                    "channels": s.codec_context.channels,
                }
                for s in container.streams.audio
            ]
            if not container.streams.video:
                kinds = ", ".join(sorted({s.type for s in container.streams})) or "no streams"
                raise MediaError(f"File {file.name} has no video stream (it has: {kinds}).")
            stream = container.streams.video[0]
            rate = stream.average_rate or stream.guessed_rate or Fraction(0)
            frames = stream.frames or _count_frames(container, stream)
            duration = (
                float(container.duration) / 1_000_000
                if container.duration
                else (frames / float(rate) if rate else 0.0)
            )
            name = container_name(container.format.name, stream.codec_context.name)
            return VideoInfo(
                str(file),
                name,
                stream.codec_context.name,
                stream.width,
                stream.height,
                round(float(rate), 3),
                frames,
                round(duration, 3),
                file.stat().st_size,
                audio,
            )
    except MediaError:
        raise
    except (av.error.FFmpegError, OSError, ValueError) as exc:
        raise MediaError(f"Video file {file.name} is not a readable video: {exc}") from None


def container_name(demuxer: str, codec: str) -> str:
    """A user-facing container name from FFmpeg's demuxer name (``mov,mp4,...``)."""
    if "mp4" in demuxer:
        return "mp4"
    if "matroska" in demuxer:
        return "webm" if codec in ("vp8", "vp9", "av1") else "mkv"
    return demuxer.split(",", maxsplit=1)[0]


def _count_frames(container: Any, stream: Any) -> int:
    count = sum(1 for _ in container.decode(stream))
    container.seek(0)
    return count


def frames(path: str | Path, size: tuple[int, int] | None = SAMPLE_SIZE, limit: int = 2000):
    """Yields decoded frames as PIL images (downscaled to ``size`` unless it is None)."""
    import av
    from PIL import Image

    file = Path(path)
    checked_file(file, "Video")
    if _animated_image(file) is not None:
        with Image.open(file) as img:
            for index in range(min(img.n_frames, limit)):
                img.seek(index)
                frame = img.convert("RGB")
                yield frame.resize(size) if size else frame.copy()
        return
    try:
        with av.open(str(file)) as container:
            for index, frame in enumerate(container.decode(video=0)):
                if index >= limit:
                    break
                image = frame.to_image()
                yield image.resize(size) if size else image
    except (av.error.FFmpegError, OSError) as exc:
        raise MediaError(f"Video file {file.name} cannot be decoded: {exc}") from None


def gray_samples(path: str | Path, size: tuple[int, int] = SAMPLE_SIZE, limit: int = 2000):
    """Yields each frame as a small grayscale array (``size``, area-averaged): what the
    motion and black-frame checks look at. Videos are scaled by FFmpeg as they are decoded,
    animated images by Pillow."""
    import av

    file = Path(path)
    checked_file(file, "Video")
    if _animated_image(file) is not None:
        for frame in frames(file, size, limit):
            yield np.asarray(frame.convert("L"))
        return
    width, height = size
    try:
        with av.open(str(file)) as container:
            stream = container.streams.video[0]
            stream.thread_type = "AUTO"
            for index, frame in enumerate(container.decode(stream)):
                if index >= limit:
                    break
                small = frame.reformat(width, height, format="gray", interpolation="AREA")
                yield small.to_ndarray()
    except (av.error.FFmpegError, OSError, IndexError) as exc:
        raise MediaError(f"Video file {file.name} cannot be decoded: {exc}") from None


@dataclass
class MotionStats:
    frames: int
    mean_change: float
    max_change: float
    still_pairs: int
    black_frames: int
    mean_luma: float


def motion_stats(
    path: str | Path, still_below: float = 0.5, black_below: float = 16.0
) -> MotionStats:
    """Frame-to-frame change (mean absolute difference, 0-255) and black frames."""
    changes, lumas, previous = [], [], None
    for sample in gray_samples(path):
        pixels = sample.astype(np.float32)
        lumas.append(float(pixels.mean()))
        if previous is not None:
            changes.append(float(np.abs(pixels - previous).mean()))
        previous = pixels
    if not lumas:
        raise MediaError(f"Video file {Path(path).name} has no frames.")
    return MotionStats(
        frames=len(lumas),
        mean_change=round(float(np.mean(changes)) if changes else 0.0, 3),
        max_change=round(max(changes, default=0.0), 3),
        still_pairs=sum(1 for c in changes if c < still_below),
        black_frames=sum(1 for luma in lumas if luma < black_below),
        mean_luma=round(float(np.mean(lumas)), 3),
    )


def frame_at(path: str | Path, index: int | None = None, seconds: float | None = None):
    """The frame number ``index`` (0-based) or the frame shown at ``seconds``, full size."""
    info = video_info(path)
    if seconds is not None:
        index = int(seconds * info.fps) if info.fps else 0
    index = index or 0
    if index < 0 or index >= info.frames:
        raise MediaError(
            f"Video {Path(path).name} has {info.frames} frames: there is no frame {index}."
        )
    for position, frame in enumerate(frames(path, size=None, limit=index + 1)):
        if position == index:
            return frame
    raise MediaError(f"Video {Path(path).name} ended before frame {index}.")


def frames_at(path: str | Path, indexes: list[int]) -> dict[int, Any]:
    """The frames numbered ``indexes`` (0-based), full size, in one decoding pass that
    converts only those frames to pictures."""
    import av
    from PIL import Image

    file = Path(path)
    checked_file(file, "Video")
    wanted, found = set(indexes), {}
    if _animated_image(file) is not None:
        with Image.open(file) as img:
            for index in sorted(i for i in wanted if 0 <= i < img.n_frames):
                img.seek(index)
                found[index] = img.convert("RGB")
        return found
    last = max(wanted, default=-1)
    try:
        with av.open(str(file)) as container:
            for index, frame in enumerate(container.decode(video=0)):
                if index in wanted:
                    found[index] = frame.to_image()
                if index >= last:
                    break
    except (av.error.FFmpegError, OSError) as exc:
        raise MediaError(f"Video file {file.name} cannot be decoded: {exc}") from None
    return found
