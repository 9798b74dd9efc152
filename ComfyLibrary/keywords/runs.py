"""Keywords that run a workflow end to end and report where the time went."""

from __future__ import annotations

import inspect
from collections import deque
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from robotlibcore import keyword

from ComfyLibrary.errors import ComfyError, WorkflowError
from ComfyLibrary.keywords.context import LibraryComponent, safe_name
from ComfyLibrary.keywords.media_log import MediaLog
from ComfyLibrary.keywords.workflow import problems_message
from ComfyLibrary.report import Phase, RunRecord
from ComfyLibrary.report.baseline import figures as baseline_figures
from ComfyLibrary.report.baseline import read as read_baseline
from ComfyLibrary.report.baseline import regressions
from ComfyLibrary.report.baseline import write as write_baseline
from ComfyLibrary.report.metrics import MemorySampler, node_timings, sampling_speeds, timeline_svg
from ComfyLibrary.report.provenance import client_side, one_line, server_side, workflow_sha256
from ComfyLibrary.workflow import Workflow
from ComfyLibrary.workflow.bindings import apply
from ComfyLibrary.workflow.validate import validate_workflow


@dataclass
class RunResult:
    """What `Run Workflow` and `Run Workflows` return, read as ``${result.files}`` or
    ``${result}[files]``.

    | =Field= | =Meaning= |
    | ``workflow`` | The workflow's name. |
    | ``prompt_id`` | The server's id of the prompt. |
    | ``status`` | ``success``, ``error`` or ``interrupted``. |
    | ``outputs`` | The outputs of the history entry, by node id. |
    | ``files`` | The downloaded files (paths). |
    | ``timings`` | Seconds per phase: ``connect``, ``validate``, ``upload``, ``queue_wait``, ``execution``, ``download``, ``validation``. |

    `Performance Should Not Regress` takes one as its ``run`` argument.
    """

    workflow: str
    prompt_id: str
    status: str
    outputs: dict[str, Any]
    files: list[Path] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.workflow} {self.prompt_id} ({self.status}, {len(self.files)} file(s))"

    def __getitem__(self, key: str) -> Any:
        """``${result}[files]`` reads as ``${result.files}`` does."""
        try:
            return getattr(self, key)
        except AttributeError:
            raise KeyError(key) from None


