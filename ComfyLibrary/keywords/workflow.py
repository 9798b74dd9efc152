"""Keywords that load workflows, change their inputs and check them against a server."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from robotlibcore import keyword

from ComfyLibrary.errors import ComfyError, WorkflowError
from ComfyLibrary.keywords.context import LibraryComponent
from ComfyLibrary.workflow import Workflow, load_workflow, set_input
from ComfyLibrary.workflow.bindings import apply, load_bindings
from ComfyLibrary.workflow.loader import read_json
from ComfyLibrary.workflow.ui_format import convert_ui_workflow, is_ui_format
from ComfyLibrary.workflow.validate import validate_workflow


def problems_message(name: str, problems: list[Any]) -> str:
    lines = "\n".join(f"- {p}" for p in problems)
    return (
        f"Workflow '{name}' is not valid for this server ({len(problems)} problem"
        f"{'s' if len(problems) != 1 else ''}):\n{lines}"
    )


class WorkflowKeywords(LibraryComponent):
    """Workflow keywords."""

    @keyword("Load Workflow", tags=("Workflow",))
    def load_workflow(self, name: str, object_info: Path | None = None) -> Workflow:
        """Loads a workflow file and returns it as an API-format dictionary.

        ``name`` is a file in the workflow folder (the library's ``workflow_dir``,
        ``.json`` optional); names cannot leave that folder. Both formats load:

        - API format (``Export (API)`` in ComfyUI) as it is;
        - the editor's UI format (``nodes`` and ``links``, with subgraphs, reroutes,
          primitive, muted and bypassed nodes) converted as ComfyUI's frontend does,
          using ``object_info`` (a saved ``/object_info`` dump) or else the node catalog
          of the current client's server.

        Bindings next to the file (``<name>.bindings.json``) give it named parameters:
        see `Set Workflow Parameters`. Each load returns a fresh copy.

        Fails with one line for a missing, empty or non-JSON file, a JSON array, a file
        outside the workflow folder, or node types the catalog does not know.

        Example:
        | ${workflow} =    Load Workflow    z_image_turbo_generation
        | ${workflow} =    Load Workflow    from_the_editor.json    object_info=${CURDIR}/object_info.json
        """
        path = self.library.find_workflow(name)
        data = read_json(path)
        if is_ui_format(data):
            catalog = self._catalog(
                object_info, for_what=f"convert the editor workflow {path.name}"
            )
            workflow = convert_ui_workflow(data, catalog, path.name)
            self.info(
                f"Converted editor workflow {path.name} to API format ({len(workflow)} nodes)."
            )
        else:
            workflow = load_workflow(path)
            self.info(f"Loaded workflow {path.name} with {len(workflow)} nodes.")
        bindings = load_bindings(path)
        workflow = Workflow(copy.deepcopy(workflow), path.stem, path, bindings)
        if bindings.items:
            self.info(f"Parameters: {', '.join(bindings.names())}.")
        self.debug(json.dumps(workflow, indent=1)[:4000])
        return workflow

    @keyword("Set Workflow Input", tags=("Workflow",))
    def set_workflow_input(self, workflow: dict[str, Any], path: str, value: Any) -> None:
        """Sets one input of a loaded workflow.

        ``path`` names the node and the input: by node id (``3.seed``, ``57:3.seed``),
        by node title (``"Positive Prompt".text``) or by class when only one node has
        it (``KSampler.seed``). Values keep their Robot type: use ``${42}`` for a number.
        An unknown or ambiguous node, or an unknown input, fails listing what exists.

        Example:
        | Set Workflow Input    ${workflow}    1.width    ${128}
        | Set Workflow Input    ${workflow}    KSampler.seed    ${42}
        """
        node_id = set_input(workflow, path, value)
        if isinstance(workflow, Workflow):
            workflow.inputs[path] = value
        self.info(
            f"Set node {node_id} ({workflow[node_id]['class_type']}) input "
            f"'{path.rpartition('.')[2]}' to {self.short(value, 120)!s}."
        )

    @keyword("Set Workflow Parameters", tags=("Workflow",))
    def set_workflow_parameters(
        self, workflow: dict[str, Any], **parameters: Any
    ) -> dict[str, Any]:
        """Sets named parameters of a workflow, as its bindings file defines them.

        Values are converted to the type the bindings (or the input's current value)
        say, so ``seed=42`` writes the number 42. ``seed=random`` picks a random seed,
        which is logged and returned. Returns the values written.

        Example:
        | ${workflow} =    Load Workflow    z_image_turbo_generation
        | Set Workflow Parameters    ${workflow}    prompt=A red fox    seed=42    width=1024
        | ${written} =    Set Workflow Parameters    ${workflow}    seed=random
        """
        info = self._info(workflow)
        written = apply(workflow, info.bindings, parameters, keyword_arguments=["workflow"])
        info.parameters.update(written)
        self.info(
            "Parameters set: " + ", ".join(f"{k}={self.short(v, 80)}" for k, v in written.items())
        )
        return written

    @keyword("Get Workflow Parameters", tags=("Workflow",))
    def get_workflow_parameters(self, workflow: dict[str, Any]) -> dict[str, str]:
        """Returns the workflow's named parameters and what each sets.

        Example:
        | ${parameters} =    Get Workflow Parameters    ${workflow}
        | Dictionary Should Contain Key    ${parameters}    seed
        """
        info = self._info(workflow)
        return {
            name: ", ".join(b.targets) + (f" ({b.description})" if b.description else "")
            for name, b in info.bindings.items.items()
        }

    @keyword("Validate Workflow", tags=("Workflow",))
    def validate_workflow(
        self, workflow: Any, object_info: Path | None = None, fail: bool = True
    ) -> list[str]:
        """Checks a workflow against the server's node catalog without running it.

        It finds unknown node types, missing required inputs, wrong types, values out
        of range or not among the choices, model files the server does not have, links
        to missing nodes or outputs, links whose types do not fit, cycles and a missing
        output node. Every problem is listed, each naming node id, title, class and
        input. Returns the problems; fails when there are any unless ``fail=False``.

        `Submit Workflow` and `Run Workflow` run this check first by default.

        Example:
        | Validate Workflow    ${workflow}
        | ${problems} =    Validate Workflow    broken.json    fail=False
        """
        prompt = self.library.as_workflow(workflow)
        catalog = self._catalog(object_info, for_what="validate the workflow")
        problems = validate_workflow(prompt, catalog)
        name = self.library.workflow_name(workflow)
        if problems and fail:
            raise WorkflowError(problems_message(name, problems))
        if problems:
            self.info(problems_message(name, problems))
        else:
            self.info(f"Workflow '{name}' is valid for this server.")
        return [str(p) for p in problems]

    def _info(self, workflow: dict[str, Any]) -> Workflow:
        if not isinstance(workflow, Workflow):
            raise WorkflowError(
                "This workflow was not loaded with Load Workflow, so it has no "
                "named parameters: use Set Workflow Input instead."
            )
        return workflow

    def _catalog(self, object_info: Path | None, for_what: str) -> dict[str, Any]:
        if object_info is not None:
            data = read_json(Path(object_info))
            if not isinstance(data, dict):
                raise WorkflowError(f"{object_info} is not an /object_info dump.")
            return data
        try:
            _, client = self.library.clients.get(None)
        except ComfyError:
            raise WorkflowError(
                f"To {for_what}, connect to ComfyUI first (its node catalog is "
                "needed) or give object_info= a saved /object_info dump."
            ) from None
        return client.object_info()
