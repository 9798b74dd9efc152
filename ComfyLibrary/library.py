"""The ComfyLibrary Robot Framework library class."""

from __future__ import annotations

import contextlib
import copy
import shutil
from datetime import timedelta
from enum import Enum
from pathlib import Path
from typing import Any

from robot.api import logger
from robot.libraries.BuiltIn import BuiltIn, RobotNotRunningError
from robotlibcore import DynamicCore

from ComfyLibrary.client.client import Completion
from ComfyLibrary.clients import ClientRegistry
from ComfyLibrary.errors import ComfyError, WorkflowError
from ComfyLibrary.keywords import (
    AudioKeywords,
    ConnectionKeywords,
    ContainerKeywords,
    ExecutionKeywords,
    FaultKeywords,
    ImageKeywords,
    NetworkKeywords,
    ProfileKeywords,
    PromptKeywords,
    RunKeywords,
    ServerKeywords,
    TestModelKeywords,
    VideoKeywords,
    WorkflowKeywords,
)
from ComfyLibrary.keywords.arguments import MisspeltNameListener
from ComfyLibrary.keywords.context import safe_name
from ComfyLibrary.keywords.diagnostics import (
    DEFAULT_RUN_ON_FAILURE,
    DiagnosticsKeywords,
    normalise_keyword,
)
from ComfyLibrary.keywords.runs import RunResult
from ComfyLibrary.keywords.settings import OutputRetention, SettingsKeywords
from ComfyLibrary.platforms import POSIX_ONLY, require_posix
from ComfyLibrary.report import RunRecord, RunReport
from ComfyLibrary.report.metrics import recoveries
from ComfyLibrary.report.provenance import server_side, version_label
from ComfyLibrary.scopes import ScopedSettings, SettingScope
from ComfyLibrary.servers import ServerRegistry
from ComfyLibrary.servers.guardian import GUARDIAN
from ComfyLibrary.servers.pabot_watch import watch_pabot_parent
from ComfyLibrary.servers.registry import dispose, kill_every_server
from ComfyLibrary.servers.zygote import ZYGOTES
from ComfyLibrary.settings import (
    DEFAULT_TIMEOUT_SECONDS,
    DEFAULT_URL,
    URL_VARIABLE,
    env,
    env_timeout_seconds,
    missing_references_fail,
)
from ComfyLibrary.shipped import workflows_folder
from ComfyLibrary.version import __version__
from ComfyLibrary.workflow import Workflow, load_workflow, resolve_workflow_path

# BuiltIn keywords inside which a failure is expected or retried, not a test's failure
EXPECTING_KEYWORDS = {
    "Run Keyword And Expect Error",
    "Run Keyword And Ignore Error",
    "Run Keyword And Return Status",
    "Run Keyword And Warn On Failure",
    "Wait Until Keyword Succeeds",
}


def _failure_is_expected() -> bool:
    """Whether the failing keyword runs inside one of ``EXPECTING_KEYWORDS`` (or a TRY):
    diagnostics are for failures, not for errors a test asks for."""
    try:
        from robot.running.context import EXECUTION_CONTEXTS

        context = EXECUTION_CONTEXTS.current
        steps = getattr(context, "steps", []) if context is not None else []
        for step in steps:  # (data, result) on Robot Framework 7.0, (data, result, ...) later
            result = step[1]
            kind = getattr(result, "type", "")
            if kind == "TRY":
                return True
            if kind != "KEYWORD":  # IF, FOR...: no owner (asking an IF's warns on Robot 7.4)
                continue
            owner = getattr(result, "owner", None) or getattr(result, "libname", None)
            if owner == "BuiltIn" and result.name in EXPECTING_KEYWORDS:
                return True
    except Exception:
        return False
    return False


def _same_run_result(value: RunResult) -> RunResult:
    return value


def _same_completion(value: Completion) -> Completion:
    return value


def _same_workflow(value: Workflow) -> Workflow:
    return value


