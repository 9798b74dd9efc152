"""Keywords that change a library setting for a test, a suite or the run (`SettingScope`),
as Browser's ``Set Browser Timeout`` and ``Set Retry Assertions For`` do."""

from __future__ import annotations

from datetime import timedelta
from enum import Enum

from robotlibcore import keyword

from ComfyLibrary.errors import ComfyError
from ComfyLibrary.keywords.context import LibraryComponent
from ComfyLibrary.scopes import SettingScope


class OutputRetention(Enum):
    """Which tests keep their downloaded outputs and server logs (under ``output_dir``).

    | =Value= | =Meaning= |
    | ``ALWAYS`` | Every test keeps them (the default). |
    | ``ON_FAILURE`` | Only failed tests keep them: when a test passes, its folder of downloads and the logs of the servers it started (and stopped) are removed, so the links to them in the log lead nowhere. |
    """

    ALWAYS = "ALWAYS"
    ON_FAILURE = "ON_FAILURE"


class SettingsKeywords(LibraryComponent):
    """Scoped settings."""

    @keyword("Set ComfyUI Timeout", tags=("Settings",))
    def set_comfyui_timeout(
        self, timeout: timedelta, scope: SettingScope = SettingScope.GLOBAL
    ) -> str:
        """Sets the default timeout of every wait and returns the previous one as a Robot
        time string.

        ``scope`` says how long it holds (`SettingScope`): ``Global`` (default), ``Suite``
        or ``Test``; the previous value comes back when that scope ends. A ``timeout``
        given to a keyword still wins. See `Timeouts`.

        Example:
        | ${previous} =    Set ComfyUI Timeout    2 min    scope=Test
        | Wait For Completion    # waits up to 2 minutes
        """
        seconds = timeout.total_seconds()
        if seconds <= 0:
            raise ComfyError(f"Timeout of {seconds:g} seconds is not positive: give one like 30s.")
        previous = self.library.set_scoped("timeout", seconds, scope)
        self.info(f"ComfyUI timeout: {self.timestr(seconds)} ({scope.value} scope).")
        return self.timestr(previous)

    @keyword("Set Retry Assertions For", tags=("Settings",))
    def set_retry_assertions_for(
        self, timeout: timedelta, scope: SettingScope = SettingScope.GLOBAL
    ) -> str:
        """Sets how long getters with an assertion operator retry it before failing, and
        returns the previous value as a Robot time string.

        A getter such as `Get Queue Length`, `Get Connection State`, `Get System Stats`,
        `Get Image Info` or `Get Video Info` reads its value again until the assertion
        holds or this time has passed; the failure then names the last value read. ``0``
        checks once. The default is 1 second (or the ``retry_assertions_for`` import
        argument). ``scope`` as in `Set ComfyUI Timeout`.

        Example:
        | Set Retry Assertions For    10s    scope=Suite
        | Submit Workflow    empty_image_save.json
        | Get Queue Length    ==    0    # passes as soon as the prompt has run
        """
        seconds = max(0.0, timeout.total_seconds())
        previous = self.library.set_scoped("retry_assertions_for", seconds, scope)
        self.info(f"Assertions retried for {self.timestr(seconds)} ({scope.value} scope).")
        return self.timestr(previous)

    @keyword("Set Output Retention", tags=("Settings",))
    def set_output_retention(
        self, retention: OutputRetention, scope: SettingScope = SettingScope.GLOBAL
    ) -> str:
        """Sets which tests keep their outputs (`OutputRetention`): ``ALWAYS`` or
        ``ON_FAILURE``; returns the previous value. ``scope`` as in `Set ComfyUI Timeout`.
        The ``keep_outputs`` import argument sets it for the whole run.

        Example:
        | Set Output Retention    ON_FAILURE    scope=Suite
        """
        previous = self.library.set_scoped("keep_outputs", retention, scope)
        self.info(f"Outputs kept: {retention.value} ({scope.value} scope).")
        return previous.value
