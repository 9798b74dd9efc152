"""Settings that hold for a test, a suite or the whole run, as Browser's ``scope``
arguments do: a value set with ``scope=Test`` is put back when the test ends, with
``scope=Suite`` when the suite ends, and one set with ``scope=Global`` stays."""

from __future__ import annotations

from enum import Enum
from typing import Any


class SettingScope(Enum):
    """How long a value given to a ``Set ...`` keyword holds.

    | =Scope= | =Until= |
    | ``Global`` | the run ends, or another value is set (the default). |
    | ``Suite`` | the current suite ends, its child suites and tests included. |
    | ``Test`` | the current test ends; in a suite setup or teardown, the suite ends. |

    Example:
    | Set ComfyUI Timeout    2 min    scope=Test
    """

    GLOBAL = "Global"
    SUITE = "Suite"
    TEST = "Test"


class ScopedSettings:
    """Remembers, for each running suite and test, the values its scoped settings
    replaced, so that they are put back when it ends."""

    def __init__(self) -> None:
        self._frames: list[tuple[str, dict[str, Any]]] = []

    def start(self, kind: str) -> None:
        """A suite (``kind="suite"``) or a test (``"test"``) starts."""
        self._frames.append((kind, {}))

    def end(self) -> dict[str, Any]:
        """The innermost suite or test ends: the values to put back, by setting name."""
        return self._frames.pop()[1] if self._frames else {}

    def replaced(self, name: str, old: Any, scope: SettingScope) -> None:
        """``name`` was ``old`` before a value was set for ``scope``."""
        if scope is SettingScope.GLOBAL:
            for _, olds in self._frames:  # a global value outlives the scopes around it
                olds.pop(name, None)
            return
        frame = self._frame_for(scope)
        if frame is not None:
            frame.setdefault(name, old)  # the value from before the first change comes back

    def _frame_for(self, scope: SettingScope) -> dict[str, Any] | None:
        """The innermost frame for a test scope (a suite's, outside a test); the
        innermost suite's for a suite scope."""
        frames = (
            self._frames
            if scope is SettingScope.TEST
            else (frame for frame in self._frames if frame[0] == "suite")
        )
        return next((olds for _, olds in reversed(list(frames))), None)
