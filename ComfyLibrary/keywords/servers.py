"""Keywords that start, stop, crash, freeze and restart ComfyUI server processes."""

from __future__ import annotations

import os
import secrets
import shlex
import sys
import time
from datetime import timedelta
from pathlib import Path

from robotlibcore import keyword

from ComfyLibrary.errors import ComfyError, ServerStartError
from ComfyLibrary.keywords.context import LibraryComponent, safe_name
from ComfyLibrary.platforms import POSIX_ONLY
from ComfyLibrary.protocol import MOCK_CONTROL_TOKEN_ENV, is_loopback
from ComfyLibrary.servers import ServerProcess, mock_command
from ComfyLibrary.servers.custom_nodes import link_packs
from ComfyLibrary.servers.external import RunningMock
from ComfyLibrary.servers.ports import free_port
from ComfyLibrary.servers.registry import dispose

PORT_RETRIES = 3


def comfyui_venv_python(folder: Path) -> str | None:
    """The Python of a ComfyUI folder's own virtual environment (``venv/`` or ``.venv/``
    beside its ``main.py``), where it has one."""
    for name in ("venv", ".venv"):
        for python in (folder / name / "bin" / "python", folder / name / "Scripts" / "python.exe"):
            if python.is_file():
                return str(python)
    return None


