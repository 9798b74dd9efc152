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


def misspelt(value: Any, names: list[str]) -> tuple[str, str] | None:
    """``(given, meant)`` when ``value`` reads ``given=...`` and ``given`` is no argument name
    but close to ``meant``, one of ``names``; else None."""
    if not isinstance(value, str) or not (match := NAMED.match(value)):
        return None
    given = match.group(1)
    if given in names:
        return None
    close = difflib.get_close_matches(given, names, n=1, cutoff=0.6)
    return (given, close[0]) if close else None


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


def _dry_run() -> bool:
    """Whether Robot is dry-running: the call is only resolved there, never run, so it is
    left as written for Robot to judge."""
    from robot.running.context import EXECUTION_CONTEXTS

    current = EXECUTION_CONTEXTS.current
    return bool(current is not None and current.dry_run)


def _given_elsewhere(spec: Any, args: list, typo: int, names: list[str]) -> set[str]:
    """The arguments a call gives besides its misspelt one (at ``typo``): by name, and by
    position through the values before its first named argument."""
    given: set[str] = set()
    positional = 0
    named_seen = False
    for index, raw in enumerate(args):
        match = NAMED.match(raw) if isinstance(raw, str) else None
        if match and match.group(1) in names:
            given.add(match.group(1))
            named_seen = True
        elif index != typo and not named_seen:
            positional += 1
    given.update(list(spec.positional_or_named)[:positional])
    return given


class MisspeltNameListener:
    """Catches ``timout=30s`` before Robot resolves a keyword's arguments, wherever it stands.

    Robot takes such a value for the next positional argument (and fails converting it to
    that argument's type, before the keyword runs), or, after a named argument, calls it
    an unexpected named argument: neither message says what was meant. This listener (one
    of the library's own) sees the arguments as written. For a name close to one of the
    keyword's arguments it lets Robot resolve the call with that name put right (or left
    out, where that argument is given too), and the keyword then fails with ``Unknown
    argument 'timout': did you mean 'timeout'?`` instead of running. The call as written
    is put back when the keyword ends, so a loop meets the typo each time. A dry run
    (``robot --dryrun``) sees the call as written.
    """

    ROBOT_LISTENER_API_VERSION = 3

    def __init__(self, library: Any):
        self.library = library
        self.pending: str | None = None
        self._written: dict[int, tuple] = {}

    def start_library_keyword(self, data: Any, implementation: Any, result: Any) -> None:
        owner = getattr(implementation, "owner", None)
        if getattr(owner, "instance", None) is not self.library:
            return
        spec = implementation.args
        if spec.var_named or _dry_run():  # free-form names: the keyword checks them itself
            return
        names = list(spec.named)
        for index, raw in enumerate(data.args):
            if (typo := misspelt(raw, names)) is None:
                continue
            given, meant = typo
            self.pending = f"Unknown argument '{given}': did you mean '{meant}'?"
            self._written[id(data)] = tuple(data.args)
            args = list(data.args)
            if meant in _given_elsewhere(spec, args, index, names):
                del args[index]
            else:
                args[index] = f"{meant}={raw.split('=', 1)[1]}"
            data.args = tuple(args)
            return

    def end_library_keyword(self, data: Any, implementation: Any, result: Any) -> None:
        written = self._written.pop(id(data), None)
        if written is not None:
            data.args = written
        self.pending = None

    def take_pending(self) -> str | None:
        """The typo found for the keyword about to run, once."""
        pending, self.pending = self.pending, None
        return pending
