"""The mock's prompt worker: runs queued prompts one at a time, like ComfyUI.

It walks the graph from the output nodes, skips nodes whose inputs are unchanged
since the previous prompt (ComfyUI's cache), and emits ComfyUI's WebSocket events
in ComfyUI's order. Interrupts take effect when the next node starts or at a
progress update.
"""

from __future__ import annotations

import io
import json
import random
import string
import sys
import threading
import time
import traceback
from pathlib import Path
from typing import Any, Protocol

from ComfyLibrary import protocol
from ComfyLibrary.mock import nodes
from ComfyLibrary.mock.catalog import NodeCatalog
from ComfyLibrary.mock.faults import Faults, wait_seconds
from ComfyLibrary.mock.graph import execution_order, is_link
from ComfyLibrary.mock.nodes.typed_rule import run_typed
from ComfyLibrary.mock.pace import node_seconds, step_seconds
from ComfyLibrary.mock.prompt_queue import PromptQueue, QueueItem
from ComfyLibrary.mock.save_counters import SaveCounters, save_path
from ComfyLibrary.mock.vram import LoadedModels


class EventSink(Protocol):
    def send(self, event: str, data: dict[str, Any], sid: str | None) -> None: ...

    def send_preview(
        self, image_png: bytes, metadata: dict[str, Any], progress: dict[str, Any], sid: str | None
    ) -> None: ...


class Interrupted(Exception):
    """Raised inside a node when an interrupt was requested."""


def now_ms() -> int:
    return int(time.time() * 1000)


class Directories:
    def __init__(self, output: Path, input: Path, temp: Path):
        self.output, self.input, self.temp = output, input, temp
        self._resolved = {name: path.resolve() for name, path in self._by_type().items()}

    def _by_type(self) -> dict[str, Path]:
        return {"output": self.output, "input": self.input, "temp": self.temp}

    def by_type(self, folder_type: str) -> Path | None:
        return self._by_type().get(folder_type)

    def resolved(self, folder_type: str) -> Path | None:
        """The folder with its links resolved (resolved once: saving must not stat it)."""
        return self._resolved.get(folder_type)


class NodeContext:
    """What a node implementation may use while it runs."""

    def __init__(self, run: PromptRun, node_id: str):
        self.run = run
        self.node_id = node_id

    @property
    def prompt_id(self) -> str:
        return self.run.prompt_id

    def input_path(self, name: str) -> Path:
        base = self.run.worker.dirs.input.resolve()
        path = (base / name).resolve()
        if not path.is_relative_to(base):
            raise nodes.ExecutionFailure(f"Invalid image path: {name}", "ValueError")
        return path

    def sleep_step(self) -> None:
        worker = self.run.worker
        pace = worker.faults.state.pace
        delay = worker.step_seconds if pace is None else pace * step_seconds(self.inputs)
        if delay > 0:
            time.sleep(delay)

    @property
    def inputs(self) -> dict[str, Any]:
        return self.run.current_inputs or {}

    def progress(self, value: float, maximum: float, preview: Any = None) -> None:
        """Reports progress (``progress_state`` then ``progress``), with an optional preview image
        sent as a binary frame in the format each client negotiated."""
        self.run.check_interrupted()
        self.run.update_progress(self.node_id, value, maximum)
        data = {"value": value, "max": maximum, "prompt_id": self.prompt_id, "node": self.node_id}
        if preview is None:
            self.run.send(protocol.PROGRESS, data, broadcast=True)
            return
        buffer = io.BytesIO()
        preview.save(buffer, format="PNG", compress_level=1)
        metadata = {
            "node_id": self.node_id,
            "prompt_id": self.prompt_id,
            "display_node_id": self.node_id,
            "parent_node_id": None,
            "real_node_id": self.node_id,
            "image_type": "image/png",
        }
        self.run.worker.events.send_preview(buffer.getvalue(), metadata, data, self.run.client_id)

    def behaviour(self, class_type: str) -> dict[str, Any] | None:
        """What a profile says a custom class does (``like``, ``outputs``), if anything."""
        return self.run.worker.catalog.behaviours.get(class_type)

    def load_model(self, kind: str, name: str) -> None:
        """A loader put a model on the (simulated) device; it stays until ``/free``."""
        self.run.worker.models.load(kind, name)

    def temp_prefix(self) -> str:
        return "ComfyUI_temp_" + "".join(random.choices(string.ascii_lowercase, k=5))

    def save_path(self, prefix: str, image: Any, folder_type: str) -> tuple[Path, str, int]:
        """Folder, file stem and next counter for ``prefix``, as ComfyUI numbers saved files."""
        base = self.run.worker.dirs.resolved(folder_type)
        assert base is not None
        width, height = (image.width, image.height) if image is not None else (0, 0)
        return save_path(base, prefix, width, height, self.run.worker.save_counters)

    def file_entry(self, folder: Path, filename: str, folder_type: str) -> dict[str, str]:
        """The ``{filename, subfolder, type}`` item ComfyUI reports for a saved file."""
        base = self.run.worker.dirs.resolved(folder_type)
        assert base is not None
        self.run.worker.save_counters.saved(folder, filename)
        relative = folder.relative_to(base).as_posix()
        return {
            "filename": filename,
            "subfolder": "" if relative == "." else relative,
            "type": folder_type,
        }

    def save_images(self, images: list[Any], prefix: str, folder_type: str) -> list[dict[str, str]]:
        """Saves PNGs as ComfyUI names them, at zlib level 1 where ComfyUI uses 4: the same
        pixels and metadata in a file about a fifth larger, written twice as fast."""
        folder, name, counter = self.save_path(prefix, images[0] if images else None, folder_type)
        results = []
        for index, image in enumerate(images):
            filename = f"{name}_{counter + index:05}_.png"
            encoded = io.BytesIO()  # encoded in memory, written with one call
            image.save(encoded, format="PNG", compress_level=1, pnginfo=self.run.png_metadata())
            (folder / filename).write_bytes(encoded.getbuffer())
            results.append(self.file_entry(folder, filename, folder_type))
        return results


