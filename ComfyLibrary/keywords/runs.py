"""Keywords that run a workflow end to end and report where the time went."""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from robotlibcore import keyword

from ComfyLibrary.errors import ComfyError, WorkflowError
from ComfyLibrary.keywords.context import LibraryComponent, safe_name
from ComfyLibrary.keywords.workflow import problems_message
from ComfyLibrary.report import Phase, RunRecord
from ComfyLibrary.workflow import Workflow
from ComfyLibrary.workflow.bindings import apply
from ComfyLibrary.workflow.validate import validate_workflow


@dataclass
class RunResult:
    """What `Run Workflow` returns: ``prompt_id``, ``status``, ``outputs``, ``files``, ``timings``."""

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
        except ComfyError:
            if record.status == "started":
                record.status = "failed"
            raise
        finally:
            self.library.report.save()
            self.info(f"Run of {record.line()}")
        return RunResult(
            name, record.prompt_id, record.status, completion.outputs, files, dict(record.phases)
        )

    def _execute(self, record, prompt, name, alias, instance, validate, timeout):
        if validate:
            with record.phase("validate"):
                problems = validate_workflow(prompt, instance.object_info())
            if problems:
                record.status = "invalid"
                raise WorkflowError(problems_message(name, problems))
        handle = instance.submit(prompt)
        record.prompt_id = handle.prompt_id
        handle.client_alias = alias
        self.library.prompts[handle.prompt_id] = handle
        self.library.last_prompt_id = handle.prompt_id
        completion = instance.wait_for_completion(handle, self.seconds(timeout))
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
            self.link(path)
        return files

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
        if seconds >= limit.total_seconds():
            raise AssertionError(
                f"Phase '{phase_name}' took {self.timestr(seconds)}, not less than "
                f"{self.timestr(limit.total_seconds())}."
            )
        self.info(f"Phase '{phase_name}' took {seconds * 1000:.0f} ms.")

    @keyword("Get Run Report", tags=("Report",))
    def get_run_report(self) -> dict[str, Any]:
        """Returns the summary of every workflow run so far: runs per status and, per phase,
        count, median and maximum seconds. The full report is ``run-report.json``.

        Example:
        | ${report} =    Get Run Report
        | Should Be True    ${report}[runs] >= 1
        """
        return self.library.report.summary()
