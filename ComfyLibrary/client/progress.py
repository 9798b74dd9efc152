"""A live line on the console while a wait goes on: the node running, the sampler's step,
the queue position while pending, the time waited. Shown only on a terminal, so logs, CI
files and pabot's captured output stay clean; rewritten in place a few times a second at
most, and ended with a newline."""

from __future__ import annotations

import os
import shutil
import sys
import time
from typing import TextIO

SETTING = "COMFY_CONSOLE_PROGRESS"  # 0 turns the line off


class LiveLine:
    """Writes ``text`` over the previous one, at most every ``interval`` seconds."""

    def __init__(self, stream: TextIO, interval: float = 0.25):
        self.stream = stream
        self.interval = interval
        self._last = 0.0
        self._shown = False

    def __call__(self, text: str) -> None:
        now = time.monotonic()
        if now - self._last < self.interval:
            return
        self._last = now
        width = max(20, shutil.get_terminal_size((100, 20)).columns - 1)
        self.stream.write("\r" + text[:width].ljust(width))
        self.stream.flush()
        self._shown = True

    def close(self) -> None:
        """Ends the line, when one was shown."""
        if self._shown:
            self.stream.write("\n")
            self.stream.flush()
            self._shown = False


def console_line(enabled: bool = True) -> LiveLine | None:
    """A live line on the console, or None: not a terminal, or turned off (``enabled``
    False, or ``COMFY_CONSOLE_PROGRESS=0``)."""
    stream = sys.__stdout__
    if not enabled or os.environ.get(SETTING, "1") == "0" or stream is None:
        return None
    try:
        if not stream.isatty():
            return None
    except (AttributeError, ValueError):
        return None
    return LiveLine(stream)