def _format_value(value: Any) -> Any:
    """A value as 0.8 reports it in ``current_inputs``: JSON scalars as they are, the rest
    as their string form."""
    if value is None or isinstance(value, int | float | bool | str):
        return value
    return str(value)


def signature(prompt: dict[str, Any], node_id: str, inputs_dir: Path, memo: dict[str, Any]) -> Any:
    """A hashable description of a node and everything it depends on (ComfyUI's cache key)."""
    if node_id in memo:
        return memo[node_id]
    node = prompt[node_id]
    parts = [node["class_type"]]
    for name in sorted(node.get("inputs", {})):
        value = node["inputs"][name]
        if is_link(value) and str(value[0]) in prompt:
            parts.append((name, signature(prompt, str(value[0]), inputs_dir, memo), value[1]))
        else:
            parts.append((name, json.dumps(value, sort_keys=True, default=str)))
    if node["class_type"] in ("LoadImage", "LoadImageMask"):
        path = inputs_dir / str(node["inputs"].get("image", ""))
        stat = path.stat() if path.is_file() else None
        parts.append(("file", stat.st_mtime_ns if stat else None, stat.st_size if stat else None))
    memo[node_id] = result = tuple(parts)
    return result


class PromptRun:
    """The execution of one queued prompt."""

    def __init__(self, worker: PromptWorker, item: QueueItem):
        self.worker = worker
        self.number, self.prompt_id, self.prompt, self.extra_data, self.outputs = item
        self.client_id = self.extra_data.get("client_id")
        self.messages: list[tuple[str, dict[str, Any]]] = []
        self.progress_nodes: dict[str, dict[str, Any]] = {}
        self.results: dict[str, tuple[Any, ...]] = {}
        self.ui_outputs: dict[str, Any] = {}
        self.executed: list[str] = []
        self.signatures: dict[str, Any] = {}
        self.injected_failure = worker.faults.take_execution_failure()
        self._png_metadata: Any = None

    def send(self, event: str, data: dict[str, Any], broadcast: bool = False) -> None:
        if self.client_id is not None or broadcast:
            self.worker.events.send(event, data, self.client_id)

    def add_message(self, event: str, data: dict[str, Any], broadcast: bool = False) -> None:
        self.messages.append((event, data))
        self.send(event, data, broadcast)

    def check_interrupted(self) -> None:
        if self.worker.interrupt_requested.is_set():
            self.worker.interrupt_requested.clear()
            raise Interrupted

    def update_progress(self, node_id: str, value: float, maximum: float, state: str = "running"):
        self.progress_nodes[node_id] = {
            "value": value,
            "max": maximum,
            "state": state,
            "node_id": node_id,
            "prompt_id": self.prompt_id,
            "display_node_id": node_id,
            "parent_node_id": None,
            "real_node_id": node_id,
        }
        self.send(
            protocol.PROGRESS_STATE,
            {
                "prompt_id": self.prompt_id,
                "nodes": {k: dict(v) for k, v in self.progress_nodes.items()},
            },
            broadcast=True,
        )

    def png_metadata(self) -> Any:
        if self._png_metadata is None:
            self._png_metadata = self._make_png_metadata()
        return self._png_metadata

    def _make_png_metadata(self) -> Any:
        from PIL.PngImagePlugin import PngInfo

        info = PngInfo()
        info.add_text("prompt", json.dumps(self.prompt))
        for key, value in (self.extra_data.get("extra_pnginfo") or {}).items():
            info.add_text(key, json.dumps(value))
        return info

    def execute(self) -> dict[str, Any]:
        worker = self.worker
        worker.interrupt_requested.clear()
        self.add_message(
            protocol.EXECUTION_START, {"prompt_id": self.prompt_id, "timestamp": now_ms()}
        )
        memo: dict[str, Any] = {}
        self.signatures = signatures = {
            nid: signature(self.prompt, nid, worker.dirs.input, memo) for nid in self.prompt
        }
        cached = [nid for nid, sig in signatures.items() if sig in worker.cache]
        self.add_message(
            protocol.EXECUTION_CACHED,
            {
                "nodes": cached,
                "prompt_id": self.prompt_id,
                "timestamp": now_ms(),
            },
        )
        order = execution_order(
            self.prompt,
            self.outputs,
            set(cached),
            lambda nid: worker.catalog.is_output_node(self.prompt[nid]["class_type"]),
        )
        status = "success"
        try:
            for node_id in order:
                self._run_node(node_id, signatures[node_id])
        except Interrupted:
            status = "error"
            node_id = self.current_node
            self.add_message(
                protocol.EXECUTION_INTERRUPTED,
                {
                    "prompt_id": self.prompt_id,
                    "node_id": node_id,
                    "node_type": self.prompt[node_id]["class_type"],
                    "executed": list(self.executed),
                    "timestamp": now_ms(),
                },
                broadcast=True,
            )
        except Exception as exc:
            status = "error"
            self._report_error(self.current_node, exc)
        else:
            self.add_message(
                protocol.EXECUTION_SUCCESS,
                {
                    "prompt_id": self.prompt_id,
                    "timestamp": now_ms(),
                },
            )
        worker.prune_cache(set(signatures.values()))
        return {
            "prompt": [self.number, self.prompt_id, self.prompt, self.extra_data, self.outputs],
            "outputs": self.ui_outputs,
            "status": {
                "status_str": status,
                "completed": status == "success",
                "messages": self.messages,
            },
            "meta": {
                node_id: {
                    "node_id": node_id,
                    "display_node": node_id,
                    "parent_node": None,
                    "real_node_id": node_id,
                }
                for node_id in self.ui_outputs
            },
        }

    current_node: str = ""
    current_inputs: dict[str, Any] | None = None  # the running node's resolved inputs

    def _report_error(self, node_id: str, exc: Exception) -> None:
        if isinstance(exc, nodes.ExecutionFailure):
            message, kind, tb = exc.message, exc.exception_type, exc.traceback
        else:
            message = f"{exc}\n"
            kind = f"{type(exc).__module__}.{type(exc).__name__}".removeprefix("builtins.")
            tb = traceback.format_tb(exc.__traceback__)
        if self.current_inputs is not None:  # as 0.8: every input, linked ones resolved
            current = {k: [_format_value(v)] for k, v in self.current_inputs.items()}
        else:
            literal = self.prompt[node_id].get("inputs", {})
            current = {k: [v] for k, v in literal.items() if not isinstance(v, list)}
        self.add_message(
            protocol.EXECUTION_ERROR,
            {
                "prompt_id": self.prompt_id,
                "node_id": node_id,
                "node_type": self.prompt[node_id]["class_type"],
                "executed": list(self.executed),
                "exception_message": message,
                "exception_type": kind,
                "traceback": tb,
                "current_inputs": current,
                "current_outputs": list(self.prompt),
                "timestamp": now_ms(),
            },
        )

    def _run_node(self, node_id: str, sig: Any) -> None:
        worker = self.worker
        self.current_node = node_id
        class_type = self.prompt[node_id]["class_type"]
        if sig in worker.cache:
            self._finish_node(node_id, *worker.cache[sig])
            return
        self.update_progress(node_id, 0.0, 1.0)
        self.send(
            protocol.EXECUTING,
            {
                "node": node_id,
                "display_node": node_id,
                "prompt_id": self.prompt_id,
            },
        )
        worker.current = (self.client_id, node_id)
        self.check_interrupted()
        self.current_inputs = None
        worker.faults_before_node(self, node_id)
        inputs = self._resolve_inputs(node_id)
        self.current_inputs = inputs
        function = nodes.implementation(class_type)
        started = time.monotonic()
        if function is None:
            definition = worker.catalog.definition(class_type)
            result: Any = run_typed(NodeContext(self, node_id), class_type, definition, inputs)
        else:
            result = function(NodeContext(self, node_id), **inputs)
        pace = worker.faults.state.pace
        if pace is not None:  # the rest of what the node takes on 0.8 (not interruptible there)
            left = pace * node_seconds(class_type, inputs) - (time.monotonic() - started)
            if left > 0:
                time.sleep(left)
        if isinstance(result, nodes.NodeResult):
            outputs, ui = result.outputs, result.ui
        else:
            outputs, ui = tuple(result), None
        worker.cache[sig] = (outputs, ui)
        self.executed.append(node_id)
        self._finish_node(node_id, outputs, ui)

    def _finish_node(self, node_id: str, outputs: tuple[Any, ...], ui: Any) -> None:
        """Keeps a node's outputs, reports its UI output (``executed``) and marks it finished;
        for a cached node this replays what it reported when it ran."""
        self.results[node_id] = outputs
        if ui:
            self.ui_outputs[node_id] = ui
            self.send(
                protocol.EXECUTED,
                {
                    "node": node_id,
                    "display_node": node_id,
                    "output": ui,
                    "prompt_id": self.prompt_id,
                },
            )
        self.update_progress(node_id, 1.0, 1.0, "finished")

    def _resolve_inputs(self, node_id: str) -> dict[str, Any]:
        resolved = {}
        for name, value in self.prompt[node_id].get("inputs", {}).items():
            if is_link(value):
                source_id = str(value[0])
                if source_id not in self.results:  # cached upstream node: not re-run
                    self.results[source_id] = self.worker.cache[self.signatures[source_id]][0]
                source = self.results[source_id]
                resolved[name] = source[value[1]] if value[1] < len(source) else None
            elif isinstance(value, dict) and "__value__" in value:
                resolved[name] = value["__value__"]
            else:
                resolved[name] = value
        return resolved


