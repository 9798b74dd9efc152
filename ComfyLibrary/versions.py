"""ComfyUI version numbers and requirements such as ``>=0.8`` or ``>=0.3.64,<0.8``."""

from __future__ import annotations

import operator
import re
from collections.abc import Callable

from ComfyLibrary.errors import ComfyError

OPERATORS: dict[str, Callable[[tuple[int, ...], tuple[int, ...]], bool]] = {
    ">=": operator.ge,
    "<=": operator.le,
    "==": operator.eq,
    "!=": operator.ne,
    ">": operator.gt,
    "<": operator.lt,
}
CLAUSE = re.compile(r"^\s*(>=|<=|==|!=|>|<)?\s*v?(\d+(?:\.\d+)*)\s*$")


def parse_version(text: str) -> tuple[int, ...]:
    """``"0.3.64"`` -> ``(0, 3, 64)``; a suffix (``0.8.0+cu130``, ``v0.8.0``) is ignored."""
    match = re.match(r"^\s*v?(\d+(?:\.\d+)*)", str(text))
    if match is None:
        raise ComfyError(f"'{text}' is not a version number such as 0.8.0.")
    return tuple(int(part) for part in match.group(1).split("."))


def _padded(a: tuple[int, ...], b: tuple[int, ...]) -> tuple[tuple[int, ...], tuple[int, ...]]:
    width = max(len(a), len(b))
    return a + (0,) * (width - len(a)), b + (0,) * (width - len(b))


def satisfies(version: str, requirement: str) -> bool:
    """Whether ``version`` meets every comma-separated clause of ``requirement``; a clause
    without an operator means ``==`` (``0.8`` is ``0.8.0``)."""
    have = parse_version(version)
    for clause in str(requirement).split(","):
        match = CLAUSE.match(clause)
        if match is None:
            raise ComfyError(
                f"'{requirement}' is not a version requirement: write one like >=0.8, "
                "<0.3.77 or >=0.3.64,<0.8."
            )
        compare = OPERATORS[match.group(1) or "=="]
        if not compare(*_padded(have, parse_version(match.group(2)))):
            return False
    return True
