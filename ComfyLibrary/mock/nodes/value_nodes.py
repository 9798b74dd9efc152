"""Primitive and text nodes: plain values, computed for real."""

from __future__ import annotations

import re
from typing import Any

from ComfyLibrary.mock.nodes import ExecutionFailure, node


@node(
    "PrimitiveString",
    "PrimitiveStringMultiline",
    "PrimitiveInt",
    "PrimitiveFloat",
    "PrimitiveBoolean",
)
def primitive(ctx, value: Any, **_: Any):
    return (value,)


@node("StringConcatenate")
def string_concatenate(ctx, string_a: str, string_b: str, delimiter: str = "", **_: Any):
    return (f"{string_a}{delimiter}{string_b}",)


@node("RegexReplace")
def regex_replace(
    ctx,
    string: str,
    regex_pattern: str,
    replace: str,
    case_insensitive=True,
    multiline=False,
    dotall=False,
    count: int = 0,
    **_: Any,
):
    flags = (re.IGNORECASE if case_insensitive else 0) | (re.MULTILINE if multiline else 0)
    flags |= re.DOTALL if dotall else 0
    try:
        return (re.sub(regex_pattern, replace, string, count=count, flags=flags),)
    except re.error as exc:
        raise ExecutionFailure(f"{exc}\n", "re.error") from exc
