"""Every applicable check on an image or a video in one call, with a structured result."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ComfyLibrary.errors import MediaError
from ComfyLibrary.media.audio import audio_info, audio_peak_dbfs
from ComfyLibrary.media.compare import pixel_stats
from ComfyLibrary.media.image import DEFAULT_FORMATS, check_image, open_image, preview_of
from ComfyLibrary.media.ranges import describe, within
from ComfyLibrary.media.video import motion_stats, video_info

DEFAULT_CONTAINERS = ("mp4", "webm")
DEFAULT_AUDIO_FORMATS = ("wav", "mp3", "flac", "ogg", "opus", "m4a")
# The "typical" size ranges of production outputs, applied on request (typical_sizes=True):
# there are no default limits.
IMAGE_TYPICAL_SIZES = (10 * 1024, 50 * 1024 * 1024)
VIDEO_TYPICAL_SIZES = (100 * 1024, 500 * 1024 * 1024)


@dataclass
class Check:
    name: str
    passed: bool
    detail: str


@dataclass
class MediaResult:
    """``passed``, each ``check``, the ``errors`` and the file's ``metadata``."""

    path: str
    kind: str
    checks: list[Check] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)
    preview: Any = field(default=None, repr=False, compare=False)  # a thumbnail for the log

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.checks)

    @property
    def errors(self) -> list[str]:
        return [c.detail for c in self.checks if not c.passed]

    def add(self, name: str, passed: bool, detail: str) -> None:
        self.checks.append(Check(name, passed, detail))

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "kind": self.kind,
            "passed": self.passed,
            "checks": [asdict(c) for c in self.checks],
            "errors": self.errors,
            "metadata": self.metadata,
        }

    def failure(self) -> str:
        """One message for the failed checks; an unreadable file is named on its own."""
        unreadable = next((c for c in self.checks if c.name == "readable" and not c.passed), None)
        if unreadable is not None:
            return unreadable.detail
        name = Path(self.path).name
        return (
            f"{self.kind.capitalize()} {name} failed {len(self.errors)} check(s): "
            + "; ".join(self.errors)
            + "."
        )


def _check_size(result: MediaResult, size: int, low: int | None, high: int | None) -> None:
    """The file size check, only when a limit is given."""
    if low is not None or high is not None:
        result.add(
            "size",
            within(size, None, low, high),
            f"file size is {size} bytes, expected {describe(None, low, high, ' bytes')}",
        )


def _check_duration(
    result: MediaResult, duration: float, low: float | None, high: float | None
) -> None:
    """A duration above zero, and within the limits given."""
    limited = low is not None or high is not None
    expected = describe(None, low, high, " s") if limited else "more than 0 s"
    result.add(
        "duration",
        duration > 0 and within(duration, None, low, high),
        f"duration is {duration:g} s, expected {expected}",
    )


def not_valid_message(result: dict[str, Any]) -> str:
    """The single-check keywords' failure: ``Image x.png is not valid: ...``, or, for a file
    that cannot be read at all, the sentence saying why."""
    if not result["checks"][0]["passed"]:
        return result["errors"][0]
    name = Path(result["path"]).name
    return (
        f"{result['kind'].capitalize()} {name} is not valid: " + "; ".join(result["errors"]) + "."
    )


def validate_image(
    path: str | Path,
    formats=DEFAULT_FORMATS,
    width: int | None = None,
    height: int | None = None,
    min_width: int | None = None,
    max_width: int | None = None,
    min_height: int | None = None,
    max_height: int | None = None,
    min_size: int | None = None,
    max_size: int | None = None,
    mode: str | None = None,
    not_blank: bool = True,
    min_stddev: float = 2.0,
) -> MediaResult:
    result = MediaResult(str(path), "image")
    try:
        with open_image(path) as decoded:  # decoded once for every check and the preview
            info, problems = check_image(
                path,
                formats,
                width,
                height,
                min_width,
                max_width,
                min_height,
                max_height,
                min_size,
                max_size,
                mode,
                decoded,
            )
            stats = pixel_stats(path, decoded) if not_blank else None
            result.preview = preview_of(decoded)
    except MediaError as exc:
        result.add("readable", False, str(exc))
        return result
    result.metadata = info.as_dict()
    result.add("readable", True, f"{info.format} {info.width}x{info.height} {info.mode}")
    for problem in problems:
        result.add(problem.split(" ", 1)[0], False, problem)
    if not problems:
        result.add("properties", True, "format, dimensions, size and mode as expected")
    if stats is not None:
        result.metadata["stddev"] = round(stats["stddev"], 3)
        blank = stats["stddev"] < min_stddev
        result.add(
            "not_blank",
            not blank,
            f"image is blank: near-uniform (pixel standard deviation {stats['stddev']:.2f}, "
            f"below {min_stddev:g}; mean level {stats['mean']:.0f} of 255)"
            if blank
            else f"pixel standard deviation {stats['stddev']:.2f}",
        )
    return result


