"""ComfyClient: submit prompts, follow them to completion and download their outputs."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import websocket

from ComfyLibrary import protocol
from ComfyLibrary.client import events as ev
from ComfyLibrary.client.connection import Backoff, ConnectionState, WebSocketConnection
from ComfyLibrary.client.events import EventLog
from ComfyLibrary.client.http_api import HttpApi, normalise_url, split_credentials
from ComfyLibrary.client.resilience import CircuitBreaker, CircuitOpen
from ComfyLibrary.client.tracking import CompletionTracker
from ComfyLibrary.errors import ComfyError, ServerUnreachable, WorkflowError
from ComfyLibrary.files import write_file

MAX_UPLOAD_BYTES = 100 * 1024 * 1024  # ComfyUI's default --max-upload-size


@dataclass
class PromptHandle:
    """A submitted prompt. ``event_seq`` marks where its events start in the log."""

    prompt_id: str
    number: float
    node_errors: dict[str, Any]
    submitted_at: float
    event_seq: int
    client_alias: str = ""

    def __str__(self) -> str:
        return self.prompt_id


@dataclass
class Completion:
    """What `Wait For Completion` returns: the finished prompt's history entry and where
    its time went, read as ``${result.status}`` or ``${result}[status]``.

    | =Field= | =Meaning= |
    | ``prompt_id`` | The server's id of the prompt. |
    | ``status`` | ``success``, ``error`` or ``interrupted``. |
    | ``outputs`` | What each output node made, by node id. |
    | ``history`` | The server's whole history entry. |
    | ``queued_seconds``, ``execution_seconds``, ``total_seconds`` | Queued, running, in all. |
    | ``files`` | Files downloaded for it so far. |
    | ``source`` | ``history``, or ``events`` if the server lost its history. |
    """

    prompt_id: str
    status: str
    outputs: dict[str, Any]
    history: dict[str, Any]
    queued_seconds: float | None
    execution_seconds: float | None
    total_seconds: float
    files: list[Path] = field(default_factory=list)
    # "history" (the server's history entry) or "events" (the server lost its history
    # after the prompt succeeded; outputs are those its WebSocket events reported)
    source: str = "history"

    def __str__(self) -> str:
        return f"{self.prompt_id} ({self.status})"

    def __getitem__(self, key: str) -> Any:
        """``${result}[status]`` reads as ``${result.status}`` does."""
        try:
            return getattr(self, key)
        except AttributeError:
            raise KeyError(key) from None


class ComfyClient:
    """A client of one ComfyUI server with its own ``client_id`` and event log."""

    def __init__(
        self,
        url: str,
        client_id: str | None = None,
        timeout: float = 30.0,
        headers: dict[str, str] | None = None,
        auto_reconnect: bool = True,
        backoff: Backoff | None = None,
        ping_interval: float = 2.0,
        ping_timeout: float = 3.0,
        http_retries: int = 2,
        breaker_threshold: int = 5,
        breaker_cooldown: float = 2.0,
    ):
        # credentials in the URL become a header: the URL kept and shown has none
        url, authorization = split_credentials(normalise_url(url))
        headers = dict(headers or {})
        if authorization is not None:
            headers.setdefault("Authorization", authorization)
        self.http = HttpApi(
            url,
            timeout,
            headers,
            retries=http_retries,
            breaker=CircuitBreaker(breaker_threshold, breaker_cooldown),
        )
        self.url = self.http.base_url
        self.client_id = client_id or uuid.uuid4().hex
        self.events = EventLog()
        ws_url = "ws" + self.url[4:]
        self.connection = WebSocketConnection(
            ws_url,
            self.client_id,
            self.events,
            headers=headers,
            auto_reconnect=auto_reconnect,
            backoff=backoff,
            ping_interval=ping_interval,
            ping_timeout=ping_timeout,
        )
        self.connection.on_open = self.http.breaker.succeeded  # the server is evidently back
        self._object_info: dict[str, Any] | None = None
        self.connect_seconds: float | None = None
        self.runs = 0
        self.http.on_failure = lambda _exc: self.connection.mark_suspect()
        self.lease: Any = None  # a server lent to this client (PabotLib); closing returns it

    # Connection ------------------------------------------------------------------

    def connect(self, timeout: float | None = None) -> dict[str, Any]:
        """Checks the server over HTTP, opens the WebSocket and returns ``/system_stats``."""
        started = time.perf_counter()
        stats = self.http.get_json("/system_stats", timeout=timeout)
        self.connection.connect_timeout = timeout or self.http.timeout
        try:
            self.connection.open()
        except (OSError, websocket.WebSocketException) as exc:
            raise ServerUnreachable(
                f"ComfyUI at {self.url} answers HTTP but its WebSocket /ws failed: {exc}"
            ) from None
        self.connect_seconds = time.perf_counter() - started
        return stats

    @property
    def state(self) -> ConnectionState:
        return self.connection.state

    def reconnect(self, attempts: int = 5, delay: float = 0.5, timeout: float = 30.0) -> bool:
        return self.connection.reconnect(attempts, delay, timeout)

    def validate_connection(self, timeout: float = 5.0) -> bool:
        """True when the server answers over HTTP and the WebSocket is connected; never raises."""
        return self.check_connection(timeout)[0]

    def check_connection(self, timeout: float = 5.0) -> tuple[bool, str]:
        """Asks the server (past an open circuit breaker: a health check must not answer
        from memory) and returns whether the connection is valid, and why or why not.

        A server that answers while the WebSocket is still reconnecting is given the rest
        of ``timeout`` for the socket to come back; never raises."""
        deadline = time.monotonic() + timeout
        try:
            response = self.http.request(
                "GET", "/queue", timeout=timeout, deadline=deadline, probe=True
            )
            response.json()
        except ComfyError as exc:
            return False, str(exc)
        except ValueError:
            return False, f"GET /queue answered HTTP {response.status_code} without JSON"
        if response.status_code >= 400:
            return False, f"GET /queue answered HTTP {response.status_code}"
        connected = {ConnectionState.CONNECTED}
        left = max(0.0, deadline - time.monotonic())
        if self.connection.state not in connected and not self.connection.wait_for_state(
            connected, left
        ):
            return False, (
                f"the server answers over HTTP but the WebSocket is "
                f"{self.connection.state.value} ({self.connection.last_error or 'no error'})"
            )
        return True, "the server answers over HTTP and the WebSocket is connected"

    def close(self) -> None:
        self.connection.close()
        self.http.close()
        if self.lease is not None:
            self.lease.release()

    # Prompts ---------------------------------------------------------------------

    def submit(
        self,
        prompt: dict[str, Any],
        extra_data: dict[str, Any] | None = None,
        front: bool = False,
        prompt_id: str | None = None,
    ) -> PromptHandle:
        if not isinstance(prompt, dict) or not prompt:
            raise WorkflowError(
                "The workflow to submit is empty: load an API-format workflow first."
            )
        body: dict[str, Any] = {"prompt": prompt, "client_id": self.client_id}
        if extra_data:
            body["extra_data"] = extra_data
        if front:
            body["front"] = True
        # A prompt id chosen here (ComfyUI takes it as is) makes a resubmission after a
        # connection failure safe: the server is asked first whether it already has it.
        body["prompt_id"] = prompt_id or str(uuid.uuid4())
        seq = self.events.last_seq
        answer = self._submit_once(body)
        return PromptHandle(
            prompt_id=answer["prompt_id"],
            number=answer.get("number", 0),
            node_errors=answer.get("node_errors") or {},
            submitted_at=time.time(),
            event_seq=seq,
        )

    def _submit_once(self, body: dict[str, Any]) -> dict[str, Any]:
        """POST /prompt; after a connection failure, submits again only once the server has
        said it lacks the prompt. When it cannot say (unreachable again), it is asked again
        on the next attempt: a prompt is never submitted blind, so it never runs twice."""
        attempts = self.http.retries + 1
        failure: ServerUnreachable | None = None
        for attempt in range(1, attempts + 1):
            if failure is not None:
                time.sleep(0.05 * 2 ** (attempt - 2))
                try:
                    known = self._known_prompt(body["prompt_id"])
                except ServerUnreachable as exc:
                    if isinstance(exc, CircuitOpen):
                        raise
                    failure = exc
                    continue
                if known is not None:
                    return known
            try:
                return self.http.submit_prompt(body)
            except ServerUnreachable as exc:
                if isinstance(exc, CircuitOpen):
                    raise
                failure = exc
        assert failure is not None
        raise failure

    def _known_prompt(self, prompt_id: str) -> dict[str, Any] | None:
        """The submission answer for a prompt the server already has, or None.

        The queue is read before the history: a prompt only moves from the one to the
        other, so it cannot slip between the two reads (read the other way round, a prompt
        that finished in between is in neither, and would be submitted twice)."""
        queue = self.queue()
        for item in queue.get("queue_running", []) + queue.get("queue_pending", []):
            if len(item) > 1 and item[1] == prompt_id:
                return {"prompt_id": prompt_id, "number": item[0], "node_errors": {}}
        if self.history(prompt_id).get(prompt_id) is not None:
            return {"prompt_id": prompt_id, "number": 0, "node_errors": {}}
        return None

    def wait_for_completion(
        self,
        handle: PromptHandle | str,
        timeout: float,
        progress: Callable[[str], None] | None = None,
    ) -> Completion:
        """Waits for a prompt's end; ``progress`` is told how the wait goes (a live line)."""
        if isinstance(handle, str):
            handle = PromptHandle(handle, 0, {}, time.time(), 0)
        completion = CompletionTracker(self, handle, progress).wait(timeout)
        # the client's own note: seen even when the socket missed the server's events
        self.events.append(
            ev.COMPLETED, {"prompt_id": completion.prompt_id, "status": completion.status}, "client"
        )
        return completion

    def history(
        self,
        prompt_id: str | None = None,
        max_items: int | None = None,
        deadline: float | None = None,
    ) -> dict[str, Any]:
        if prompt_id is not None:
            return self.http.get_json(f"/history/{prompt_id}", deadline=deadline)
        params = {"max_items": max_items} if max_items is not None else None
        return self.http.get_json("/history", params=params, deadline=deadline)

    def queue(self, deadline: float | None = None) -> dict[str, Any]:
        return self.http.get_json("/queue", deadline=deadline)

    def interrupt(self, prompt_id: str | None = None) -> None:
        self.http.post_json("/interrupt", {"prompt_id": prompt_id} if prompt_id else {})

    def clear_queue(self) -> None:
        self.http.post_json("/queue", {"clear": True})

    def free(self, unload_models: bool = True, free_memory: bool = True) -> None:
        """POST /free: ComfyUI unloads its models and, with ``free_memory``, drops its cache
        of node outputs, once its worker is between prompts."""
        self.http.post_json("/free", {"unload_models": unload_models, "free_memory": free_memory})

    def delete_from_history(self, prompt_id: str | None = None) -> None:
        self.http.post_json("/history", {"delete": [prompt_id]} if prompt_id else {"clear": True})

    def object_info(self, refresh: bool = False) -> dict[str, Any]:
        """The server's node catalog (cached; models and uploads change it, so refresh then)."""
        if refresh or self._object_info is None:
            self._object_info = self.http.get_json("/object_info")
        return self._object_info

    def upload_image(
        self,
        path: Path,
        name: str | None = None,
        subfolder: str = "",
        overwrite: bool = False,
        folder_type: str = "input",
    ) -> dict[str, Any]:
        """Uploads a file with POST /upload/image; returns ``{name, subfolder, type}``."""
        if not path.is_file():
            raise WorkflowError(f"Cannot upload {path}: the file does not exist.")
        size = path.stat().st_size
        if size > MAX_UPLOAD_BYTES:
            raise WorkflowError(
                f"Cannot upload {path}: {size // 2**20} MB is over the server's "
                f"{MAX_UPLOAD_BYTES // 2**20} MB upload limit."
            )
        with path.open("rb") as handle:
            files = {"image": (name or path.name, handle, "application/octet-stream")}
            data = {
                "subfolder": subfolder,
                "type": folder_type,
                "overwrite": "true" if overwrite else "false",
            }
            response = self.http.request("POST", "/upload/image", files=files, data=data)
        if response.status_code != 200:
            raise WorkflowError(
                f"ComfyUI refused the upload of {path.name} (HTTP "
                f"{response.status_code}): check the file name and subfolder."
            )
        self._object_info = None  # LoadImage's choices changed
        return response.json()

    # Outputs ---------------------------------------------------------------------

    def download_outputs(
        self,
        history_entry: dict[str, Any],
        destination: Path,
        folder_types: tuple[str, ...] = protocol.FOLDER_TYPES,
    ) -> list[Path]:
        """Downloads every file listed in a history entry's outputs into ``destination``."""
        files = []
        for item in output_files(history_entry.get("outputs", {})):
            if item.get("type", "output") not in folder_types:
                continue
            data = self.http.download(
                item["filename"], item.get("subfolder", ""), item.get("type", "output")
            )
            target = safe_local_path(destination, item.get("subfolder", ""), item["filename"])
            files.append(write_file(target, data, "the downloaded output"))
        return files


def output_files(outputs: dict[str, Any]) -> list[dict[str, Any]]:
    """Every ``{filename, subfolder, type}`` item of a history entry's outputs, in node order."""
    found: list[dict[str, Any]] = []
    for node_output in outputs.values():
        if not isinstance(node_output, dict):
            continue
        for items in node_output.values():
            if not isinstance(items, list):
                continue
            found.extend(i for i in items if isinstance(i, dict) and "filename" in i)
    return found


def safe_local_path(root: Path, subfolder: str, filename: str) -> Path:
    """Where a server file goes under ``root``; names from the server cannot escape it."""
    parts = [p for p in str(subfolder).replace("\\", "/").split("/") if p not in ("", ".", "..")]
    name = Path(str(filename).replace("\\", "/")).name
    if name in ("", ".", ".."):
        raise ComfyError(f"The server named an output file '{filename}' that cannot be saved")
    return root.joinpath(*parts, name)
