"""Audio keywords: every check in one call (`Validate Audio`) or the failing form, with a
waveform picture and a player in the log."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from robotlibcore import keyword

from ComfyLibrary.errors import MediaError
from ComfyLibrary.keywords.assertions import dot
from ComfyLibrary.keywords.context import LibraryComponent, parse_size
from ComfyLibrary.keywords.media_log import MediaLog
from ComfyLibrary.keywords.results import MediaValidation, as_result
from ComfyLibrary.keywords.videos import seconds_of
from ComfyLibrary.media.checks import DEFAULT_AUDIO_FORMATS, not_valid_message, validate_audio


class AudioKeywords(LibraryComponent):
    """Audio keywords."""

    @keyword("Validate Audio", tags=("Media", "Audio"))
    def validate_audio(
        self,
        path: Path,
        format: str = ", ".join(DEFAULT_AUDIO_FORMATS),
        min_duration: timedelta | None = None,
        max_duration: timedelta | None = None,
        sample_rate: int | None = None,
        channels: int | None = None,
        min_size: str | None = None,
        max_size: str | None = None,
        not_silent: bool = True,
        silence_dbfs: float = -60.0,
        fail: bool = True,
    ) -> MediaValidation:
        """Checks an audio file's format, duration, sample rate, channels, size *and
        content* (not silent), and returns every check's outcome; ``fail=False`` returns
        instead of failing.

        Not silent means the loudest sample reaches ``silence_dbfs`` (-60 dBFS by
        default). The result has ``passed``, ``checks`` (name, passed, detail), ``errors``
        and ``metadata`` (container, codec, sample rate, channels, duration, size,
        ``peak_dbfs``). The log shows the waveform and a player.

        Example:
        | Validate Audio    ${audio}    min_duration=1 s    sample_rate=44100
        | ${result} =    Validate Audio    ${audio}    fail=False
        | Should Be True    ${result}[passed]
        """
        started = time.perf_counter()
        result = validate_audio(
            path,
            tuple(f.strip() for f in format.split(",") if f.strip()),
            seconds_of(min_duration),
            seconds_of(max_duration),
            sample_rate,
            channels,
            parse_size(min_size),
            parse_size(max_size),
            not_silent,
            silence_dbfs,
        )
        meta = result.metadata
        checked = self.finish_validation(
            result,
            started,
            fail,
            lambda: MediaLog(self.library).audio(Path(path)),
            f"Audio {Path(path).name}",
            f"{meta.get('codec')}, {meta.get('sample_rate')} Hz, {meta.get('channels')} "
            f"channel(s), {meta.get('duration')} s, peak {meta.get('peak_dbfs')} dBFS",
        )
        return as_result(checked, MediaValidation)

    @keyword("Audio Should Be Valid", tags=("Media", "Audio"))
    def audio_should_be_valid(
        self,
        path: Path,
        format: str = ", ".join(DEFAULT_AUDIO_FORMATS),
        min_duration: timedelta | None = None,
        max_duration: timedelta | None = None,
        sample_rate: int | None = None,
        channels: int | None = None,
        min_size: str | None = None,
        max_size: str | None = None,
        not_silent: bool = True,
        silence_dbfs: float = -60.0,
    ) -> dict[str, Any]:
        """Fails unless an audio file has the given format, duration, sample rate, channels
        and size and is not silent, and returns its information with ``peak_dbfs``; the
        failing form of `Validate Audio`.

        Every check runs; the failure lists all that failed.

        Example:
        | Audio Should Be Valid    ${audio}    min_duration=1 s    sample_rate=44100
        | Audio Should Be Valid    ${audio}    format=flac    channels=2    max_size=5 MB
        """
        result = self.validate_audio(
            path,
            format,
            min_duration,
            max_duration,
            sample_rate,
            channels,
            min_size,
            max_size,
            not_silent,
            silence_dbfs,
            fail=False,
        )
        if not result["passed"]:
            raise MediaError(not_valid_message(result))
        return dot(result["metadata"])