def validate_video(
    path: str | Path,
    containers=DEFAULT_CONTAINERS,
    codec: str | None = None,
    min_size: int | None = None,
    max_size: int | None = None,
    min_duration: float | None = None,
    max_duration: float | None = None,
    fps: float | None = None,
    frames: int | None = None,
    min_frames: int | None = None,
    width: int | None = None,
    height: int | None = None,
    not_frozen: bool = True,
    min_change: float = 0.5,
    not_black: bool = True,
    max_black_fraction: float = 0.5,
) -> MediaResult:
    result = MediaResult(str(path), "video")
    try:
        info = video_info(path)
    except MediaError as exc:
        result.add("readable", False, str(exc))
        return result
    result.metadata = info.as_dict()
    result.add(
        "readable",
        True,
        f"{info.container} {info.codec} {info.width}x{info.height}, "
        f"{info.frames} frames at {info.fps:g} fps",
    )
    allowed = [c.lower() for c in containers]
    result.add(
        "container",
        info.container in allowed,
        f"container is {info.container}, expected one of {', '.join(allowed)}",
    )
    if codec is not None:
        result.add("codec", info.codec == codec, f"codec is {info.codec}, expected {codec}")
    _check_size(result, info.size, min_size, max_size)
    _check_duration(result, info.duration, min_duration, max_duration)
    if fps is not None:
        result.add(
            "fps", abs(info.fps - fps) < 0.01, f"frame rate is {info.fps:g}, expected {fps:g}"
        )
    if frames is not None:
        result.add(
            "frames", info.frames == frames, f"frame count is {info.frames}, expected {frames}"
        )
    if min_frames is not None:
        result.add(
            "frames",
            info.frames >= min_frames,
            f"frame count is {info.frames}, expected at least {min_frames}",
        )
    if width is not None:
        result.add("width", info.width == width, f"width is {info.width}, expected {width}")
    if height is not None:
        result.add("height", info.height == height, f"height is {info.height}, expected {height}")
    if not_frozen or not_black:
        motion = motion_stats(path)
        result.metadata.update(
            mean_change=motion.mean_change,
            black_frames=motion.black_frames,
            still_pairs=motion.still_pairs,
        )
        if not_frozen:
            frozen = motion.frames < 2 or motion.mean_change < min_change
            result.add(
                "not_frozen",
                not frozen,
                f"video is frozen: mean frame-to-frame change {motion.mean_change:g} "
                f"is below {min_change:g} ({motion.still_pairs} of "
                f"{max(0, motion.frames - 1)} frame pairs unchanged)"
                if frozen
                else f"mean frame-to-frame change {motion.mean_change:g}",
            )
        if not_black:
            share = motion.black_frames / motion.frames
            black = share > max_black_fraction
            result.add(
                "not_black",
                not black,
                f"video is black: {motion.black_frames} of {motion.frames} frames are "
                f"black (mean level {motion.mean_luma:g} of 255)"
                if black
                else f"{motion.black_frames} of {motion.frames} frames black",
            )
    return result


def validate_audio(
    path: str | Path,
    formats: tuple[str, ...] = DEFAULT_AUDIO_FORMATS,
    min_duration: float | None = None,
    max_duration: float | None = None,
    sample_rate: int | None = None,
    channels: int | None = None,
    min_size: int | None = None,
    max_size: int | None = None,
    not_silent: bool = True,
    silence_dbfs: float = -60.0,
) -> MediaResult:
    """Every audio check: readable, format, duration, sample rate, channels, size and,
    with ``not_silent``, a peak of at least ``silence_dbfs``."""
    result = MediaResult(str(path), "audio")
    try:
        info = audio_info(path)
    except MediaError as exc:
        result.add("readable", False, str(exc))
        return result
    result.metadata = info.as_dict()
    result.add(
        "readable",
        True,
        f"{info.container} {info.codec}, {info.sample_rate} Hz, {info.channels} channel(s), "
        f"{info.duration:g} s",
    )
    allowed = [f.strip().lower() for f in formats]
    suffix = Path(path).suffix.lstrip(".").lower()
    result.add(
        "format",
        info.container in allowed or suffix in allowed,
        f"format is {info.container}, expected one of {', '.join(allowed)}",
    )
    _check_duration(result, info.duration, min_duration, max_duration)
    if sample_rate is not None:
        result.add(
            "sample_rate",
            info.sample_rate == sample_rate,
            f"sample rate is {info.sample_rate}, expected {sample_rate}",
        )
    if channels is not None:
        result.add(
            "channels",
            info.channels == channels,
            f"channels are {info.channels}, expected {channels}",
        )
    _check_size(result, info.size, min_size, max_size)
    peak = audio_peak_dbfs(path)
    result.metadata["peak_dbfs"] = round(peak, 2) if peak != float("-inf") else None
    if not_silent:
        loudest = "no sound at all" if peak == float("-inf") else f"peak {peak:.1f} dBFS"
        result.add(
            "not_silent",
            peak >= silence_dbfs,
            f"audio is silent: {loudest}, below {silence_dbfs:g} dBFS"
            if peak < silence_dbfs
            else f"{loudest}",
        )
    return result
