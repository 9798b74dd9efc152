"""Whether a node of a prompt really ran or was served from ComfyUI's cache, as ComfyUI's
own test framework asks with ``assert executed``: from the server's history
(``execution_cached``) and the client's events (``executing`` per node)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from robotlibcore import keyword

from ComfyLibrary.errors import ComfyError
from ComfyLibrary.keywords.context import LibraryComponent


@dataclass
class NodeFates:
    """What happened to each node of a finished prompt."""

    prompt_id: str
    graph: dict[str, Any]
    cached: set[str]
    ran: set[str]
    events_seen: bool

    def node_id(self, node: str) -> str:
        """``node`` as a node id: an id, a title (``_meta.title``) or a class type that
        names exactly one node of the prompt."""
        text = str(node)
        if text in self.graph:
            return text
        for field in ("title", "class_type"):
            found = [
                node_id
                for node_id, entry in self.graph.items()
                if _field(entry, field).casefold() == text.casefold()
            ]
            if len(found) == 1:
                return found[0]
            if len(found) > 1:
                raise ComfyError(
                    f"'{text}' names {len(found)} nodes of prompt {self.prompt_id} "
                    f"({', '.join(found)}): give the node id."
                )
        listed = ", ".join(
            f"{node_id} ({_field(entry, 'title') or _field(entry, 'class_type')})"
            for node_id, entry in sorted(self.graph.items())[:12]
        )
        raise ComfyError(
            f"Prompt {self.prompt_id} has no node '{text}': give a node id, title or class "
            f"type of its nodes: {listed}."
        )

    def describe(self, node_id: str) -> str:
        entry = self.graph.get(node_id, {})
        title = _field(entry, "title")
        kind = _field(entry, "class_type")
        return f"node {node_id} ({title or kind}{f', {kind}' if title and title != kind else ''})"


def _field(entry: Any, field: str) -> str:
    if not isinstance(entry, dict):
        return ""
    if field == "title":
        meta = entry.get("_meta")
        return str(meta.get("title", "")) if isinstance(meta, dict) else ""
    return str(entry.get(field, ""))


class ExecutionKeywords(LibraryComponent):
    """Which nodes of a prompt ran."""

    @keyword("Node Should Have Run", tags=("Prompts",))
    def node_should_have_run(
        self, node: str, prompt_id: str | None = None, client: str | None = None
    ) -> None:
        """Fails unless ``node`` of a finished prompt was executed by the server, not
        served from its cache.

        ``node`` is a node id, a title or a class type naming one node of the prompt.
        ``prompt_id`` defaults to the last prompt submitted. The cached nodes come from the
        server's history; the executed ones from the client's ``executing`` events, so the
        client must have been connected while the prompt ran.

        Example:
        | ${result} =    Run Workflow    tiny_text_to_image    seed=${42}
        | Node Should Have Run    KSampler
        | Node Should Have Run    3    prompt_id=${result.prompt_id}
        """
        fates = self._fates(prompt_id, client, node)
        node_id = fates.node_id(node)
        what = fates.describe(node_id)
        if node_id in fates.cached:
            raise AssertionError(
                f"{what} of prompt {fates.prompt_id} was served from the cache, not run."
            )
        if not fates.events_seen:
            raise ComfyError(
                f"Cannot tell whether {what} of prompt {fates.prompt_id} ran: the client "
                "has no events of that prompt (connect before submitting it)."
            )
        if node_id not in fates.ran:
            raise AssertionError(
                f"{what} of prompt {fates.prompt_id} did not run (no output depends on it, "
                "or the prompt stopped before it)."
            )
        self.info(f"{what} of prompt {fates.prompt_id} ran.")

    @keyword("Node Should Have Been Cached", tags=("Prompts",))
    def node_should_have_been_cached(
        self, node: str, prompt_id: str | None = None, client: str | None = None
    ) -> None:
        """Fails unless ``node`` of a finished prompt was served from the server's cache
        (ComfyUI's ``execution_cached``), as the same inputs were run before.

        ``node``, ``prompt_id`` and ``client`` as in `Node Should Have Run`.

        Example:
        | Run Workflow    tiny_text_to_image    seed=${42}
        | Run Workflow    tiny_text_to_image    seed=${42}
        | Node Should Have Been Cached    CheckpointLoaderSimple
        """
        fates = self._fates(prompt_id, client, node)
        node_id = fates.node_id(node)
        what = fates.describe(node_id)
        if node_id not in fates.cached:
            ran = " it ran" if node_id in fates.ran else " it was not cached"
            raise AssertionError(
                f"{what} of prompt {fates.prompt_id} was not served from the cache:{ran}."
            )
        self.info(f"{what} of prompt {fates.prompt_id} was served from the cache.")

    def _fates(self, prompt_id: str | None, client: str | None, node: str = "") -> NodeFates:
        prompt_id = prompt_id or self.library.last_prompt_id
        if prompt_id is None:
            raise ComfyError("No prompt to look at: use Submit Workflow first.")
        prompt_id = str(prompt_id)
        _alias, instance = self.library.clients.get(client)
        entry = self.finished_entry(instance, prompt_id, node)
        prompt = entry.get("prompt") or []
        graph = prompt[2] if len(prompt) > 2 and isinstance(prompt[2], dict) else {}
        cached: set[str] = set()
        for name, data in (entry.get("status") or {}).get("messages") or []:
            if name == "execution_cached" and isinstance(data, dict):
                cached.update(str(node) for node in data.get("nodes") or [])
        ran: set[str] = set()
        seen = False
        for event in instance.events.events():
            if event.get("prompt_id") != prompt_id:
                continue
            if event.type == "execution_start":
                seen = True
            elif event.type == "execution_cached":
                cached.update(str(node) for node in event.get("nodes") or [])
            elif event.type == "executing" and event.get("node") is not None:
                ran.add(str(event.get("node")))
        return NodeFates(prompt_id, graph, cached, ran, seen)
