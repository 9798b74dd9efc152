"""Browser-style assertions on getters: ``Get Image Info    ${file}    width    ==    512``.

Without an operator a getter returns its value; with one it also checks it (with
robotframework-assertion-engine, the engine Browser uses) and fails naming the value
it found."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from assertionengine import AssertionOperator, verify_assertion
from robot.utils import DotDict

from ComfyLibrary.errors import ComfyError

__all__ = ["AssertionOperator", "check", "dot", "info_value", "pick"]


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


def pick(info: Mapping[str, Any], key: str | None, what: str) -> Any:
    """One field of a result, failing with the fields there are for an unknown one."""
    if key is None:
        return dot(info)
    if key not in info:
        raise ComfyError(f"{what} has no '{key}': it has {', '.join(info)}.")
    return info[key]


def info_value(
    info: Mapping[str, Any],
    what: str,
    key: str | None,
    operator: AssertionOperator | None,
    expected: Any,
    message: str | None,
) -> Any:
    """A getter's answer: the whole ``info`` or its ``key``, checked when an operator is
    given; ``what`` names the thing in failures (``Image fox.png``)."""
    value = pick(info, key, what)
    return check(value, operator, expected, message, f"{what} {key or 'info'}")


def dot(info: Mapping[str, Any]) -> DotDict:
    """A result readable as ``${info}[width]`` and ``${info.width}``."""
    return DotDict(info)
