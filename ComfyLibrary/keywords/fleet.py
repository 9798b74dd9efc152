"""ComfyUI servers handed out by PabotLib: under ``pabot --resourcefile servers.dat``,
each value set with ``type=comfyui`` (or the tag ``comfyui``) and a ``url`` is a server.
`Connect To ComfyUI` without a URL takes a free one and holds it alone until its client is
closed: when the test or suite that connected ends, when it is disconnected, and so when
a test fails. PabotLib's own server decides who gets what, so a server is never handed to
two processes; this module only asks it.

    [gpu-box-1]
    type=comfyui
    url=http://10.0.0.11:8188
    gpu=0
    name=A100 number one
"""

from __future__ import annotations

import contextlib
import itertools
import time
from dataclasses import dataclass
from typing import Any

from robot.libraries.BuiltIn import BuiltIn, RobotNotRunningError

from ComfyLibrary.errors import ComfyError

SERVER_TYPE = "comfyui"
POLL_SECONDS = 0.2
MAX_SETS = 256
_COUNTER = itertools.count(1)


@dataclass
class ServerLease:
    """One value set held for this process (under its own caller id in PabotLib)."""

    remote: Any
    caller_id: str
    set_name: str
    values: dict[str, Any]
    released: bool = False

    @property
    def url(self) -> str:
        return str(self.values.get("url", "")).strip()

    @property
    def token(self) -> str | None:
        return self.values.get("token") or None

    def describe(self) -> str:
        extra = [f"{k} {self.values[k]}" for k in ("name", "gpu") if self.values.get(k)]
        return f"'{self.set_name}'" + (f" ({', '.join(extra)})" if extra else "")

    def release(self) -> None:
        """Gives the server back to PabotLib (once; never fails)."""
        if self.released:
            return
        self.released = True
        with contextlib.suppress(Exception):
            self.remote.run_keyword("release_value_set", [self.caller_id], {})


def _pabotlib() -> tuple[Any, str] | None:
    """PabotLib's remote server and this process's caller id, when pabot runs us with it."""
    try:
        uri = BuiltIn().get_variable_value("${PABOTLIBURI}")
        caller = BuiltIn().get_variable_value("${CALLER_ID}")
    except RobotNotRunningError:
        return None
    if not uri or not caller:
        return None
    from robot.libraries.Remote import Remote

    return Remote(str(uri)), str(caller)


def _is_server(values: dict[str, Any] | None) -> bool:
    if not values:
        return False
    tags = values.get("tags") or []
    return str(values.get("type", "")).strip().lower() == SERVER_TYPE or SERVER_TYPE in tags


class _Attempt:
    """One try at taking a free server set from PabotLib."""

    def __init__(self, remote: Any, caller: str):
        self.remote = remote
        self.caller = caller
        self.busy = False  # some matching set was taken by someone: one may come free
        self.no_sets = False  # PabotLib has no value sets at all
        self.others_seen = False  # free sets that are not ComfyUI servers

    def _caller_id(self) -> str:
        return f"{self.caller}:comfylibrary:{next(_COUNTER)}"

    def _acquire(self, caller_id: str, *tags: str) -> tuple[str, dict] | None:
        """A set now, or None (and why, in the flags) when there is none to take."""
        try:
            name, values = self.remote.run_keyword("acquire_value_set", [caller_id, *tags], {})
        except Exception as exc:
            text = str(exc)
            if "never imported" in text or "all are disabled" in text:
                self.no_sets = True
                return None
            if "No value set matching" in text:
                return None
            raise ComfyError(f"PabotLib could not hand out a ComfyUI server: {text}") from None
        if not name:
            self.busy = True
            return None
        return name, dict(values or {})

    def take(self) -> ServerLease | None:
        caller_id = self._caller_id()
        found = self._acquire(caller_id, SERVER_TYPE)  # sets tagged comfyui
        if found is not None:
            return ServerLease(self.remote, caller_id, *found)
        return None if self.no_sets else self._scan()

    def _scan(self) -> ServerLease | None:
        """Takes free sets one by one (holding the others meanwhile) until one is a
        ComfyUI server; gives back the ones that are not."""
        held: list[str] = []
        try:
            for _ in range(MAX_SETS):
                caller_id = self._caller_id()
                found = self._acquire(caller_id)
                if found is None:
                    return None
                if _is_server(found[1]):
                    return ServerLease(self.remote, caller_id, *found)
                self.others_seen = True
                held.append(caller_id)
            return None
        finally:
            for caller_id in held:
                with contextlib.suppress(Exception):
                    self.remote.run_keyword("release_value_set", [caller_id], {})


SEEN_KEY = "comfylibrary.servers.seen"  # a PabotLib parallel value: servers exist
GIVE_UP_SECONDS = 2.0


def _servers_seen(remote: Any) -> bool:
    with contextlib.suppress(Exception):
        return bool(remote.run_keyword("get_parallel_value_for_key", [SEEN_KEY], {}))
    return False


def acquire_server(wait_seconds: float) -> ServerLease | None:
    """A ComfyUI server from PabotLib's value sets, waiting up to ``wait_seconds`` for one
    to come free; None when not under pabot or when no value set is a ComfyUI server.

    PabotLib cannot list its value sets, so "there is none" is concluded when, for a
    couple of seconds, only other kinds of sets were free and no process ever took a
    ComfyUI server (they say so in a PabotLib parallel value)."""
    found = _pabotlib()
    if found is None:
        return None
    remote, caller = found
    started = time.monotonic()
    deadline = started + wait_seconds
    while True:
        attempt = _Attempt(remote, caller)
        lease = attempt.take()
        if lease is not None:
            with contextlib.suppress(Exception):
                remote.run_keyword("set_parallel_value_for_key", [SEEN_KEY, "1"], {})
            if not lease.url:
                lease.release()
                raise ComfyError(
                    f"PabotLib's value set '{lease.set_name}' is a ComfyUI server without a "
                    "url: add url=http://host:8188 to it in the resource file."
                )
            return lease
        if attempt.no_sets or not attempt.busy:
            return None  # no ComfyUI servers in the resource file: behave as without pabot
        if (
            attempt.others_seen
            and time.monotonic() - started > GIVE_UP_SECONDS
            and not _servers_seen(remote)
        ):
            return None
        if time.monotonic() + POLL_SECONDS > deadline:
            raise ComfyError(
                f"No ComfyUI server of PabotLib's value sets came free within "
                f"{wait_seconds:g} seconds: add servers to the resource file or run fewer "
                "processes (--processes)."
            )
        time.sleep(POLL_SECONDS)
