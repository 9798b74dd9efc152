"""Keywords that submit workflows, follow them to the end and fetch what they made."""

from __future__ import annotations

import json
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from robotlibcore import keyword

from ComfyLibrary.client.client import Completion, PromptHandle
from ComfyLibrary.errors import ComfyError, WorkflowError
from ComfyLibrary.keywords.assertions import AssertionOperator, polled
from ComfyLibrary.keywords.context import LibraryComponent
from ComfyLibrary.keywords.media_log import MediaLog
from ComfyLibrary.keywords.workflow import problems_message
from ComfyLibrary.workflow.validate import validate_workflow


class PromptKeywords(LibraryComponent):
    """Keywords that submit prompts and follow them."""

    @keyword("Submit Workflow", tags=("Prompts",))
    def submit_workflow(
        self, workflow: Any, client: str | None = None, front: bool = False, validate: bool = True
    ) -> str:
        """Queues a workflow on the server and returns its prompt id.

        ``workflow`` is a workflow loaded with `Load Workflow`, or the name of a
        workflow file in the workflow folder. It is first checked against the server's
        node catalog (`Validate Workflow`; ``validate=False`` skips that), so a broken
        workflow fails here with every problem listed. When the server itself rejects
        it, the keyword fails with each problem on one line, e.g.
        ``node 1 (EmptyImage) input 'width': value 0 below minimum 1``.
        ``front=True`` puts it at the front of the queue.

        Example:
        | ${prompt_id} =    Submit Workflow    empty_image_save.json
        | ${workflow} =    Load Workflow    empty_image_save
        | Set Workflow Input    ${workflow}    1.width    ${128}
        | ${prompt_id} =    Submit Workflow    ${workflow}    validate=False
        """
        prompt = self.library.as_workflow(workflow)
        alias, instance = self.library.clients.get(client)
        if validate:
            problems = validate_workflow(prompt, instance.object_info())
            if problems:
                raise WorkflowError(
                    problems_message(self.library.workflow_name(workflow), problems)
                )
        handle = instance.submit(prompt, front=front)
        handle.client_alias = alias
        self.library.prompts[handle.prompt_id] = handle
        self.library.last_prompt_id = handle.prompt_id
        self.info(
            f"Submitted prompt {handle.prompt_id} (queue number {handle.number}) "
            f"with {len(prompt)} nodes."
        )
        if handle.node_errors:
            self.library.warn_partial(handle)
        return handle.prompt_id

    @keyword("Wait For Completion", tags=("Prompts",))
    def wait_for_completion(
        self,
        prompt_id: str | None = None,
        timeout: timedelta | None = None,
        client: str | None = None,
    ) -> Completion:
        """Waits until a prompt has finished and returns its result.

        Without ``prompt_id`` the last submitted prompt is awaited. The wait follows
        the client's WebSocket events and completes on the server's history entry;
        it checks history again after a reconnection, so a prompt that finished
        while the socket was down still completes.

        Fails with one line when the prompt errored (node id, node type and
        exception message), was interrupted, was lost by the server, or did not
        finish within ``timeout`` (saying where it was).

        The result has ``prompt_id``, ``status``, ``outputs`` (per node, as ComfyUI
        reports them), ``history``, ``execution_seconds`` and ``total_seconds``.

        Example:
        | ${prompt_id} =    Submit Workflow    empty_image_save.json
        | ${result} =    Wait For Completion    ${prompt_id}    timeout=30s
        | Should Be Equal    ${result.status}    success
        """
        handle = self._handle(prompt_id)
        _alias, instance = self.library.clients.get(client or handle.client_alias or None)
        seconds = self.seconds(timeout)
        result = self.waited(instance, handle, seconds)
        self.library.results[handle.prompt_id] = result
        if result.source == "events":
            self.warn(
                f"Prompt {handle.prompt_id} succeeded, but the server lost its history entry "
                "since (it restarted): its outputs are those its WebSocket events reported."
            )
        executed = (
            f" (executed in {result.execution_seconds * 1000:.0f} ms)"
            if result.execution_seconds is not None
            else ""
        )
        files = sum(
            len(v) for out in result.outputs.values() for v in out.values() if isinstance(v, list)
        )
        self.info(
            f"Prompt {handle.prompt_id} completed with status '{result.status}'"
            f"{executed}; {files} output item(s)."
        )
        return result

    @keyword("Download Outputs", tags=("Prompts",))
    def download_outputs(
        self,
        prompt_id: str | None = None,
        destination: Path | None = None,
        types: str = "output",
        client: str | None = None,
    ) -> list[Path]:
        """Downloads the files a finished prompt produced and returns their local paths.

        Files go under the test's output folder (``<output_dir>/<suite>/<test>/``)
        unless ``destination`` is given. ``types`` lists which of ComfyUI's folders
        to take, comma separated: ``output`` (default), ``temp`` (previews), ``input``,
        or ``all``. File names from the server are sanitised: they cannot leave the
        destination folder.

        Example:
        | ${result} =    Wait For Completion
        | ${files} =    Download Outputs
        | Image Should Be Valid    ${files}[0]
        """
        prompt_id = prompt_id or self.library.last_prompt_id
        if prompt_id is None:
            raise ComfyError("No prompt to download outputs of: use Submit Workflow first.")
        result = self.library.results.get(prompt_id)
        _alias, instance = self.library.clients.get(client)
        entry = self.finished_entry(instance, prompt_id)
        wanted = (
            tuple(t.strip() for t in types.split(","))
            if types != "all"
            else ("output", "temp", "input")
        )
        folder = destination or self.output_folder()
        files = instance.download_outputs(entry, Path(folder), wanted)
        if result is not None:
            result.files = files
        for path in files:
            MediaLog(self.library).output(path)
        self.info(f"Downloaded {len(files)} file(s) of prompt {prompt_id} to {folder}.")
        return files

    @keyword("Get Queue", tags=("Prompts",))
    def get_queue(self, client: str | None = None) -> dict[str, Any]:
        """Returns the server's queue: ``queue_running`` and ``queue_pending`` lists.

        Example:
        | ${queue} =    Get Queue
        | Length Should Be    ${queue}[queue_pending]    0
        """
        return self.library.clients.get(client)[1].queue()

    @keyword("Get Queue Length", tags=("Prompts",))
    def get_queue_length(
        self,
        assertion_operator: AssertionOperator | None = None,
        assertion_expected: Any = None,
        message: str | None = None,
        client: str | None = None,
    ) -> int:
        """Returns how many prompts the server is running or holding (ComfyUI's
        ``queue_remaining``); with an assertion operator it is checked too.

        Example:
        | ${length} =    Get Queue Length
        | Get Queue Length    ==    0
        | Get Queue Length    <=    2    message=The GPU box is backed up
        """
        instance = self.library.clients.get(client)[1]

        def read() -> int:
            queue = instance.queue()
            return len(queue.get("queue_running", [])) + len(queue.get("queue_pending", []))

        return polled(
            read, assertion_operator, assertion_expected, message, "Queue length", self.retry_for()
        )

    @keyword("Wait Until Queue Is Empty", tags=("Prompts",))
    def wait_until_queue_is_empty(
        self, timeout: timedelta | None = None, client: str | None = None
    ) -> None:
        """Waits until the server runs nothing and has nothing pending.

        A test setup that needs an idle server uses it, so a prompt left running by an
        earlier test cannot change what the test sees. Fails after ``timeout`` naming
        what is still queued.

        Example:
        | Wait Until Queue Is Empty    timeout=10s
        """
        _, instance = self.library.clients.get(client)
        deadline = time.monotonic() + self.seconds(timeout)
        delay = 0.01
        while True:
            queue = instance.queue(deadline=deadline)
            running, pending = queue.get("queue_running", []), queue.get("queue_pending", [])
            if not running and not pending:
                return
            if time.monotonic() + delay >= deadline:
                raise ComfyError(
                    f"The queue of {instance.url} was not empty after "
                    f"{self.seconds(timeout):g} seconds: {len(running)} running, "
                    f"{len(pending)} pending."
                )
            time.sleep(delay)
            delay = min(delay * 2, 0.2)

    @keyword("Get History", tags=("Prompts",))
    def get_history(
        self, prompt_id: str | None = None, max_items: int | None = None, client: str | None = None
    ) -> dict[str, Any]:
        """Returns the server's history: one prompt's entry, or all entries (``max_items`` last).

        Example:
        | ${entry} =    Get History    ${prompt_id}
        | Should Be Equal    ${entry}[status][status_str]    success
        """
        instance = self.library.clients.get(client)[1]
        if prompt_id is not None:
            entry = instance.history(prompt_id).get(prompt_id)
            if entry is None:
                raise ComfyError(f"Prompt {prompt_id} is not in the server's history.")
            self.debug(json.dumps(entry)[:2000])
            return entry
        return instance.history(max_items=max_items)

    @keyword("Upload Image", tags=("Prompts",))
    def upload_image(
        self,
        path: Path,
        name: str | None = None,
        subfolder: str = "",
        overwrite: bool = False,
        client: str | None = None,
    ) -> str:
        """Uploads an image to the server's input folder and returns the name to use in
        ``LoadImage`` (``subfolder/name`` when a subfolder is given).

        The same name with the same bytes is reused; with other bytes the server picks
        ``name (1).png`` unless ``overwrite=True``. Files over 100 MB are refused.

        Example:
        | ${name} =    Upload Image    ${CURDIR}/start.png
        | Set Workflow Parameters    ${workflow}    image=${name}
        """
        _, instance = self.library.clients.get(client)
        started = time.perf_counter()
        answer = instance.upload_image(Path(path), name, subfolder, overwrite)
        self.library.pending_upload += time.perf_counter() - started  # counted in the next run
        stored = (
            f"{answer['subfolder']}/{answer['name']}" if answer.get("subfolder") else answer["name"]
        )
        self.info(f"Uploaded {Path(path).name} as {stored}.")
        return stored

    @keyword("Interrupt Prompt", tags=("Prompts",))
    def interrupt(self, prompt_id: str | None = None, client: str | None = None):
        """Interrupts the running prompt; with ``prompt_id``, only if that prompt is running
        (ComfyUI ignores the request otherwise). It takes effect at the next node.

        Example:
        | Interrupt Prompt    ${prompt_id}
        | Run Keyword And Expect Error    *was interrupted*    Wait For Completion    ${prompt_id}
        """
        self.library.clients.get(client)[1].interrupt(prompt_id)
        self.info("Interrupt sent" + (f" for prompt {prompt_id}." if prompt_id else "."))

    @keyword("Clear Queue", tags=("Prompts",))
    def clear_queue(self, client: str | None = None):
        """Removes every pending prompt from the queue (the running one carries on).

        Example:
        | Clear Queue
        """
        self.library.clients.get(client)[1].clear_queue()
        self.info("Queue cleared.")

    @keyword("Delete From History", tags=("Prompts",))
    def delete_from_history(self, prompt_id: str | None = None, client: str | None = None):
        """Deletes one prompt from the server's history, or the whole history without
        ``prompt_id``.

        Example:
        | Delete From History    ${prompt_id}
        """
        self.library.clients.get(client)[1].delete_from_history(prompt_id)
        self.info(f"Deleted {prompt_id or 'everything'} from the history.")

    @keyword("Free Memory", tags=("Prompts",))
    def free_memory(
        self, unload_models: bool = True, free_memory: bool = True, client: str | None = None
    ):
        """Asks the server to unload its models and free memory (ComfyUI's ``POST /free``).

        With ``free_memory`` the server also forgets its cached node outputs, so the next
        prompt runs every node again, even one identical to the last; with only
        ``unload_models`` the models are loaded again when next needed. The server acts on
        it between prompts: a prompt running now finishes first.

        Example:
        | Free Memory
        | Free Memory    free_memory=False    # unload the models, keep the cache
        """
        self.library.clients.get(client)[1].free(unload_models, free_memory)
        self.info(
            "Asked the server to "
            + ("unload its models and free its memory." if free_memory else "unload its models.")
        )

    def _handle(self, prompt_id: str | None) -> PromptHandle:
        prompt_id = prompt_id or self.library.last_prompt_id
        if prompt_id is None:
            raise ComfyError("No prompt to wait for: use Submit Workflow first.")
        handle = self.library.prompts.get(str(prompt_id))
        if handle is None:
            handle = PromptHandle(str(prompt_id), 0, {}, time.time(), 0)
        return handle