class PromptWorker:
    """The single worker thread that executes the queue."""

    def __init__(
        self,
        queue: PromptQueue,
        catalog: NodeCatalog,
        events: EventSink,
        dirs: Directories,
        step_ms: float,
        faults: Faults | None = None,
    ):
        self.faults = faults or Faults()
        self.queue = queue
        self.catalog = catalog
        self.events = events
        self.dirs = dirs
        self.step_seconds = step_ms / 1000.0
        self.cache: dict[Any, tuple[tuple[Any, ...], Any]] = {}
        self.models = LoadedModels()  # simulated VRAM of the models loaded so far
        self.save_counters = SaveCounters()
        self.interrupt_requested = threading.Event()
        self.current: tuple[str | None, str] | None = None
        self.running_prompt_id: str | None = None
        self._free_requests: list[tuple[bool, bool]] = []  # (unload models, drop the cache)
        # why the worker thread ended, when it did: every route that needs it says so
        self.stopped_because: str | None = None
        self._thread = threading.Thread(target=self._run, name="prompt-worker", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.queue.close()

    def interrupt(self, prompt_id: str | None = None) -> None:
        if prompt_id is not None and prompt_id != self.running_prompt_id:
            return
        self.interrupt_requested.set()

    def request_free(self, unload_models: bool, free_memory: bool) -> None:
        """``POST /free``: acted on between prompts, as ComfyUI's worker reads its flags."""
        self._free_requests.append((unload_models, free_memory))
        self.queue.wake()

    def _apply_free_requests(self) -> None:
        while self._free_requests:
            unload_models, free_memory = self._free_requests.pop(0)
            if free_memory:
                self.cache.clear()
            if unload_models:
                self.models.unload_all()

    def prune_cache(self, keep: set[Any]) -> None:
        for key in [k for k in self.cache if k not in keep]:
            del self.cache[key]

    def faults_before_node(self, run: PromptRun, node_id: str) -> None:
        """Holds while execution is stalled, and fails the node an injected fault names."""
        self.faults.wait_while_stalled(self.interrupt_requested)
        run.check_interrupted()
        failure = run.injected_failure
        class_type = run.prompt[node_id]["class_type"]
        if failure is not None and failure.node in (None, "any", node_id, class_type):
            run.injected_failure = None
            raise nodes.ExecutionFailure(
                (failure.message or "Injected execution failure") + "\n", failure.exception_type
            )

    def _run(self) -> None:
        try:
            self._loop()
        except BaseException as exc:  # the worker must never end in silence
            self.stopped_because = f"{type(exc).__name__}: {exc}".rstrip(": ")
            print(
                f"comfy-mock: the prompt worker stopped ({self.stopped_because}); queued "
                "prompts will not run",
                file=sys.stderr,
                flush=True,
            )

    def alive(self) -> bool:
        return self.stopped_because is None and (self._thread.is_alive() or not self._thread.ident)

    def _loop(self) -> None:
        try:  # import Pillow and the nodes after the ready line
            nodes.implementation("SaveImage")
        except Exception:  # a missing package: each prompt fails with it, none hangs
            traceback.print_exc()
        while True:
            self._apply_free_requests()
            task = self.queue.get(timeout=1.0)
            if task is None:
                if self.queue.closed:
                    return
                continue
            self._apply_free_requests()
            task_id, item = task
            if self.faults.take_worker_kill():
                raise RuntimeError("killed on purpose through the control route")
            try:
                run = PromptRun(self, item)
                self.running_prompt_id = run.prompt_id
                entry = run.execute()
            except Exception as exc:  # a prompt the mock cannot run fails; the worker goes on
                run, entry = None, failed_entry(item, exc)
            finally:
                self.current = None
                self.running_prompt_id = None
            wait_seconds(self.faults.history_delay())
            self.queue.task_done(task_id, entry)
            client_id = run.client_id if run is not None else _client_of(item)
            if client_id is not None:
                prompt_id = entry["prompt"][1]
                if run is None:
                    self.events.send(
                        protocol.EXECUTION_ERROR, entry["status"]["messages"][-1][1], client_id
                    )
                self.events.send(
                    protocol.EXECUTING, {"node": None, "prompt_id": prompt_id}, client_id
                )


def _client_of(item: Any) -> str | None:
    extra = item[3] if isinstance(item, tuple | list) and len(item) > 3 else None
    client = extra.get("client_id") if isinstance(extra, dict) else None
    return client if isinstance(client, str) else None


def failed_entry(item: Any, exc: Exception) -> dict[str, Any]:
    """The history entry of a queued prompt the mock could not run at all (its shape or a
    class it does not know): failed with ComfyUI's ``execution_error`` fields."""
    fields = list(item) if isinstance(item, tuple | list) else []
    number, prompt_id, prompt, extra, outputs = (fields + [None] * 5)[:5]
    prompt = prompt if isinstance(prompt, dict) else {}
    error = {
        "prompt_id": str(prompt_id),
        "node_id": "",
        "node_type": "",
        "executed": [],
        "exception_message": f"The mock cannot run this prompt: {type(exc).__name__}: {exc}\n",
        "exception_type": f"{type(exc).__module__}.{type(exc).__name__}".removeprefix("builtins."),
        "traceback": traceback.format_tb(exc.__traceback__),
        "current_inputs": {},
        "current_outputs": list(prompt),
        "timestamp": now_ms(),
    }
    start = {"prompt_id": str(prompt_id), "timestamp": error["timestamp"]}
    return {
        "prompt": [
            number,
            str(prompt_id),
            prompt,
            extra if isinstance(extra, dict) else {},
            outputs or [],
        ],
        "outputs": {},
        "status": {
            "status_str": "error",
            "completed": False,
            "messages": [[protocol.EXECUTION_START, start], [protocol.EXECUTION_ERROR, error]],
        },
        "meta": {},
    }
