"""Keywords that connect to ComfyUI, submit workflows and follow them to the end."""

from __future__ import annotations

import json
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from robotlibcore import keyword

from ComfyLibrary.client import ComfyClient
from ComfyLibrary.client.client import Completion, PromptHandle
from ComfyLibrary.errors import ComfyError
from ComfyLibrary.keywords.context import LibraryComponent


class ClientKeywords(LibraryComponent):
    """Client keywords."""

    @keyword(tags=("Client",))
    def connect_to_comfyui(
        self,
        url: str | None = None,
        alias: str | None = None,
        client_id: str | None = None,
        timeout: timedelta | None = None,
        auto_reconnect: bool = True,
    ) -> str:
        """Connects a client to ComfyUI over HTTP and WebSocket and returns its alias.

        ``url`` defaults to the library's ``url`` import argument. The client gets
        its own ``client_id`` (random unless given), so it receives the events of the
        prompts it submits. The new client becomes the current one: keywords that
        take ``client=`` use it when none is named.

        Fails with one line when the server cannot be reached (refused, unknown
        host, timeout).

        Example:
        | ${url} =    Start Mock Server
        | Connect To ComfyUI    ${url}
        | Connect To ComfyUI    http://gpu-box:8188    alias=gpu    timeout=1 min
        """
        target = url or self.library.url
        client = ComfyClient(
            target,
            client_id=client_id,
            timeout=self.seconds(timeout),
            auto_reconnect=auto_reconnect,
        )
        try:
            stats = client.connect(self.seconds(timeout))
        except ComfyError:
            client.close()
            raise
        alias = self.library.clients.add(alias, client)
        self.library.track("client", alias)
        version = (stats.get("system") or {}).get("comfyui_version", "unknown")
        self.info(
            f"Client '{alias}' connected to ComfyUI {version} at {client.url} "
            f"(client_id {client.client_id})."
        )
        return alias

    @keyword(tags=("Client",))
    def disconnect_from_comfyui(self, client: str | None = None):
        """Closes a client: its WebSocket, its reconnection loop and its HTTP session.

        Example:
        | Disconnect From ComfyUI
        """
        alias, instance = self.library.clients.remove(client)
        instance.close()
        self.info(f"Client '{alias}' disconnected.")

    @keyword(tags=("Client",))
    def close_all_clients(self):
        """Closes every client. Safe to call at any time, e.g. in teardown.

        Example:
        | [Teardown]    Close All Clients
        """
        self.library.clients.close_all()

    @keyword(tags=("Client",))
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

    @keyword(tags=("Client",))
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

    @keyword(tags=("Client",))
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

    @keyword(tags=("Client",))
    def get_queue(self, client: str | None = None) -> dict[str, Any]:
        """Returns the server's queue: ``queue_running`` and ``queue_pending`` lists.

        Example:
        | ${queue} =    Get Queue
        | Length Should Be    ${queue}[queue_pending]    0
        """
        return self.library.clients.get(client)[1].queue()

    @keyword(tags=("Client",))
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
