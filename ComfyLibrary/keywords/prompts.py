"""Keywords that submit workflows, follow them to the end and fetch what they made."""

from __future__ import annotations

import json
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from robotlibcore import keyword

from ComfyLibrary.client.client import Completion, PromptHandle
from ComfyLibrary.errors import ComfyError
from ComfyLibrary.keywords.context import LibraryComponent


class PromptKeywords(LibraryComponent):
    """Keywords that submit prompts and follow them."""

    @keyword(tags=("Prompts",))
    def submit_workflow(self, workflow: Any, client: str | None = None, front: bool = False) -> str:
        """Queues a workflow on the server and returns its prompt id.

        ``workflow`` is a workflow loaded with `Load Workflow`, or the name or path
        of an API-format workflow file (looked up in the workflow folder). When
        the server rejects it, the keyword fails with each problem on one line,
        e.g. ``node 1 (EmptyImage) input 'width': value 0 below minimum 1``.

        Example:
        | ${prompt_id} =    Submit Workflow    empty_image_save.json
        | ${workflow} =    Load Workflow    empty_image_save
        | Set Workflow Input    ${workflow}    1.width    128
        | ${prompt_id} =    Submit Workflow    ${workflow}
        """
        prompt = self.library.as_workflow(workflow)
        alias, instance = self.library.clients.get(client)
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

    @keyword(tags=("Prompts",))
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
        result = instance.wait_for_completion(handle, seconds)
        self.library.results[handle.prompt_id] = result
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

    @keyword(tags=("Prompts",))
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
        if result is None:
            entry = instance.history(prompt_id).get(prompt_id)
            if entry is None:
                raise ComfyError(
                    f"Prompt {prompt_id} has no history entry yet: use Wait For Completion first."
                )
        else:
            entry = result.history
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
            self.link(path)
        self.info(f"Downloaded {len(files)} file(s) of prompt {prompt_id} to {folder}.")
        return files

    @keyword(tags=("Prompts",))
    def get_queue(self, client: str | None = None) -> dict[str, Any]:
        """Returns the server's queue: ``queue_running`` and ``queue_pending`` lists.

        Example:
        | ${queue} =    Get Queue
        | Length Should Be    ${queue}[queue_pending]    0
        """
        return self.library.clients.get(client)[1].queue()

    @keyword(tags=("Prompts",))
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

    def _handle(self, prompt_id: str | None) -> PromptHandle:
        prompt_id = prompt_id or self.library.last_prompt_id
        if prompt_id is None:
            raise ComfyError("No prompt to wait for: use Submit Workflow first.")
        handle = self.library.prompts.get(str(prompt_id))
        if handle is None:
            handle = PromptHandle(str(prompt_id), 0, {}, time.time(), 0)
        return handle
