"""Browser-style assertions on getters: ``Get Image Info    ${file}    width    ==    512``.

Without an operator a getter returns its value; with one it also checks it (with
robotframework-assertion-engine, the engine Browser uses) and fails naming the value
it found. As in Browser, a failing assertion is retried: the getter reads its value
again until the assertion holds or the retry time (`Set Retry Assertions For`) ends."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

from assertionengine import AssertionOperator, verify_assertion
from robot.api import logger
from robot.utils import DotDict, secs_to_timestr

from ComfyLibrary.errors import ComfyError

__all__ = ["AssertionOperator", "check", "dot", "info_value", "pick", "polled"]

FIRST_PAUSE = 0.05  # seconds between reads, growing to LONGEST_PAUSE
LONGEST_PAUSE = 0.5


def _like(value: Any, expected: Any) -> Any:
    """``expected`` converted to the type of a numeric ``value`` (Robot gives strings)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or expected is None:
        return expected
    if isinstance(expected, str):
        try:
            number = float(expected)
        except ValueError:
            return expected
        return int(number) if isinstance(value, int) and number.is_integer() else number
    return expected


def check(
    value: Any,
    operator: AssertionOperator | None,
    expected: Any = None,
    message: str | None = None,
    what: str = "Value",
) -> Any:
    """Returns ``value``; with an operator, after checking it against ``expected``."""
    if operator is None:
        return value
    if operator in (AssertionOperator.validate, AssertionOperator.then):
        return verify_assertion(value, operator, expected, f"{what}", message)
    return verify_assertion(value, operator, _like(value, expected), f"{what}", message)


def polled(
    read: Callable[[], Any],
    operator: AssertionOperator | None,
    expected: Any,
    message: str | None,
    what: str,
    retry_for: float,
) -> Any:
    """``read()``, checked as `check` does; a failing check is retried with a fresh read
    until it holds or ``retry_for`` seconds have passed. Logs the value it returns."""
    deadline = time.monotonic() + retry_for
    pause = FIRST_PAUSE
    reads = 0
    while True:
        value = read()
        reads += 1
        try:
            checked = check(value, operator, expected, message, what)
        except AssertionError as failure:
            if time.monotonic() + pause < deadline:
                time.sleep(pause)
                pause = min(pause * 2, LONGEST_PAUSE)
                continue
            if message or reads == 1:
                raise
            raise AssertionError(
                f"{failure} (the last of {reads} reads in {secs_to_timestr(retry_for)})"
            ) from None
        logger.info(f"{what}: {_shown(value)}")
        return checked


def _shown(value: Any, limit: int = 500) -> str:
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= limit else text[:limit] + "..."


def pick(info: Mapping[str, Any], key: str | None, what: str) -> Any:
    """One field of a result, failing with the fields there are for an unknown one."""
    if key is None:
        return dot(info)
    if key not in info:
        raise ComfyError(f"{what} has no '{key}': it has {', '.join(info)}.")
    return info[key]


def info_value(
    read: Callable[[], Mapping[str, Any]],
    what: str,
    key: str | None,
    operator: AssertionOperator | None,
    expected: Any,
    message: str | None,
    retry_for: float,
) -> Any:
    """A getter's answer: the whole of ``read()`` or its ``key``, checked (and retried)
    when an operator is given; ``what`` names the thing in failures (``Image fox.png``)."""
    return polled(
        lambda: pick(read(), key, what),
        operator,
        expected,
        message,
        f"{what} {key or 'info'}",
        retry_for,
    )


def dot(info: Mapping[str, Any]) -> DotDict:
    """A result readable as ``${info}[width]`` and ``${info.width}``."""
    return DotDict(info)
