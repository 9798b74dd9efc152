"""Node implementations of the mock.

Each node is a function ``fn(ctx, **inputs)`` registered under its ComfyUI class
name. It returns a tuple of outputs, or a :class:`NodeResult` when it also has UI
output (the ``executed`` payload). Nodes without an implementation run as
placeholders: they produce ``None`` outputs, so a team's custom nodes loaded with
``--object-info`` still execute.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

NodeFunction = Callable[..., Any]
REGISTRY: dict[str, NodeFunction] = {}


@dataclass
class NodeResult:
    outputs: tuple[Any, ...] = ()
    ui: dict[str, Any] | None = None


@dataclass
class ExecutionFailure(Exception):
    """Raised by a node to fail execution with ComfyUI's ``execution_error`` fields."""

    message: str
    exception_type: str = "RuntimeError"
    traceback: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return self.message


def node(*class_names: str) -> Callable[[NodeFunction], NodeFunction]:
    """Registers a function as the implementation of one or more node classes."""

    def register(fn: NodeFunction) -> NodeFunction:
        for name in class_names:
            REGISTRY[name] = fn
        return fn

    return register


def implementation(class_type: str) -> NodeFunction | None:
    _load_all()
    return REGISTRY.get(class_type)


_loaded = False


def _load_all() -> None:
    global _loaded  # noqa: PLW0603 - one-time lazy import keeps server start fast
    if _loaded:
        return
    from ComfyLibrary.mock.nodes import (  # noqa: F401
        audio_nodes,
        image_nodes,
        model_nodes,
        sampling_nodes,
        save_nodes,
        shape_nodes,
        value_nodes,
        video_nodes,
    )

    _loaded = True