class RunKeywords(LibraryComponent):
    """Whole-run keywords and phase timings."""

    @keyword("Run Workflow", tags=("Workflow", "Prompts"))
    def run_workflow(
        self,
        workflow: Any,
        timeout: timedelta | None = None,
        validate: bool = True,
        download: bool = True,
        types: str = "output",
        client: str | None = None,
        **parameters: Any,
    ) -> RunResult:
        """Validates, submits and waits for a workflow, downloads what it made, and returns
        a result with ``prompt_id``, ``status``, ``outputs``, ``files`` and ``timings``.

        Named parameters are set through the workflow's bindings first (see
        `Set Workflow Parameters`). Each run gets a line in the log with the seconds
        spent per phase (connect, validate, upload, queue_wait, execution, download,
        validation) and is added to ``run-report.json`` in the output directory; see
        `Phase Time Should Be Less Than`. Files go to the test's output folder, under
        the workflow's name.

        Example:
        | ${result} =    Run Workflow    z_image_turbo_generation    prompt=A red fox    seed=42
        | Image Should Be Valid    ${result.files}[0]    width=1024    height=784
        """
        if not isinstance(workflow, dict):
            workflow = self.library.load_workflow(workflow)  # with its bindings
        prompt = self.library.as_workflow(workflow)
        name = self.library.workflow_name(workflow)
        record = RunRecord(name, *self.library.test_names())
        alias, instance = self.library.clients.get(client)
        self._record_provenance(record, workflow, prompt, instance)
        if instance.runs == 0 and instance.connect_seconds is not None:
            record.add("connect", instance.connect_seconds)
        instance.runs += 1
        if self.library.pending_upload:
            record.add("upload", self.library.pending_upload)
            self.library.pending_upload = 0.0
        if isinstance(workflow, Workflow):
            record.parameters = {**workflow.inputs, **workflow.parameters}
        if parameters:
            if not isinstance(workflow, Workflow):
                raise WorkflowError(
                    "Named parameters need a workflow loaded with Load Workflow "
                    "(it has the bindings)."
                )
            own = [name for name in inspect.signature(self.run_workflow).parameters][:-1]
            written = apply(prompt, workflow.bindings, parameters, keyword_arguments=own)
            record.parameters.update(written)
            self.info("Parameters: " + ", ".join(f"{k}={v}" for k, v in written.items()))
        self.library.current_run = record
        self.library.report.add(record)
        try:
            completion = self._execute(record, prompt, name, alias, instance, validate, timeout)
            files = self._download(record, completion, name, instance, types) if download else []
            record.status = completion.status
            record.files = [str(f) for f in files]
        except ComfyError as exc:
            if record.status == "started":
                record.status = "failed"
            record.errors.append(str(exc))
            raise
        finally:
            self.library.report.save(record)
            self.info(f"Run of {record.line()}")
            picture = timeline_svg(record.nodes)
            if picture:
                self.info(picture, html=True)
        return RunResult(
            name, record.prompt_id, record.status, completion.outputs, files, dict(record.phases)
        )

    def _record_provenance(
        self, record: RunRecord, workflow: Any, prompt: dict, instance: Any, log: bool = True
    ) -> None:
        """Puts the versions, devices and workflow sha256 into the run's record and, with
        ``log``, a line at the top of its log."""
        try:
            stats = _system_stats(instance)
        except Exception:  # the run itself says what is wrong with the server
            stats = None
        record.provenance = {
            **client_side(),
            **server_side(stats, instance.url),
            "workflow_sha256": workflow_sha256(workflow, prompt),
        }
        if log:
            self.info(f"Provenance: {one_line(record.provenance)}")

    def _execute(self, record, prompt, name, alias, instance, validate, timeout):
        if validate:
            with record.phase("validate"):
                problems = validate_workflow(prompt, instance.object_info())
            if problems:
                record.status = "invalid"
                raise WorkflowError(problems_message(name, problems))
        seq = instance.events.last_seq
        sampler = MemorySampler(lambda: _system_stats(instance))
        sampler.__enter__()
        try:
            handle = self._submit(instance, prompt, alias, record)
            completion = self._completed(instance, handle, record, timeout)
        finally:
            sampler.__exit__()
            record.memory = sampler.result()
            if record.prompt_id:
                events = instance.events.events(since=seq)
                record.nodes = node_timings(events, record.prompt_id, prompt)
                record.sampling = sampling_speeds(events, record.prompt_id)
        return completion

    def _submit(self, instance: Any, prompt: dict, alias: str, record: RunRecord) -> Any:
        """Submits one run's prompt; the library and the report learn its id."""
        handle = instance.submit(prompt)
        handle.client_alias = alias
        record.prompt_id = handle.prompt_id
        self.library.prompts[handle.prompt_id] = handle
        self.library.last_prompt_id = handle.prompt_id
        return handle

    def _completed(self, instance: Any, handle: Any, record: RunRecord, timeout: Any) -> Any:
        """Waits for one run's prompt and records its queue and execution seconds."""
        completion = self.waited(instance, handle, self.seconds(timeout))
        self.library.results[handle.prompt_id] = completion
        if completion.queued_seconds is not None:
            record.add("queue_wait", max(0.0, completion.queued_seconds))
        if completion.execution_seconds is not None:
            record.add("execution", completion.execution_seconds)
        return completion

    def _download(self, record, completion, name, instance, types) -> list[Path]:
        wanted = tuple(t.strip() for t in types.split(","))
        folder = self.output_folder(safe_name(name))
        with record.phase("download"):
            files = instance.download_outputs(completion.history, folder, wanted)
        completion.files = files
        for path in files:
            MediaLog(self.library).output(path)
        return files

    @keyword("Run Workflows", tags=("Workflow", "Prompts"))
    def run_workflows(
        self,
        workflow: Any,
        parameter_sets: list[dict[str, Any]],
        max_in_flight: int = 1,
        timeout: timedelta | None = None,
        validate: bool = True,
        download: bool = True,
        types: str = "output",
        fail: bool = True,
        client: str | None = None,
    ) -> list[RunResult]:
        """Runs a workflow once per parameter set, with at most ``max_in_flight`` prompts
        queued on the server at once, and returns the results in the order of the sets.

        Each set is a dictionary of the workflow's named parameters (see `Run Workflow`).
        Every run is measured and reported like a `Run Workflow` run; ``timeout`` applies
        to each prompt. When runs fail, the keyword fails after all of them have ended,
        naming each failed run; with ``fail=False`` their results say ``failed`` instead.

        Example:
        | ${sets} =    Evaluate    [{"seed": s, "prompt": "a fox"} for s in range(8)]
        | ${results} =    Run Workflows    z_image_turbo_generation    ${sets}    max_in_flight=2
        | Length Should Be    ${results}    8
        """
        if max_in_flight < 1:
            raise ComfyError(f"max_in_flight must be 1 or more, not {max_in_flight}.")
        if not isinstance(workflow, dict):
            workflow = self.library.load_workflow(workflow)
        if not isinstance(workflow, Workflow) and any(parameter_sets):
            raise WorkflowError(
                "Named parameters need a workflow loaded with Load Workflow (it has the bindings)."
            )
        alias, instance = self.library.clients.get(client)
        own = [n for n in inspect.signature(self.run_workflows).parameters]
        if not isinstance(parameter_sets, list | tuple) or not all(
            isinstance(values, dict) for values in parameter_sets
        ):
            raise ComfyError(
                "parameter_sets must be a list of dictionaries of the workflow's parameters, "
                'e.g. ${{ [{"seed": 1}, {"seed": 2}] }}.'
            )
        prepared: list[tuple[dict[str, Any], RunRecord]] = []
        for values in parameter_sets:
            prompt = self.library.as_workflow(workflow)
            record = RunRecord(self.library.workflow_name(workflow), *self.library.test_names())
            self._record_provenance(record, workflow, prompt, instance, log=not prepared)
            if isinstance(workflow, Workflow):
                record.parameters = {**workflow.inputs, **workflow.parameters}
                record.parameters.update(
                    apply(prompt, workflow.bindings, dict(values or {}), keyword_arguments=own)
                )
            prepared.append((prompt, record))
        if validate and prepared:
            for prompt, record in prepared:
                with record.phase("validate"):
                    problems = validate_workflow(prompt, instance.object_info())
                if problems:
                    raise WorkflowError(problems_message(record.workflow, problems))
        results: list[RunResult | None] = [None] * len(prepared)
        failures: list[str] = []
        in_flight: deque[tuple[int, Any, RunRecord, int]] = deque()
        sampler = MemorySampler(lambda: _system_stats(instance))

        def finish_oldest() -> None:
            item = in_flight.popleft()
            self._finish_one(item, instance, timeout, download, types, results, failures, prepared)

        with sampler:
            for index, (prompt, record) in enumerate(prepared):
                while len(in_flight) >= max_in_flight:
                    finish_oldest()
                seq = instance.events.last_seq
                handle = self._submit(instance, prompt, alias, record)
                self.library.report.add(record)
                in_flight.append((index, handle, record, seq))
            while in_flight:
                finish_oldest()
        for _prompt, record in prepared:
            record.memory = sampler.result()
        self.library.report.save()
        done = [r for r in results if r is not None]
        self.info(
            f"{len(done)} run(s) of {len(prepared)} ended, at most {max_in_flight} in flight; "
            f"{len(failures)} failed."
        )
        if failures and fail:
            raise ComfyError(
                f"{len(failures)} of {len(prepared)} runs failed: " + "; ".join(failures)
            )
        return done

    def _finish_one(self, item, instance, timeout, download, types, results, failures, prepared):
        index, handle, record, seq = item
        prompt = prepared[index][0]
        self.library.current_run = record
        try:
            completion = self._completed(instance, handle, record, timeout)
            files = (
                self._download(record, completion, record.workflow, instance, types)
                if download
                else []
            )
            record.status = completion.status
            record.files = [str(f) for f in files]
            results[index] = RunResult(
                record.workflow,
                record.prompt_id,
                record.status,
                completion.outputs,
                files,
                dict(record.phases),
            )
        except ComfyError as exc:
            record.status = "failed"
            record.errors.append(str(exc))
            failures.append(f"run {index + 1} ({handle.prompt_id}): {exc}")
            results[index] = RunResult(record.workflow, record.prompt_id, "failed", {}, [], {})
        finally:
            events = instance.events.events(since=seq)
            record.nodes = node_timings(events, record.prompt_id, prompt)
            record.sampling = sampling_speeds(events, record.prompt_id)
            self.info(f"Run {index + 1}: {record.line()}")

    @keyword("Performance Should Not Regress", tags=("Report",))
    def performance_should_not_regress(
        self,
        baseline: Path,
        tolerance: str = "10%",
        run: RunResult | None = None,
        min_difference: timedelta = timedelta(milliseconds=50),
        update: bool | None = None,
        per_version: bool = False,
    ):
        """Compares the last workflow run (or ``run``, a `Run Workflow` result) with a
        stored baseline: total and per-phase times, the times of its slowest nodes and
        its peak VRAM. Fails in one line naming every figure that grew by more than
        ``tolerance`` (``10%``, or ``0.1``); a time must also have grown by more than
        ``min_difference``, so milliseconds of noise on a fast run are not regressions.

        With ``update=True`` (or ``update_references=True``, or ``--variable
        COMFY_UPDATE_REFERENCES:true``) the baseline is written from this run. A missing
        baseline is written too, with a warning naming the file (no warning when
        ``update=True`` asked for the write), except under CI
        (``CI=true``, or ``COMFY_CI=1``), where it fails, as a missing golden image does.

        One baseline per ComfyUI version: ``per_version=True`` keeps it in a folder named
        after the version that made the run (``baselines/0.8.0/z_image.json``), and
        ``{comfyui_version}`` in the path is replaced by that version.

        Example:
        | Run Workflow    z_image_turbo_generation    seed=42
        | Performance Should Not Regress    ${CURDIR}/baselines/z_image.json    tolerance=15%
        | Performance Should Not Regress    ${CURDIR}/baselines/z_image.json    update=True
        | Performance Should Not Regress    ${CURDIR}/baselines/z_image.json    per_version=True
        """
        record = self._record_of(run)
        path = self.library.versioned(Path(baseline), per_version, record)
        fraction = _fraction(tolerance)
        asked = update is True  # written because this call says so: no surprise to warn of
        if update is None:
            update = self.library.update_references()
        if not update and not path.exists():
            self.library.missing_reference(path, "Baseline")
        if update or not path.exists():
            write_baseline(path, record)
            (self.info if asked else self.warn)(
                f"Baseline {path} written from run {record.prompt_id}: later runs are "
                "compared with it."
            )
            return
        found = regressions(
            read_baseline(path), baseline_figures(record), fraction, min_difference.total_seconds()
        )
        if found:
            raise AssertionError(
                f"Run of {record.workflow} regressed against {path.name} (tolerance "
                f"{fraction * 100:g}%): " + "; ".join(found) + "."
            )
        self.info(f"Run of {record.workflow} is within {fraction * 100:g}% of {path.name}.")

    def _record_of(self, run: RunResult | None) -> RunRecord:
        if run is not None:
            found = next(
                (r for r in reversed(self.library.report.runs) if r.prompt_id == run.prompt_id),
                None,
            )
            if found is None:
                raise ComfyError(f"Run {run.prompt_id} is not in this run's report.")
            return found
        if self.library.current_run is None:
            raise ComfyError("No workflow run yet: use Run Workflow first.")
        return self.library.current_run

    @keyword("Phase Time Should Be Less Than", tags=("Report",))
    def phase_time_should_be_less_than(
        self, phase: Phase, limit: timedelta, result: RunResult | None = None
    ):
        """Fails when a phase of the last run (or of ``result``) took ``limit`` or longer.

        ``phase`` is a `Phase`: connect, validate, upload, queue_wait, execution,
        download or validation.

        Example:
        | Run Workflow    z_image_turbo_generation
        | Phase Time Should Be Less Than    execution    2 minutes
        """
        phase_name = phase.value
        timings = (
            result.timings
            if result is not None
            else (self.library.current_run.phases if self.library.current_run else None)
        )
        if timings is None:
            raise ComfyError("No workflow run yet: use Run Workflow first.")
        if phase_name not in timings:
            raise ComfyError(
                f"The run has no '{phase_name}' phase (it has: {', '.join(timings) or 'none'})."
            )
        seconds = timings[phase_name]
        self.took_less_than(f"Phase '{phase_name}'", seconds, limit)

    @keyword("Get Run Report", tags=("Report",))
    def get_run_report(self) -> dict[str, Any]:
        """Returns the summary of every workflow run so far: runs per status and, per phase,
        count, median and maximum seconds. The full report is ``run-report.json``.

        Example:
        | ${report} =    Get Run Report
        | Should Be True    ${report}[runs] >= 1
        """
        return self.library.report.summary()


def _system_stats(instance: Any) -> dict[str, Any]:
    """A quick ``/system_stats`` read that leaves the client's breaker and retries alone."""
    answer = instance.http.session.get(f"{instance.url}/system_stats", timeout=1.0)
    return answer.json()


def _fraction(tolerance: str | float) -> float:
    """``10%``, ``10 %`` or ``0.1`` -> 0.1."""
    text = str(tolerance).strip()
    try:
        value = float(text[:-1]) / 100 if text.endswith("%") else float(text)
    except ValueError:
        raise ComfyError(f"Tolerance '{tolerance}' is not understood: give it like 10%.") from None
    if value < 0:
        raise ComfyError(f"Tolerance '{tolerance}' is negative.")
    return value
