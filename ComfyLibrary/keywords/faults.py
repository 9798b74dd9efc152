"""Keywords that inject faults into a running mock server."""

from __future__ import annotations

from datetime import timedelta
from enum import Enum
from typing import Any

from robotlibcore import keyword

from ComfyLibrary.errors import ComfyError
from ComfyLibrary.keywords.context import LibraryComponent
from ComfyLibrary.servers.mock_control import control


class FailMode(str, Enum):
    """How `Fail Next Prompts` makes prompts fail: ``http``, ``validation``,
    ``execution`` or ``crash``."""

    HTTP = "http"
    VALIDATION = "validation"
    EXECUTION = "execution"
    CRASH = "crash"


class FaultKeywords(LibraryComponent):
    """Fault injection keywords (mock servers only)."""

    def _mock(self, alias: str | None):
        server = self.library.servers.get(alias)
        # a real ComfyUI process is refused here; a container's control routes answer if it
        # runs the mock (one line says so if it does not)
        if server.kind == "comfyui":
            raise ComfyError(
                f"Server '{server.name}' is not a mock: put a network proxy in front "
                "of it (Start Network Proxy) to inject network faults."
            )
        return server

    def _control(self, alias: str | None, route: str, body: dict[str, Any] | None = None):
        server = self._mock(alias)
        state = control(server.url, route, body, token=getattr(server, "control_token", None))
        self.debug(f"Faults of '{server.name}': {state}")
        return state

    @keyword("Set Server Latency", tags=("Faults",))
    def set_server_latency(self, latency: timedelta, alias: str | None = None):
        """Delays every HTTP answer of a mock server by ``latency`` (``0`` removes it).

        Example:
        | Set Server Latency    500 ms
        """
        self._control(alias, "latency", {"ms": latency.total_seconds() * 1000})
        self.info(f"Every HTTP answer now takes {self.timestr(latency.total_seconds())} longer.")

    @keyword("Set Server Pace", tags=("Faults",))
    def set_server_pace(self, pace: str = "real", alias: str | None = None):
        """Sets how long a mock server's nodes take: ``real`` makes each node take about what
        ComfyUI 0.8 takes for it on a 2-core CPU (blurs by image size and radius, samplers
        per step by the latent's size, decoders and PNG writes by pixels, loaders); ``fast``
        (the mock's default) runs them as fast as it can; a number scales ``real``
        (``0.5`` is twice as fast).

        At ``real`` pace a test can act while a prompt runs, as against a real server: an
        interrupt lands mid-chain, a kill mid-sampling. The pace stays set across `Reset
        Faults`. `Start Mock Server` takes ``pace=`` too.

        Example:
        | Set Server Pace    real
        | Set Server Pace    0.25
        | Set Server Pace    fast
        """
        self._control(alias, "pace", {"pace": pace})
        self.info(f"Nodes now run at {pace} pace.")

    @keyword("Fail Next Prompts", tags=("Faults",))
    def fail_next_prompts(
        self,
        count: int = 1,
        mode: FailMode = FailMode.HTTP,
        status: int = 500,
        message: str = "",
        node: str | None = None,
        exception_type: str = "RuntimeError",
        alias: str | None = None,
        retry_after: timedelta | None = None,
    ):
        """Makes the next ``count`` prompts fail.

        | =Mode= | =Effect= |
        | ``http`` | POST /prompt answers HTTP ``status`` (500 gives ComfyUI's own 500 page), with a ``Retry-After`` header when ``retry_after`` is given: the client waits and asks again for 429 and for 503 with ``Retry-After``, within its timeout. |
        | ``validation`` | POST /prompt answers 400 ``invalid_prompt`` with ``message``. |
        | ``execution`` | The prompt is accepted and fails at ``node`` (an id or a class; the first node when empty) with an ``execution_error`` of ``exception_type`` and ``message``. |
        | ``crash`` | POST /prompt answers 200 with the prompt id, then the mock dies at once (SIGKILL), as a server that crashes right after it acknowledged a prompt. After `Keep Queue On Restart` the prompt is there after `Restart Server`. |

        Example:
        | Fail Next Prompts    mode=http    status=503
        | Fail Next Prompts    mode=execution    node=KSampler    message=CUDA out of memory    exception_type=torch.OutOfMemoryError
        | Fail Next Prompts    mode=crash
        | Fail Next Prompts    count=2    status=429    retry_after=500 ms
        """
        self._control(
            alias,
            "fail_prompts",
            {
                "count": count,
                "mode": mode.value,
                "status": status,
                "message": message,
                "node": node,
                "exception_type": exception_type,
                "retry_after": None if retry_after is None else retry_after.total_seconds(),
            },
        )
        self.info(f"The next {count} prompt(s) will fail ({mode.value}).")

    @keyword("Drop WebSocket Connections", tags=("Faults",))
    def drop_websocket_connections(
        self, when: str = "now", count: int = 1, alias: str | None = None
    ):
        """Cuts every WebSocket of a mock server, like a network failure (no close frame).

        ``when`` is ``now``, or a WebSocket event name: the sockets are cut just
        before that event is next sent, e.g. ``execution_start`` to drop in the middle
        of a run. ``count`` is how many times that happens.

        Example:
        | Drop WebSocket Connections
        | Drop WebSocket Connections    when=execution_start
        """
        self._control(alias, "drop_websockets", {"when": when, "count": count})
        self.info(
            "WebSockets dropped."
            if when == "now"
            else f"WebSockets will drop before the next '{when}' event."
        )

    @keyword("Stall Execution", tags=("Faults",))
    def stall_execution(self, alias: str | None = None):
        """Holds the mock's worker before its next node until `Resume Execution`.

        The running prompt stays ``running`` with its current node; an interrupt still
        ends it.

        Example:
        | Stall Execution
        | ${id} =    Submit Workflow    empty_image_save.json
        | Wait For Event    executing    prompt_id=${id}
        | Resume Execution
        """
        self._control(alias, "stall", {"stalled": True})
        self.info("Execution stalled.")

    @keyword("Resume Execution", tags=("Faults",))
    def resume_execution(self, alias: str | None = None):
        """Lets a stalled mock continue. See `Stall Execution`.

        Example:
        | Resume Execution
        """
        self._control(alias, "stall", {"stalled": False})
        self.info("Execution resumed.")

    @keyword("Delay History Write", tags=("Faults",))
    def delay_history_write(self, delay: timedelta, alias: str | None = None):
        """Writes each history entry ``delay`` after ``execution_success`` is sent.

        This reproduces the race real clients trip on: ``execution_success`` arrives,
        ``/history/{id}`` is still empty for a while.

        Example:
        | Delay History Write    1s
        """
        self._control(alias, "history_delay", {"ms": delay.total_seconds() * 1000})
        self.info(f"History is now written {self.timestr(delay.total_seconds())} late.")

    @keyword("Keep Queue On Restart", tags=("Faults",))
    def keep_queue_on_restart(self, keep: bool = True, alias: str | None = None):
        """Says whether a restarted mock keeps its queue and history (default of the
        keyword ``True``; a mock loses them unless told, as ComfyUI does). Kept, they
        survive `Restart Server`, even after a crash; ``False`` loses them again.

        Example:
        | Keep Queue On Restart
        | Kill Server
        | Restart Server
        """
        server = self._mock(alias)
        self._control(alias, "keep_queue", {"keep": keep})
        flag = "--keep-queue-on-restart"
        # the command a restarted mock process runs (a container keeps its own; a mock this run
        # did not start has none)
        command = getattr(server, "command", None) if server.kind == "mock" else None
        if command is not None and not keep and flag in command:
            command.remove(flag)
        elif command is not None and keep and flag not in command:
            command.append(flag)
        self.info(
            "Queue and history will survive a restart."
            if keep
            else "Queue and history will be lost on restart."
        )

    @keyword("Lose Queue On Restart", tags=("Faults",))
    def lose_queue_on_restart(self, lose: bool = True, alias: str | None = None):
        """*DEPRECATED: use `Keep Queue On Restart`, which reads well both ways.*

        ``Lose Queue On Restart    False`` is ``Keep Queue On Restart``; ``Lose Queue On
        Restart`` is ``Keep Queue On Restart    False``.

        Example:
        | Keep Queue On Restart    False
        """
        self.keep_queue_on_restart(not lose, alias)

    @keyword("Reset Faults", tags=("Faults",))
    def reset_faults(self, alias: str | None = None):
        """Clears every injected fault of a mock server (latency, failures, drops, stall, delay).

        Example:
        | [Teardown]    Reset Faults
        """
        self._control(alias, "faults/reset", {})
        self.info("Faults cleared.")

    @keyword("Get Server Faults", tags=("Faults",))
    def get_server_faults(self, alias: str | None = None) -> dict[str, Any]:
        """Returns the mock's current faults and counters (rejected prompts, drops, ...).

        Example:
        | ${faults} =    Get Server Faults
        | Should Be Equal As Integers    ${faults}[counters][dropped_websockets]    1
        """
        return self._control(alias, "faults")
