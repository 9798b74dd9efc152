"""Catching a misspelt argument name before it is taken for a value.

Robot passes ``name=value`` as a positional value when ``name`` is not one of the
keyword's arguments, so ``Wait For Completion    timout=30s`` would wait for a prompt
called ``timout=30s``. Such a value whose name is close to a real argument name is a
typo: the keyword fails naming both."""

from __future__ import annotations

import difflib
import inspect
import re
from collections.abc import Callable
from typing import Any

from ComfyLibrary.errors import ComfyError

NAMED = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)=")


def argument_names(function: Callable[..., Any]) -> list[str]:
    """The names a keyword's arguments can be given by."""
    kinds = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    return [
        p.name
        for p in inspect.signature(function).parameters.values()
        if p.kind in kinds and p.name != "self"
    ]


def check_argument_names(function: Callable[..., Any], args: tuple | list) -> None:
    """Fails when a positional value looks like ``name=value`` with a misspelt name."""
    names = argument_names(function)
    for value in args:
        if not isinstance(value, str) or not (match := NAMED.match(value)):
            continue
        given = match.group(1)
        if given in names:
            continue
        close = difflib.get_close_matches(given, names, n=1, cutoff=0.6)
        if close:
            raise ComfyError(f"Unknown argument '{given}': did you mean '{close[0]}'?")


def check_filter_names(
    function: Callable[..., Any],
    filters: dict[str, Any],
    fields: frozenset[str] | None,
    what: str,
) -> None:
    """Fails when a free-form filter (``prompt_id=...`` of `Wait For Event`) is a misspelt
    argument of the keyword (``timout=1s``) or a name ``what`` never has (``promt_id``):
    such a filter would match nothing, or everything, silently. ``fields`` is None where
    the names are not known (a custom node's own event): then only arguments are checked."""
    names = argument_names(function)
    for given in filters:
        if fields is not None and given in fields:
            continue
        close = difflib.get_close_matches(given, names, n=1, cutoff=0.75)
        if close and (fields is None or not difflib.get_close_matches(given, fields, n=1)):
            raise ComfyError(f"Unknown argument '{given}': did you mean '{close[0]}'?")
        if fields is None:
            continue
        close = difflib.get_close_matches(given, sorted(fields), n=1, cutoff=0.6)
        hint = (
            f"did you mean '{close[0]}'?" if close else f"{what} has {', '.join(sorted(fields))}."
        )
        raise ComfyError(f"Unknown filter '{given}' for {what}: {hint}")
