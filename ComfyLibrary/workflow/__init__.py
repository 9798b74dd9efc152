"""Workflows: load API-format JSON, set inputs by path. Plain Python."""

from ComfyLibrary.workflow.inputs import set_input
from ComfyLibrary.workflow.loader import load_workflow, resolve_workflow_path
from ComfyLibrary.workflow.model import Workflow

__all__ = ["Workflow", "load_workflow", "resolve_workflow_path", "set_input"]
