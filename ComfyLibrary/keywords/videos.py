"""Keywords that check generated videos and audio and show them in the log."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from robotlibcore import keyword

from ComfyLibrary.errors import MediaError
from ComfyLibrary.files import save_with
from ComfyLibrary.keywords.assertions import AssertionOperator, info_value
from ComfyLibrary.keywords.context import LibraryComponent, size_limits
from ComfyLibrary.keywords.media_log import MediaLog
from ComfyLibrary.keywords.results import MediaValidation, VideoInfo, as_result
from ComfyLibrary.media.checks import VIDEO_TYPICAL_SIZES, not_valid_message, validate_video
from ComfyLibrary.media.video import frame_at, video_info

VIDEO_CHECKS = (
    "readable",
    "container",
    "codec",
    "size",
    "duration",
    "fps",
    "frames",
    "width",
    "height",
)


def seconds_of(value: timedelta | None) -> float | None:
    return None if value is None else value.total_seconds()


class VideoKeywords(LibraryComponent):
    """Video and audio keywords."""

    @property
    def log(self) -> MediaLog:
        return MediaLog(self.library)

    def _show(self, path: Path) -> None:
        self.log.video(path)

    @keyword("Validate Video", tags=("Media", "Videos"))
    def validate_video(
        self,
        path: Path,
        container: str = "mp4, webm",
        codec: str | None = None,
        min_size: str | None = None,
        max_size: str | None = None,
        min_duration: timedelta | None = None,
        max_duration: timedelta | None = None,
        fps: float | None = None,
        frames: int | None = None,
        min_frames: int | None = None,
        width: int | None = None,
        height: int | None = None,
        not_frozen: bool = True,
        not_black: bool = True,
        fail: bool = True,
        typical_sizes: bool = False,
    ) -> MediaValidation:
        """Checks a video's file, stream, timing *and content* (not frozen, not black), and
        returns every check's outcome; ``fail=False`` returns instead of failing.

        Checks: readable, container (MP4 or WebM by default), codec, file size
        (no limits unless given; ``typical_sizes=True`` for the usual production range, 100 KB to
        500 MB), duration (above zero, or in the range given),
        fps, frame count, width, height, not frozen (frames change) and not black.
        The result has ``passed``, ``checks``, ``errors`` and ``metadata`` (container,
        codec, width, height, fps, frames, duration, size, audio streams, mean change).
        It fails listing every failed check unless ``fail=False``. The log shows a poster
        frame linked to the file.

        Example:
        | Validate Video    ${video}    frames=121    fps=24    width=768    height=512
        | ${result} =    Validate Video    ${video}    fail=False
        """
        started = time.perf_counter()
        result = validate_video(
            path,
            [c.strip().lower() for c in container.split(",")],
            codec,
            *size_limits(min_size, max_size, typical_sizes, VIDEO_TYPICAL_SIZES),
            seconds_of(min_duration),
            seconds_of(max_duration),
            fps,
            frames,
            min_frames,
            width,
            height,
            not_frozen,
            not_black=not_black,
        )
        meta = result.metadata
        checked = self.finish_validation(
            result,
            started,
            fail,
            lambda: self._show(Path(path)),
            f"Video {Path(path).name}",
            f"{meta.get('container')} {meta.get('codec')} {meta.get('width')}x"
            f"{meta.get('height')}, {meta.get('frames')} frames, {meta.get('duration')} s",
        )
        return as_result(checked, MediaValidation)

    @keyword("Video Should Be Valid", tags=("Media", "Videos"))
    def video_should_be_valid(
        self,
        path: Path,
        container: str = "mp4, webm",
        codec: str | None = None,
        min_size: str | None = None,
        max_size: str | None = None,
        min_duration: timedelta | None = None,
        max_duration: timedelta | None = None,
        fps: float | None = None,
        frames: int | None = None,
        width: int | None = None,
        height: int | None = None,
        typical_sizes: bool = False,
        not_frozen: bool = True,
        not_black: bool = True,
    ) -> VideoInfo:
        """Fails unless a video passes every check `Validate Video` makes; where `Validate
        Video` returns its checks, this one fails listing those that failed.

        The same checks, with the same defaults: container, codec, size, duration, fps,
        frames, dimensions, and the content (not frozen, not black; ``not_frozen=False``
        and ``not_black=False`` leave the content alone, as for a still picture made into
        a video). Returns the video's information.

        Example:
        | Video Should Be Valid    ${video}    container=mp4    codec=h264    frames=121
        | Video Should Be Valid    ${still}    not_frozen=False
        """
        result = self.validate_video(
            path,
            container,
            codec,
            min_size,
            max_size,
            min_duration,
            max_duration,
            fps,
            frames,
            None,
            width,
            height,
            not_frozen=not_frozen,
            not_black=not_black,
            fail=False,
            typical_sizes=typical_sizes,
        )
        if not result["passed"]:
            raise MediaError(not_valid_message(result))
        return as_result(result["metadata"], VideoInfo)

    @keyword("Get Video Info", tags=("Media", "Videos"))
    def get_video_info(
        self,
        path: Path,
        key: str | None = None,
        assertion_operator: AssertionOperator | None = None,
        assertion_expected: Any = None,
        message: str | None = None,
    ) -> Any:
        """Returns ``container``, ``codec``, ``width``, ``height``, ``fps``, ``frames``,
        ``duration`` (seconds), ``size`` (bytes) and ``audio`` (one entry per audio
        stream), or with ``key`` only that one; with an assertion operator it is checked
        too (see `Get Image Info`).

        Example:
        | ${info} =    Get Video Info    ${video}
        | Should Be Equal As Integers    ${info.frames}    121
        | Get Video Info    ${video}    duration    >    1.5
        | Get Video Info    ${video}    codec    ==    h264
        """
        return info_value(
            lambda: video_info(path).as_dict(),
            f"Video {Path(path).name}",
            key,
            assertion_operator,
            assertion_expected,
            message,
            self.retry_for(),
        )

    def _content_check(self, path: Path, check: str, **options: Any) -> dict[str, Any]:
        """Runs one content check (``not_frozen`` or ``not_black``) and fails with its detail."""
        started = time.perf_counter()
        result = validate_video(
            path,
            ("mp4", "webm", "gif", "webp", "png"),
            min_size=None,
            max_size=None,
            not_frozen=check == "not_frozen",
            not_black=check == "not_black",
            **options,
        )
        self.library.record_validation(time.perf_counter() - started)
        failed = [c for c in result.checks if not c.passed and c.name in ("readable", check)]
        if failed:
            raise MediaError(f"Video {Path(path).name}: {failed[0].detail}.")
        return result.metadata

    @keyword("Video Should Not Be Frozen", tags=("Media", "Videos"))
    def video_should_not_be_frozen(self, path: Path, min_change: float = 0.5) -> dict[str, Any]:
        """Fails when a video barely changes from frame to frame (a still image encoded as video).

        The mean absolute difference between consecutive frames (gray levels 0-255,
        on downscaled frames) must be at least ``min_change``. Returns the figures.

        Example:
        | Video Should Not Be Frozen    ${video}
        """
        return self._content_check(path, "not_frozen", min_change=min_change)

    @keyword("Video Should Not Be Black", tags=("Media", "Videos"))
    def video_should_not_be_black(
        self, path: Path, max_black_fraction: float = 0.5
    ) -> dict[str, Any]:
        """Fails when more than ``max_black_fraction`` of a video's frames are black.

        Example:
        | Video Should Not Be Black    ${video}
        """
        return self._content_check(path, "not_black", max_black_fraction=max_black_fraction)

    @keyword("Get Video Frame", tags=("Media", "Videos"))
    def get_video_frame(
        self,
        path: Path,
        frame: int | None = None,
        at: timedelta | None = None,
        save_as: Path | None = None,
    ) -> Path:
        """Saves one frame of a video as a PNG and returns its path.

        Give ``frame`` (0 is the first) or ``at`` (a time such as ``2.5 s``). The image
        goes next to the video unless ``save_as`` is given. Use it to compare the first
        frame of an image-to-video result with its input image.

        Example:
        | ${first} =    Get Video Frame    ${video}    frame=0
        | Image Should Match Reference    ${first}    ${start_image}    threshold=0.8
        """
        path = Path(path)
        image = frame_at(path, frame, seconds_of(at))
        label = f"frame{frame}" if frame is not None or at is None else f"t{seconds_of(at):g}s"
        target = Path(save_as) if save_as else path.with_name(f"{path.stem}.{label}.png")
        save_with(target, image.save, "the video frame")
        self.log.image(target, f"{path.name} {label}")
        return target