class ServerKeywords(LibraryComponent):
    """Server lifecycle keywords."""

    @keyword("Start Mock Server", tags=("Servers", POSIX_ONLY))
    def start_mock_server(
        self,
        alias: str | None = None,
        port: int = 0,
        host: str = "127.0.0.1",
        step_ms: float | None = None,
        object_info: Path | None = None,
        models: Path | None = None,
        profile: Path | None = None,
        version: str | None = None,
        latency_ms: float | None = None,
        history_delay_ms: float | None = None,
        stall: bool = False,
        keep_queue_on_restart: bool = False,
        pace: str = "fast",
        output_directory: Path | None = None,
        input_directory: Path | None = None,
        ready_timeout: timedelta = timedelta(seconds=15),
        step: timedelta | None = None,
        latency: timedelta | None = None,
        history_delay: timedelta | None = None,
    ) -> str:
        """Starts the mock ComfyUI server as its own process and returns its URL.

        The mock answers the same HTTP routes and WebSocket events as ComfyUI 0.8
        and runs model-free workflows for real (see `Introduction`). The keyword
        returns once ``GET /system_stats`` answers; it never sleeps a fixed time.

        | =Argument= | =Description= |
        | ``alias`` | Name to refer to this server later. Default ``mock``, ``mock-2``, ... |
        | ``port`` | Port to listen on. ``0`` (default) picks a free port. |
        | ``host`` | Address to bind. Default loopback only. |
        | ``step`` | Simulated time per sampling step, a Robot time such as ``50 ms`` (default 2 ms). |
        | ``object_info`` | An ``/object_info`` JSON dump whose node classes are added. |
        | ``models`` | JSON file of model folder -> file names the mock pretends to have. |
        | ``version`` | The ComfyUI version to be: ``0.3.64``, ``0.3.77`` or ``0.8.0`` (default, or a profile's version): that version's node catalog, routes, history and ``/system_stats`` versions, recorded from it. |
        | ``profile`` | A profile of a team's own ComfyUI (`Capture ComfyUI Profile`): the mock serves its node catalog with its custom nodes, its model names, versions and devices. |
        | ``latency`` | Delay every HTTP answer, e.g. ``200 ms`` (see `Set Server Latency`). |
        | ``history_delay`` | Write history late, e.g. ``1 s`` (see `Delay History Write`). |
        | ``step_ms``, ``latency_ms``, ``history_delay_ms`` | The same three as numbers of milliseconds (the older spelling). |
        | ``stall`` | Start with execution stalled (see `Stall Execution`). |
        | ``keep_queue_on_restart`` | Keep queue and history across restarts (see `Keep Queue On Restart`). |
        | ``pace`` | ``fast`` (default), ``real`` (nodes take about what ComfyUI 0.8 takes on a 2-core CPU) or a number that scales ``real`` (see `Set Server Pace`). |
        | ``output_directory``, ``input_directory`` | Folders for outputs and uploads. Default: under the server's folder in the output directory. |
        | ``ready_timeout`` | How long to wait for the server to answer. |

        The server's output goes to a log file linked in the log, each line prefixed
        with ``[Server <alias>]``. It is stopped at the end of the test or suite that
        started it (see `Cleanup`).

        Example:
        | ${url} =    Start Mock Server
        | Connect To ComfyUI    ${url}
        | Start Mock Server    alias=slow    step=50 ms
        | Start Mock Server    alias=prod    profile=${CURDIR}/profiles/prod.json
        | Start Mock Server    alias=old    version=0.3.64
        """
        step_ms = _milliseconds("step", step, step_ms)
        latency_ms = _milliseconds("latency", latency, latency_ms)
        history_delay_ms = _milliseconds("history_delay", history_delay, history_delay_ms)
        alias = self.library.servers.unique_alias(alias or "mock")
        folder = self.library.output_root() / "servers" / safe_name(alias)
        options = {
            "step_ms": step_ms,
            "object_info": object_info,
            "models": models,
            "profile": profile,
            "comfyui_version": version,
            "latency_ms": latency_ms,
            "history_delay_ms": history_delay_ms,
            "stall": stall,
            "keep_queue_on_restart": keep_queue_on_restart,
            "pace": None if str(pace).strip().lower() == "fast" else pace,
            "output_directory": output_directory or folder / "output",
            "input_directory": input_directory or folder / "input",
            "temp_directory": folder / "temp",
        }
        fixed_port = port != 0
        # Beyond loopback the mock's control routes need a token; the library holds it.
        token = None if is_loopback(host) else secrets.token_urlsafe(24)
        for attempt in range(1, PORT_RETRIES + 1):
            chosen = port if fixed_port else free_port(host)
            server = ServerProcess(
                mock_command(chosen, host, options),
                chosen,
                self._log_path(alias, chosen),
                alias,
                host=host,
                # on loopback no token, even where this run's environment holds one
                env={MOCK_CONTROL_TOKEN_ENV: token or ""},
                kind="mock",
            )
            server.control_token = token
            try:
                seconds = server.start(self.seconds(ready_timeout))
                break
            except ServerStartError as exc:
                busy = "in use" in f"{exc} {' '.join(server.log_tail(20))}"
                if fixed_port or attempt == PORT_RETRIES or not busy:
                    raise
        self._register(alias, server)
        self.info(
            f"Mock server '{alias}' ready at {server.url} in {seconds * 1000:.0f} ms "
            f"(pid {server.pid})."
        )
        return server.url

    @keyword("Use Running Mock Server", tags=("Servers",))
    def use_running_mock_server(
        self, url: str, alias: str = "mock", control_token: str | None = None
    ) -> str:
        """Makes a mock server that this run did not start, serving at ``url``, the current
        server: a mock container of a compose stack, or one started by ``comfy-mock``.

        The fault keywords then work on it as on a mock of `Start Mock Server`
        (`Set Server Latency`, `Stall Execution`, `Reset Faults`, ...). Killing, stopping,
        freezing or restarting it fails in one line, since its process is not this run's.
        At the end of the test or suite that called this keyword it is forgotten, never
        stopped. ``control_token`` is the mock's control token where it listens beyond
        loopback (default: the ``COMFY_MOCK_CONTROL_TOKEN`` environment variable, which the
        compose stack gives the mock and the runner alike). Fails at once if ``url`` does not
        answer as a mock. Returns the URL.

        Faults set on a shared mock reach everyone using it: under pabot, give each process
        a mock of its own (`Start Mock Server`) rather than one ``MOCK_URL`` for all.

        Example:
        | ${url} =    Use Running Mock Server    http://mock:8188
        | Connect To ComfyUI    ${url}
        | Set Server Latency    200 ms
        """
        token = control_token or os.environ.get(MOCK_CONTROL_TOKEN_ENV) or None
        server = RunningMock(url, self.library.servers.unique_alias(alias or "mock"), token)
        server.faults()  # a mock's control routes answer, or one line says why not
        self.library.servers.add(server.name, server)
        self.library.track("server", server.name)
        self.info(f"Using the mock server at {server.url} as '{server.name}' (not started here).")
        return server.url

    @keyword("Start ComfyUI Server", tags=("Servers", POSIX_ONLY))
    def start_comfyui_server(
        self,
        path: Path | None = None,
        alias: str = "comfyui",
        port: int = 0,
        host: str = "127.0.0.1",
        args: str = "",
        command: str | None = None,
        python: str | None = None,
        env: dict[str, str] | None = None,
        ready_timeout: timedelta = timedelta(minutes=2),
        custom_nodes: list[Path] | None = None,
    ) -> str:
        """Starts a real ComfyUI (or any server that speaks its API) and returns its URL.

        Give ``path``, the ComfyUI checkout (its ``main.py`` is run with ``python``; by
        default the Python of the folder's own virtual environment, ``venv/`` or ``.venv/``
        beside ``main.py``, else the interpreter running Robot), or a full ``command`` in which
        ``{host}``, ``{port}`` and ``{python}`` are replaced. ``args`` adds arguments such as
        ``--cpu``. ``env`` adds environment variables.

        Ready means ``GET /system_stats`` answers while the process is alive; no fixed
        sleep. If the process exits first, or does not answer within
        ``ready_timeout``, the keyword fails at once with the last lines it printed.

        ``custom_nodes`` lists custom node packs (folders) to link into the folder's
        ``custom_nodes/`` for this server; the links go when the server is disposed of. A
        pack that fails to import does not stop ComfyUI: check with `Custom Nodes Should
        Load`.

        Example:
        | ${url} =    Start ComfyUI Server    /opt/ComfyUI    args=--cpu
        | Start ComfyUI Server    /opt/ComfyUI    custom_nodes=${{["${CURDIR}/packs/my_pack"]}}
        | ${url} =    Start ComfyUI Server    command=python main.py --port {port} --listen {host}
        """
        if path is None and command is None:
            raise ComfyError("Start ComfyUI Server needs the ComfyUI folder (path=) or a command=.")
        alias = self.library.servers.unique_alias(alias)
        chosen = port or free_port(host)
        if command is not None:
            argv = shlex.split(
                command.format(port=chosen, host=host, python=shlex.quote(python or sys.executable))
            )
            cwd = path
        else:
            assert path is not None
            main = Path(path) / "main.py"
            if not main.is_file():
                raise ComfyError(f"{path} is not a ComfyUI folder: it has no main.py.")
            python = python or comfyui_venv_python(Path(path))
            argv = [python or sys.executable, str(main), "--listen", host, "--port", str(chosen)]
            cwd = Path(path)
        argv += shlex.split(args)
        if custom_nodes and path is None:
            raise ComfyError("custom_nodes= needs the ComfyUI folder (path=) to link them into.")
        unlink = link_packs(Path(path), custom_nodes) if custom_nodes and path else None
        server = ServerProcess(
            argv,
            chosen,
            self._log_path(alias, chosen),
            alias,
            host=host,
            env=env,
            cwd=cwd,
            kind="comfyui",
        )
        if unlink is not None:
            server.on_dispose.append(unlink)
        self.library.track("server", alias)  # cleaned up even if a test timeout hits the wait
        self.library.servers.add(alias, server)
        try:
            seconds = server.start(self.seconds(ready_timeout))
        except BaseException:
            self.library.servers.remove(alias)
            if unlink is not None:
                unlink()
            self.link(server.log_path, f"Server log of '{alias}'")
            raise
        self.info(
            f"ComfyUI server '{alias}' ready at {server.url} in {seconds:.1f} s (pid {server.pid})."
        )
        self.link(server.log_path, f"Server log of '{alias}'")
        return server.url

    @keyword("Stop Server", tags=("Servers",))
    def stop_server(self, alias: str | None = None, timeout: timedelta = timedelta(seconds=10)):
        """Stops a server gracefully: SIGTERM, then SIGKILL if it has not ended in ``timeout``.

        Without ``alias`` the current (last started) server is stopped. Stopping a
        server that already ended is fine. The server keeps its alias and port, so
        `Restart Server` can bring it back.

        Example:
        | Stop Server    mock
        """
        server = self.library.servers.get(alias)
        graceful = server.stop(self.seconds(timeout))
        self.info(
            f"Server '{server.name}' stopped"
            + (
                "."
                if graceful
                else f" (killed: it did not end within {self.timestr(self.seconds(timeout))})."
            )
        )

    @keyword("Kill Server", tags=("Servers", POSIX_ONLY))
    def kill_server(self, alias: str | None = None):
        """Kills a server with SIGKILL, as a crash would: no clean shutdown, sockets just drop.

        Example:
        | Kill Server    mock
        | Wait For Disconnection
        """
        server = self.library.servers.get(alias)
        server.kill()
        self.info(f"Server '{server.name}' killed (pid {server.pid}).")

    @keyword("Restart Server", tags=("Servers", POSIX_ONLY))
    def restart_server(
        self,
        alias: str | None = None,
        delay: timedelta = timedelta(0),
        ready_timeout: timedelta = timedelta(seconds=30),
    ) -> str:
        """Stops the server if it runs, waits ``delay``, and starts it again on the same port.

        Returns the URL, which is unchanged. A server restarted this way has an empty
        queue and history, as ComfyUI has after a restart (unless the mock was told
        otherwise with `Keep Queue On Restart`).

        Example:
        | Kill Server    mock
        | Restart Server    mock    delay=1s
        """
        server = self.library.servers.get(alias)
        if isinstance(server, RunningMock):
            server.refuse("restarted")
        server.stop(5)
        if delay.total_seconds() > 0:
            time.sleep(delay.total_seconds())
        seconds = server.start(self.seconds(ready_timeout))
        self.info(f"Server '{server.name}' restarted at {server.url} in {seconds * 1000:.0f} ms.")
        return server.url

    @keyword("Freeze Server", tags=("Servers", POSIX_ONLY))
    def freeze_server(self, alias: str | None = None):
        """Freezes a server with SIGSTOP: its socket still accepts connections, nothing answers.

        This is a hung server: clients time out instead of being refused. `Thaw Server`
        resumes it; stopping it also resumes it first.

        Example:
        | Freeze Server    mock
        | Run Keyword And Expect Error    *timed out*    Get Queue
        | Thaw Server    mock
        """
        server = self.library.servers.get(alias)
        server.freeze()
        self.info(f"Server '{server.name}' frozen (SIGSTOP).")

    @keyword("Thaw Server", tags=("Servers", POSIX_ONLY))
    def thaw_server(self, alias: str | None = None):
        """Resumes a server frozen with `Freeze Server` (SIGCONT).

        Example:
        | Thaw Server    mock
        """
        server = self.library.servers.get(alias)
        server.thaw()
        self.info(f"Server '{server.name}' thawed (SIGCONT).")

    @keyword("Stop All Servers", tags=("Servers",))
    def stop_all_servers(self):
        """Stops every server the library started. Safe to call at any time, e.g. in teardown.

        Example:
        | [Teardown]    Stop All Servers
        """
        for alias in self.library.servers.aliases():
            server = self.library.servers.remove(alias)
            if server is not None:
                dispose(server)
                self.debug(f"Server '{alias}' stopped.")

    @keyword("Get Server URL", tags=("Servers",))
    def get_server_url(self, alias: str | None = None) -> str:
        """Returns the URL of a started server.

        Example:
        | ${url} =    Get Server Url    mock
        """
        return self.library.servers.get(alias).url

    @keyword("Get Server Log", tags=("Servers",))
    def get_server_log(self, alias: str | None = None, lines: int = 0) -> str:
        """Returns what a server printed (its log file), or only the last ``lines`` lines.

        Example:
        | ${log} =    Get Server Log    mock
        | Should Contain    ${log}    ready at
        """
        server = self.library.servers.get(alias)
        if isinstance(server, RunningMock):
            raise ComfyError(
                f"Server '{server.name}' runs outside this test run: read its log where it "
                "runs (docker compose logs mock, say)."
            )
        text = server.log_path.read_text(encoding="utf-8") if server.log_path.exists() else ""
        if lines > 0:
            text = "\n".join(text.splitlines()[-lines:])
        return text

    @keyword("Server Should Be Running", tags=("Servers",))
    def server_should_be_running(self, alias: str | None = None):
        """Fails unless the server's process is alive and answers ``GET /system_stats``.

        Example:
        | Server Should Be Running    mock
        """
        server = self.library.servers.get(alias)
        if not server.is_running():
            raise ComfyError(f"Server '{server.name}' is not running (its process has ended).")
        if server.frozen:
            raise ComfyError(f"Server '{server.name}' is frozen: use Thaw Server.")
        if not server.answers(timeout=self.seconds(None)):
            raise ComfyError(f"Server '{server.name}' is running but {server.url} does not answer.")

    @keyword("Server Should Be Stopped", tags=("Servers",))
    def server_should_be_stopped(self, alias: str | None = None):
        """Fails if the server's process is still alive.

        Example:
        | Kill Server    mock
        | Server Should Be Stopped    mock
        """
        server = self.library.servers.get(alias)
        if server.is_running():
            raise ComfyError(f"Server '{server.name}' is still running (pid {server.pid}).")

    def _register(self, alias: str, server: ServerProcess) -> None:
        self.library.servers.add(alias, server)
        self.library.track("server", alias)
        self.link(server.log_path, f"Server log of '{alias}'")

    def _log_path(self, alias: str, port: int) -> Path:
        return self.library.output_root() / "servers" / f"{safe_name(alias)}-{port}.log"


def _milliseconds(name: str, value: timedelta | None, in_ms: float | None) -> float | None:
    """A duration given as a Robot time (``name``) or in milliseconds (``name_ms``)."""
    if value is not None and in_ms is not None:
        raise ComfyError(f"Give {name} or {name}_ms, not both: {name}=50 ms says it in one.")
    return value.total_seconds() * 1000 if value is not None else in_ms
