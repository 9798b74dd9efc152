"""Keywords that load workflows and change their inputs."""

from __future__ import annotations

import copy
import json
from typing import Any

from robotlibcore import keyword

from ComfyLibrary.keywords.context import LibraryComponent
from ComfyLibrary.workflow import load_workflow, resolve_workflow_path, set_input


class WorkflowKeywords(LibraryComponent):
    """Workflow keywords."""

    @keyword(tags=("Workflow",))
    def load_workflow(self, name: str) -> dict[str, Any]:
        """Loads an API-format workflow file and returns it as a dictionary.

        ``name`` is a file name in the workflow folder (the library's
        ``workflow_dir``, by default ``resources/workflows``), with or without
        ``.json``, or a path. Each load returns a fresh copy, so changing it does not
        affect other tests.

        Fails with one line when the file is missing, empty, not JSON, a JSON array,
        in the editor's UI format, or outside the workflow folder.

        Example:
        | ${workflow} =    Load Workflow    empty_image_save
        """
        path = resolve_workflow_path(name, self.library.workflow_dir)
        workflow = load_workflow(path)
        self.info(f"Loaded workflow {path.name} with {len(workflow)} nodes.")
        self.debug(json.dumps(workflow, indent=1)[:4000])
        return copy.deepcopy(workflow)

    @keyword(tags=("Workflow",))
    def set_workflow_input(self, workflow: dict[str, Any], path: str, value: Any) -> None:
        """Sets one input of a loaded workflow.

        ``path`` names the node and the input: by node id (``3.seed``, ``57:3.seed``),
        by node title (``"Positive Prompt".text``) or by class when only one node has
        it (``KSampler.seed``). Values keep their Robot type: use ``${42}`` for a number.
        An unknown node or input fails listing what exists.

        Example:
        | Set Workflow Input    ${workflow}    1.width    ${128}
        | Set Workflow Input    ${workflow}    KSampler.seed    ${42}
        """
        node_id = set_input(workflow, path, value)
        self.info(
            f"Set node {node_id} ({workflow[node_id]['class_type']}) input "
            f"'{path.rpartition('.')[2]}' to {self.short(value, 120)!s}."
        )