class CleanupLevel(Enum):
    """When servers and clients started by a suite are cleaned up automatically.

    | =Level= | =Meaning= |
    | ``TEST`` | What a test starts ends with it; what a suite setup starts ends with the suite. |
    | ``SUITE`` | Everything a suite (and its tests) starts ends with the suite. |
    | ``MANUAL`` | Nothing is cleaned up before the run ends; use `Stop All Servers`. |

    Servers are always stopped when the run ends, even when Robot is killed.
    """

    TEST = "TEST"
    SUITE = "SUITE"
    MANUAL = "MANUAL"


class ComfyLibrary(DynamicCore):
    """ComfyLibrary tests systems built on [https://github.com/comfyanonymous/ComfyUI|ComfyUI].

    It starts a mock ComfyUI server (or points at a real one), connects clients
    over HTTP and WebSocket, submits workflows, waits for them, downloads their
    outputs and checks the images, videos and audio they made.

    %TOC%

    = Introduction =

    The mock server runs as its own process and answers the same routes and
    WebSocket events as ComfyUI 0.8: queue, history, validation errors, output
    files. Model-free image nodes do real pixel work; model nodes (loaders,
    samplers, decoders) are simulated, so suites run on a laptop with no GPU.
    The same suites run against a real ComfyUI by giving its URL.

    | ***** Settings *****
    | Library    ComfyLibrary
    |
    | ***** Test Cases *****
    | Generate An Image
    |     ${url} =    Start Mock Server
    |     Connect To ComfyUI    ${url}
    |     Submit Workflow    z_image_turbo_generation.json
    |     Wait For Completion    timeout=30s
    |     ${files} =    Download Outputs
    |     Image Should Be Valid    ${files}[0]    width=1024    height=784

    Workflows are looked for in the ``workflow_dir`` import argument's folder, then
    among the workflows that ship with the library (``empty_image_save``,
    ``z_image_turbo_generation``, ``ltx2_image_to_video``, ...). The shared resource
    file ships too; installed from PyPI it is used as
    ``Resource    ComfyLibrary/resources/comfy.resource``.

    = Configuration =

    Each setting is taken from the first of: the keyword's argument, the library's
    import argument, the environment, the default.

    | =Setting= | =Keyword argument= | =Import argument= | =Environment= | =Default= |
    | server URL | `Connect To ComfyUI` ``url`` | ``url`` | ``COMFYUI_URL`` | ``http://127.0.0.1:8188`` |
    | wait timeout | ``timeout`` of each wait | ``timeout`` | ``COMFYUI_TIMEOUT``, then ``TEST_TIMEOUT`` | 30 seconds |
    | bearer token | `Connect To ComfyUI` ``token`` | | ``COMFYUI_TOKEN`` | none |
    | basic auth | ``username``, ``password`` | | ``COMFYUI_USERNAME``, ``COMFYUI_PASSWORD`` | none |

    The mock's command line (``comfy-mock``) takes its port from ``COMFYUI_MOCK_PORT``
    when ``--port`` is not given.

    = Timeouts =

    Every wait takes a ``timeout`` in Robot's time format (``30s``, ``1 min 30 s``,
    ``2 minutes``); see `Configuration` for the default. A wait ends within its
    timeout even on a server that hangs: every HTTP call inside it is cut to the
    time left, and the failure says where the prompt was from what the library
    already knew. Robot's own test and keyword timeouts interrupt any wait.

    A wait reports what the server did: after a dropped connection or a restart it
    reads the server's history again once the server answers, and a prompt is
    reported lost only when the answering server has it neither queued nor in its
    history.

    = Failures and diagnostics =

    Every failure is one line naming the thing and what to do. A misspelt argument
    name fails as such (``Unknown argument 'timout': did you mean 'timeout'?``),
    wherever it stands in the call, before the keyword runs, instead of being taken
    for a value or refused as an unexpected named argument.

    When a ComfyLibrary keyword fails, the library runs `Log ComfyUI Diagnostics`:
    the last lines of each server's log, the current client's connection state, the
    server's queue and the client's last events, under the failing keyword in the
    log. `Register Keyword To Run On Failure` (or the ``run_on_failure`` import
    argument) picks another keyword, or ``NONE``. It runs once per failure, never
    recursively, and its own failure is only a warning.

    Getters take Browser-style assertions: ``Get Image Info    ${file}    width
    ==    512``, ``Get Connection State    ==    connected``, ``Get Queue Length
    ==    0``. A failed assertion names the value found.

    = Events =

    Each client records every WebSocket message of its server (``status``,
    ``execution_start``, ``executing``, ``progress``, ``executed``,
    ``execution_success``, ``execution_error``, ...) and its own connection events
    (``connected``, ``disconnected``, ``reconnecting``, ``reconnected``,
    ``reconnection_failed``). `Wait For Event`, `Event Should Have Fired`,
    `Get Events` and `Start Event Tracking` read them.

    = Faults =

    A mock server can be told to misbehave, from a suite, in one line: slow answers
    (`Set Server Latency`), refused prompts (`Fail Next Prompts`), dropped WebSockets
    (`Drop WebSocket Connections`), a hung execution (`Stall Execution`), late history
    (`Delay History Write`), a crash (`Kill Server`) with or without its queue
    (`Keep Queue On Restart`), a frozen process (`Freeze Server`). In front of any
    server, mock or real, a network proxy adds latency, drops and refusals
    (`Start Network Proxy`). A mock that listens beyond loopback takes fault
    commands only with its control token, which the library holds.

    = Parallel runs =

    Under pabot every process has its own servers on free ports and its own output
    folder. With ``pabot --resourcefile servers.dat``, each value set with
    ``type=comfyui`` and a ``url`` is a ComfyUI server: `Connect To ComfyUI` without
    a URL (and no ``url`` import argument or ``COMFYUI_URL``) takes a free one for
    the test or suite that connects, holds it alone, and gives it back when its
    client closes (at the end of that test or suite, or on `Disconnect From
    ComfyUI`). ``--shard i/N`` splits a run over machines and ``rebot`` merges the
    results; see ``docs/many-gpus.md``.

    When pabot itself is stopped (Ctrl-C, SIGTERM, even SIGKILL), its Robot
    processes stop their servers and end, and PabotLib ends too.

    = Secrets =

    Give tokens and passwords as Robot ``Secret`` values (or in the environment):
    log.html never shows them. Credentials written in a URL
    (``http://user:pass@host:8188``) are turned into a Basic authorization header
    and the URL is shown without them, in the log, in errors and in the run report.

    = Cleanup =

    The library is its own listener. Servers and clients started during a test
    are stopped when the test ends, those started in a suite setup when the suite
    ends (see `CleanupLevel`). Server processes also die with the Robot process,
    even when it is killed with SIGKILL, whichever thread started them; containers
    are removed by a guardian process then.

    = Outputs =

    Downloaded files and server logs go under ``output_dir`` (default: a
    ``comfy`` folder in Robot's output directory), organised per suite and test.
    Links in the log are relative, so they survive moving the results folder
    and pabot's merged logs.
    """

    ROBOT_LIBRARY_SCOPE = "GLOBAL"
    ROBOT_LIBRARY_VERSION = __version__
    ROBOT_LIBRARY_DOC_FORMAT = "ROBOT"
    # the result types keywords return and take back: libdoc documents them as types
    ROBOT_LIBRARY_CONVERTERS = {
        RunResult: _same_run_result,
        Completion: _same_completion,
        Workflow: _same_workflow,
    }
    ROBOT_LISTENER_API_VERSION = 2

    def __init__(
        self,
        url: str | None = None,
        timeout: timedelta | None = None,
        output_dir: str | None = None,
        workflow_dir: str | None = None,
        auto_cleanup: CleanupLevel = CleanupLevel.TEST,
        embed_media: bool = False,
        update_references: bool = False,
        run_on_failure: str | None = DEFAULT_RUN_ON_FAILURE,
        retry_assertions_for: timedelta = timedelta(seconds=1),
        keep_outputs: OutputRetention = OutputRetention.ALWAYS,
        console_progress: bool = True,
    ):
        """Library import arguments, all optional and named.

        | =Argument= | =Description= |
        | ``url`` | Default ComfyUI URL for `Connect To ComfyUI`; else ``COMFYUI_URL``, else ``http://127.0.0.1:8188``. See `Configuration`. |
        | ``timeout`` | Default timeout of every wait; else ``COMFYUI_TIMEOUT`` or ``TEST_TIMEOUT``, else 30 seconds. See `Timeouts`. |
        | ``output_dir`` | Where downloads and server logs go. See `Outputs`. |
        | ``workflow_dir`` | Folder `Load Workflow` looks in first (default ``resources/workflows`` under the working directory); the workflows shipped with the library come next. |
        | ``auto_cleanup`` | `CleanupLevel`: ``TEST`` (default), ``SUITE`` or ``MANUAL``. |
        | ``embed_media`` | Embed videos in the log instead of a poster frame and a link. |
        | ``update_references`` | Write candidates as new references instead of comparing. |
        | ``run_on_failure`` | Keyword run when a ComfyLibrary keyword fails (default `Log ComfyUI Diagnostics`; ``NONE`` for none). See `Failures and diagnostics`. |
        | ``retry_assertions_for`` | How long getters retry a failing assertion (default 1 second). See `Set Retry Assertions For`. |
        | ``keep_outputs`` | `OutputRetention`: ``ALWAYS`` (default) or ``ON_FAILURE``. See `Set Output Retention`. |
        | ``console_progress`` | While `Wait For Completion` and `Run Workflow` wait, a live line on the console says the node running, the sampler's step, the queue position and the time waited; only on a terminal. ``False`` (or ``COMFY_CONSOLE_PROGRESS=0``) turns it off. |

        Example:
        | Library    ComfyLibrary    timeout=1 min    auto_cleanup=SUITE
        """
        self.argument_typos = MisspeltNameListener(self)
        self.ROBOT_LIBRARY_LISTENER = [self, self.argument_typos]
        self.url_given = url  # None: the environment, pabot's servers or the default decide
        self.url = url or env(URL_VARIABLE) or DEFAULT_URL
        given_timeout = timeout.total_seconds() if timeout is not None else None
        self.timeout = given_timeout or env_timeout_seconds() or DEFAULT_TIMEOUT_SECONDS
        self._output_dir = Path(output_dir) if output_dir else None
        self.workflow_dir = Path(workflow_dir or "resources/workflows")
        keyword_name = normalise_keyword(run_on_failure)
        self.run_on_failure: tuple[str, tuple[Any, ...]] | None = (
            (keyword_name, ()) if keyword_name else None
        )
        self.retry_assertions_for = max(0.0, retry_assertions_for.total_seconds())
        self.keep_outputs = keep_outputs
        self.console_progress = console_progress
        self.scoped = ScopedSettings()
        self._running_on_failure = False
        self.auto_cleanup = auto_cleanup
        self.embed_media = embed_media
        self._update_references = update_references
        self.servers = ServerRegistry()
        self.clients = ClientRegistry()
        self.prompts: dict[str, Any] = {}
        self.results: dict[str, Any] = {}
        self.last_prompt_id: str | None = None
        self._scopes: list[list[tuple[str, str]]] = [[]]
        self._suite_names: list[str] = []
        self._test_name: str | None = None
        self.proxies: dict[str, Any] = {}
        self.event_marks: dict[str, int] = {}
        self._report: RunReport | None = None
        self.current_run: RunRecord | None = None
        self.pending_upload = 0.0
        self.pending_callbacks: list[tuple[str, str]] = []
        self.current_proxy: str | None = None
        watch_pabot_parent(kill_every_server)  # under pabot: nothing runs on after pabot dies
        DynamicCore.__init__(
            self,
            [
                ServerKeywords(self),
                TestModelKeywords(self),
                ContainerKeywords(self),
                FaultKeywords(self),
                NetworkKeywords(self),
                ConnectionKeywords(self),
                ProfileKeywords(self),
                PromptKeywords(self),
                ExecutionKeywords(self),
                WorkflowKeywords(self),
                RunKeywords(self),
                ImageKeywords(self),
                VideoKeywords(self),
                AudioKeywords(self),
                DiagnosticsKeywords(self),
                SettingsKeywords(self),
            ],
        )

    # Shared state and helpers used by keyword components ------------------------

    def set_scoped(self, name: str, value: Any, scope: SettingScope) -> Any:
        """Sets the setting ``name`` for ``scope``; returns its previous value."""
        previous = getattr(self, name)
        self.scoped.replaced(name, previous, scope)
        setattr(self, name, value)
        return previous

    def _restore_settings(self) -> None:
        for name, value in self.scoped.end().items():
            setattr(self, name, value)

    @property
    def log_dir(self) -> Path:
        try:
            log_file = BuiltIn().get_variable_value("${LOG FILE}")
            output = BuiltIn().get_variable_value("${OUTPUT DIR}")
        except RobotNotRunningError:
            return Path.cwd()
        if log_file and log_file != "NONE":
            return Path(log_file).parent
        return Path(output or ".")

    def output_root(self) -> Path:
        if self._output_dir is not None:
            return self._output_dir.resolve()
        try:
            output = BuiltIn().get_variable_value("${OUTPUT DIR}")
        except RobotNotRunningError:
            output = None
        return Path(output or Path.cwd()) / "comfy"

    def test_names(self) -> tuple[str, str]:
        return (self._suite_names[-1] if self._suite_names else "", self._test_name or "")

    def test_output_dir(self) -> Path:
        parts = [safe_name(n) for n in self._suite_names[-1:]]
        if self._test_name:
            parts.append(safe_name(self._test_name))
        return self.output_root().joinpath(*parts)

    @property
    def report(self) -> RunReport:
        if self._report is None:
            self._report = RunReport(self.output_root() / "run-report.json")
        return self._report

    def update_references(self) -> bool:
        """True when references are to be rewritten (import argument or a Robot variable)."""
        if self._update_references:
            return True
        try:
            value = BuiltIn().get_variable_value("${COMFY_UPDATE_REFERENCES}", False)
        except RobotNotRunningError:
            return False
        return str(value).lower() in ("true", "1", "yes")

    def missing_reference(self, path: Path, what: str) -> None:
        """Fails for a missing reference under CI (`missing_references_fail`): written there, a
        misspelt path would switch its check off for good. Elsewhere it may be written."""
        if missing_references_fail():
            raise AssertionError(
                f"{what} {path} does not exist. Under CI a missing one fails rather than being "
                "written: write it with update=True or COMFY_UPDATE_REFERENCES=1 (or "
                "COMFY_CI=0) and commit it, or correct the path."
            )

    def versioned(self, path: Path, per_version: bool, made_by: Any = None) -> Path:
        """A reference or baseline path for the ComfyUI version that made the results:
        ``{comfyui_version}`` in ``path`` is replaced by it, and ``per_version`` puts the
        file in a folder named after it (``golden/0.8.0/fox.png``)."""
        text = str(path)
        if "{comfyui_version}" not in text and not per_version:
            return Path(path)
        version = self.comfyui_version(made_by)
        if "{comfyui_version}" in text:
            return Path(text.replace("{comfyui_version}", version))
        return Path(path).parent / version / Path(path).name

    def provenance_of(self, made_by: Any = None) -> dict[str, Any]:
        """The provenance of the run that made ``made_by`` (a file or a run record), else
        that of the current client's server (empty when neither is known)."""
        record = made_by if isinstance(made_by, RunRecord) else None
        if record is None and made_by is not None and self._report is not None:
            record = self._report.run_of(made_by)
        if record is not None and record.provenance.get("comfyui_version"):
            return dict(record.provenance)
        try:
            client = self.clients.get(None)[1]
            return server_side(client.http.get_json("/system_stats"), client.url)
        except Exception:
            return {}

    def comfyui_version(self, made_by: Any = None) -> str:
        """The version label of the run that made ``made_by`` (a file or a run record), else
        of the current client's server: ``0.8.0``, or ``0.8.0-mock`` for the mock."""
        provenance = self.provenance_of(made_by)
        version = version_label(provenance) if provenance else None
        if version is None:
            try:
                stats = self.clients.get(None)[1].http.get_json("/system_stats")
                version = version_label(server_side(stats, ""))
            except Exception as exc:
                raise ComfyError(
                    f"Cannot tell which ComfyUI version made the results ({exc}): connect to "
                    "the server first, or name the version in the path."
                ) from None
        if not version:
            raise ComfyError(
                "The server does not report its ComfyUI version (system.comfyui_version of "
                "/system_stats): name the version in the path instead."
            )
        return safe_name(str(version))

    def record_validation(self, seconds: float) -> None:
        """Adds media validation time to the last workflow run, if there is one."""
        if self.current_run is not None:
            self.current_run.add("validation", seconds)
            self.report.save(self.current_run)

    def workflow_name(self, workflow: Any) -> str:
        if isinstance(workflow, Workflow):
            return workflow.name
        if isinstance(workflow, dict):
            return "workflow"
        return Path(str(workflow)).stem

    def as_workflow(self, workflow: Any) -> dict[str, Any]:
        """A workflow given as a dictionary, a file name or a path, as a fresh dictionary."""
        if isinstance(workflow, dict):
            return copy.deepcopy(workflow)
        if isinstance(workflow, str | Path):
            return load_workflow(self.find_workflow(workflow))
        raise WorkflowError(
            f"Cannot submit {type(workflow).__name__} as a workflow: give a workflow loaded with "
            "Load Workflow or the name of a workflow file."
        )

    def server_url(self) -> str:
        """The URL `Connect To ComfyUI` uses when none is given: the import argument, else
        ``COMFYUI_URL``, else the default."""
        return self.url_given or env(URL_VARIABLE) or DEFAULT_URL

    def find_workflow(self, name: str | Path) -> Path:
        """A workflow file in the workflow folder, else among the shipped workflows."""
        shipped = workflows_folder()
        extra = [] if shipped.resolve() == self.workflow_dir.resolve() else [shipped]
        return resolve_workflow_path(name, self.workflow_dir, *extra)

    def warn_partial(self, handle: Any) -> None:
        from ComfyLibrary.client.node_errors import describe_node_error

        for node_id, entry in handle.node_errors.items():
            for error in entry.get("errors", []):
                logger.warn(
                    f"Prompt {handle.prompt_id}: output dropped by the server: "
                    + describe_node_error(node_id, entry.get("class_type", "?"), error)
                )

    def track(self, kind: str, alias: str) -> None:
        """Remembers a server or client so the current test or suite cleans it up."""
        self._scopes[-1].append((kind, alias))

    def _keep_recoveries(self, aliases: list[str] | None = None) -> None:
        """Puts the drops each client lived through into the run report."""
        for alias in aliases if aliases is not None else self.clients.aliases():
            with contextlib.suppress(Exception):
                found = recoveries(self.clients.get(alias)[1].events.events())
                if found:
                    self.report.recoveries[alias] = found
                    self.report.save(runs_changed=False)

    def _cleanup(self, resources: list[tuple[str, str]]) -> None:
        self._keep_recoveries([alias for kind, alias in resources if kind == "client"])
        for kind, alias in reversed(resources):
            with contextlib.suppress(Exception):
                if kind == "client":
                    self.clients.close(alias)
                elif kind == "proxy":
                    proxy = self.proxies.pop(alias, None)
                    if proxy is not None:
                        proxy.close()
                else:
                    server = self.servers.remove(alias)
                    if server is not None:
                        dispose(server)
                logger.debug(f"Cleaned up {kind} '{alias}'.")

    def run_keyword(self, name: str, args: tuple, kwargs: dict | None = None) -> Any:
        """Runs a keyword, then any callback keyword a background event asked for."""
        try:
            typo = self.argument_typos.take_pending()
            if typo is not None:
                raise ComfyError(typo)
            if POSIX_ONLY in self.get_keyword_tags(name):
                require_posix(name)
            result = DynamicCore.run_keyword(self, name, args, kwargs)
        except Exception as exc:
            self._record_check(name, args, kwargs, False, str(exc))
            self._run_on_failure()
            raise
        else:
            passed = result.get("passed", True) if isinstance(result, dict) else True
            errors = result.get("errors") if isinstance(result, dict) else None
            self._record_check(name, args, kwargs, bool(passed), "; ".join(errors or []))
            return result
        finally:
            self._run_pending_callbacks()

    def _record_check(
        self, name: str, args: tuple, kwargs: dict | None, passed: bool, message: str
    ) -> None:
        """A media check of a file a workflow run made goes into that run's record."""
        if "Media" not in self.get_keyword_tags(name) or self._report is None:
            return
        given = args[0] if args else (kwargs or {}).get("path") or (kwargs or {}).get("first")
        if given is None:
            return
        record = self._report.run_of(given)
        if record is None:
            return
        record.validations.append(
            {"keyword": name, "file": str(given), "passed": passed, "message": message}
        )
        self._report.save(record)

    def _run_on_failure(self) -> None:
        """Runs the registered keyword once; it never fails the test, never recurses."""
        if self.run_on_failure is None or self._running_on_failure or _failure_is_expected():
            return
        keyword_name, arguments = self.run_on_failure
        self._running_on_failure = True
        try:
            BuiltIn().run_keyword(keyword_name, *arguments)
        except RobotNotRunningError:
            return
        except Exception as exc:
            logger.warn(f"Keyword '{keyword_name}', run on failure, failed too: {exc}")
        finally:
            self._running_on_failure = False

    def _run_pending_callbacks(self) -> None:
        while self.pending_callbacks:
            keyword_name, alias = self.pending_callbacks.pop(0)
            try:
                BuiltIn().run_keyword(keyword_name, alias)
            except RobotNotRunningError:
                return

    # Listener (library as its own listener) -----------------------------------

    def _start_suite(self, name: str, attrs: dict[str, Any]) -> None:
        self._suite_names.append(name)
        self._scopes.append([])
        self.scoped.start("suite")

    def _end_suite(self, name: str, attrs: dict[str, Any]) -> None:
        resources = self._scopes.pop() if len(self._scopes) > 1 else []
        if self._suite_names:
            self._suite_names.pop()
        if self.auto_cleanup is CleanupLevel.MANUAL:
            self._scopes[-1].extend(resources)
        else:
            self._cleanup(resources)
        self._restore_settings()

    def _start_test(self, name: str, attrs: dict[str, Any]) -> None:
        self._test_name = name
        self._scopes.append([])
        self.scoped.start("test")

    def _end_test(self, name: str, attrs: dict[str, Any]) -> None:
        resources = self._scopes.pop() if len(self._scopes) > 1 else []
        outputs = [self.test_output_dir()]
        if self.auto_cleanup is CleanupLevel.TEST:
            outputs += self._server_logs(resources)
        self._test_name = None
        if self.auto_cleanup is CleanupLevel.TEST:
            self._cleanup(resources)
        else:
            self._scopes[-1].extend(resources)
        if self.keep_outputs is OutputRetention.ON_FAILURE and attrs.get("status") == "PASS":
            for path in outputs:  # the test's downloads, and the logs of the servers it ran
                if path.is_dir():
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    path.unlink(missing_ok=True)
        self._restore_settings()

    def _server_logs(self, resources: list[tuple[str, str]]) -> list[Path]:
        logs = []
        for kind, alias in resources:
            with contextlib.suppress(Exception):
                if kind == "server":
                    logs.append(Path(self.servers.get(alias).log_path))
        return logs

    def _close(self) -> None:
        self._keep_recoveries()
        if self._report is not None and self._report.runs:
            for line in self._report.summary_lines():
                logger.console(line)
        self.clients.close_all()
        for proxy in self.proxies.values():
            with contextlib.suppress(Exception):
                proxy.close()
        self.servers.kill_all()
        ZYGOTES.discard()
        GUARDIAN.close()
