"""What every keyword component shares: the library (state lives there) and helpers."""

from __future__ import annotations

import re
import time
from datetime import timedelta
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

from robot.api import logger
from robot.utils import get_link_path, secs_to_timestr

from ComfyLibrary.errors import ComfyError, MediaError

if TYPE_CHECKING:
    from ComfyLibrary.library import ComfyLibrary

SIZE_UNITS = {
    "": 1,
    "B": 1,
    "KB": 1024,
    "KIB": 1024,
    "MB": 1024**2,
    "MIB": 1024**2,
    "GB": 1024**3,
    "GIB": 1024**3,
}


def parse_size(value: str | int | None) -> int | None:
    """``10 KB``, ``50MB``, ``1024`` -> bytes; ``None``/``none`` -> no limit."""
    if value is None:
        return None
    if isinstance(value, int):
        return value
    text = str(value).strip().upper()
    if text in ("", "NONE"):
        return None
    match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([KMG]I?B|B)?", text)
    if not match:
        raise ComfyError(f"Size '{value}' is not understood: write it like 10 KB, 50 MB or 1024.")
    return int(float(match.group(1)) * SIZE_UNITS[match.group(2) or ""])


def size_limits(
    min_size: str | None, max_size: str | None, typical: bool, typical_range: tuple[int, int]
) -> tuple[int | None, int | None]:
    """Byte limits from ``min_size``/``max_size``; ``typical`` fills the ones not given."""
    low, high = parse_size(min_size), parse_size(max_size)
    if typical:
        low = typical_range[0] if min_size is None else low
        high = typical_range[1] if max_size is None else high
    return low, high


def safe_name(text: str) -> str:
    """A file-system-safe version of a suite or test name."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("._")
    return cleaned[:80] or "unnamed"


class LibraryComponent:
    """Base of keyword components; they hold no state of their own."""

    def __init__(self, library: ComfyLibrary):
        self.library = library

    def seconds(self, timeout: timedelta | None) -> float:
        return self.library.timeout if timeout is None else timeout.total_seconds()

    def retry_for(self) -> float:
        """How long a getter retries a failing assertion (`Set Retry Assertions For`)."""
        return self.library.retry_assertions_for

    @staticmethod
    def timestr(seconds: float) -> str:
        return secs_to_timestr(seconds)

    def took_less_than(self, what: str, seconds: float, limit: timedelta) -> None:
        """Fails unless ``what`` took less than ``limit``; logs the time when it did."""
        if seconds >= limit.total_seconds():
            raise AssertionError(
                f"{what} took {self.timestr(seconds)}, not less than "
                f"{self.timestr(limit.total_seconds())}."
            )
        self.info(f"{what} took {seconds * 1000:.0f} ms.")

    @staticmethod
    def info(message: str, html: bool = False) -> None:
        logger.info(message, html=html)

    @staticmethod
    def warn(message: str) -> None:
        logger.warn(message)

    @staticmethod
    def debug(message: str) -> None:
        logger.debug(message)

    def link(self, path: Path, text: str | None = None) -> None:
        """Logs an HTML link to ``path``, relative to log.html so merged logs keep it."""
        href = escape(get_link_path(str(path), str(self.library.log_dir)), quote=True)
        logger.info(f'<a href="{href}">{escape(text or path.name)}</a>', html=True)

    def finish_validation(
        self,
        result: Any,
        started: float,
        fail: bool,
        show: Any,
        subject: str,
        detail: str | None = None,
    ) -> Any:
        """The end every Validate keyword shares: the time goes to the run's record, a
        readable file is shown with ``show()``, a failed check fails when ``fail``, and one
        line says what was found (``detail``) and what failed. Returns the result's dict."""
        self.library.record_validation(time.perf_counter() - started)
        if result.checks and result.checks[0].passed:
            show()
        if fail and not result.passed:
            raise MediaError(result.failure())
        summary = detail or "all checks passed."
        if not result.passed:
            summary = (f"{detail}; " if detail else "") + "; ".join(result.errors)
        self.info(f"{subject}: {summary}")
        return result.as_dict()

    def finished_entry(
        self, instance: Any, prompt_id: str, other_argument: Any = None
    ) -> dict[str, Any]:
        """The history entry of a finished prompt: the one its wait read, else the
        server's; fails in one line while it has none, saying whether the prompt is still
        queued or running, or is no prompt of this server at all (and whether
        ``other_argument``, the keyword's next one, is one: the two swapped)."""
        result = self.library.results.get(prompt_id)
        if result is not None:
            return result.history
        entry = instance.history(prompt_id).get(prompt_id)
        if entry is not None:
            return entry
        queue = instance.queue()
        for state in ("running", "pending"):
            if any(item[1] == prompt_id for item in queue.get(f"queue_{state}", [])):
                raise ComfyError(
                    f"Prompt {prompt_id} has no history entry yet: it is still {state}. Use "
                    "Wait For Completion first."
                )
        swapped = ""
        other = str(other_argument) if other_argument is not None else ""
        if (
            other
            and other != prompt_id
            and (other in self.library.results or instance.history(other).get(other) is not None)
        ):
            swapped = f" The next argument, '{other}', is one: are the two swapped?"
        raise ComfyError(
            f"'{prompt_id}' is no prompt of {instance.url}: it has it neither queued, running "
            f"nor in its history. Give the prompt id that Submit Workflow or Run Workflow "
            f"returned.{swapped}"
        )

    def waited(self, instance: Any, handle: Any, seconds: float) -> Any:
        """A prompt's completion, with a live line on the console while it is waited for
        (on a terminal, unless the library's ``console_progress`` is off)."""
        from ComfyLibrary.client.progress import console_line

        line = console_line(self.library.console_progress)
        try:
            return instance.wait_for_completion(handle, seconds, line)
        finally:
            if line is not None:
                line.close()

    def output_folder(self, *parts: str) -> Path:
        return self.library.test_output_dir().joinpath(*parts)

    @staticmethod
    def short(value: Any, limit: int = 300) -> str:
        text = str(value)
        return text if len(text) <= limit else text[:limit] + "..."
