"""Loading workflow files with one clear error for every way they can be unusable."""

from __future__ import annotations

import contextlib
import difflib
import json
from pathlib import Path
from typing import Any

from ComfyLibrary.errors import WorkflowError

MAX_WORKFLOW_BYTES = 20 * 1024 * 1024


MAX_NAME_CHARS = 255
BINDINGS_SUFFIX = ".bindings.json"


def resolve_workflow_path(name: str | Path, folder: Path, *more_folders: Path) -> Path:
    """Finds ``name`` inside ``folder``, else inside each of ``more_folders`` in turn
    (``.json`` may be left out). An absolute path (``${CURDIR}/flow.json``) is a file the
    suite's author wrote out: it is taken as it is.

    Every candidate of a name (``name`` and ``name.json``) is resolved, symbolic links
    included, and must lie inside ``folder``; a name that leaves it (``../x``, a link
    pointing out) is refused before anything is read. Empty names, NUL bytes and
    over-long names are refused with one line too, and a name found nowhere gets the
    closest names there are.
    """
    text = str(name)
    if not text.strip() or text.strip() in (".", ".."):
        raise WorkflowError(
            f"Workflow name '{text}' names no file: give a workflow file name such as "
            "empty_image_save.json."
        )
    if "\x00" in text:
        raise WorkflowError(f"Workflow name {text!r} contains a NUL byte: give a plain file name.")
    if any(len(part) > MAX_NAME_CHARS for part in Path(text).parts) or len(text) > 4096:
        raise WorkflowError(
            f"Workflow name '{text[:40]}...' is {len(text)} characters long, more than a file "
            f"name can be ({MAX_NAME_CHARS}): check the name."
        )
    if Path(text).is_absolute():
        return _explicit_path(Path(text))
    for place in (folder, *more_folders):
        found = _find_inside(text, place)
        if found is not None:
            return found
    looked = ", ".join(str(p) for p in (folder, *more_folders))
    raise WorkflowError(
        f"Workflow '{text}' not found (looked in {looked}): "
        + _suggestions(text, (folder, *more_folders))
    )


def _explicit_path(path: Path) -> Path:
    """An absolute path, with or without ``.json``; one line when it is not a file."""
    for candidate in (path, path.with_name(path.name + ".json")):
        if candidate.is_file():
            return candidate
    if path.is_dir():
        raise WorkflowError(f"Workflow path {path} is a folder: give a workflow file in it.")
    raise WorkflowError(f"Workflow file {path} does not exist: check the path.")


# the library's deliberately broken workflows, which its own tests load by name: never
# offered to a user as a suggestion
TEST_FIXTURE_FOLDERS = ("broken",)


def available_workflows(*folders: Path) -> list[str]:
    """The workflow names in ``folders`` (``.json`` left out, bindings files left out, and
    the library's broken test fixtures left out)."""
    names: set[str] = set()
    for folder in folders:
        with contextlib.suppress(OSError):
            for path in folder.rglob("*.json"):
                relative = path.relative_to(folder)
                if (
                    relative.parts[0] in TEST_FIXTURE_FOLDERS
                    and folder.resolve() == shipped_folder().resolve()
                ):
                    continue
                if not path.name.endswith(BINDINGS_SUFFIX) and path.is_file():
                    names.add(relative.with_suffix("").as_posix())
    return sorted(names)


def shipped_folder() -> Path:
    from ComfyLibrary.shipped import workflows_folder

    return workflows_folder()


def _suggestions(text: str, folders: tuple[Path, ...], listed: int = 12) -> str:
    names = available_workflows(*folders)
    if not names:
        return "there are no workflows there; check the library's workflow_dir."
    wanted = text.removesuffix(".json")
    close = difflib.get_close_matches(wanted, names, n=3, cutoff=0.6)
    hint = f"did you mean {' or '.join(repr(n) for n in close)}? " if close else ""
    shown = ", ".join(names[:listed]) + (
        f" and {len(names) - listed} more" if len(names) > listed else ""
    )
    return f"{hint}Workflows there: {shown}."


def _find_inside(text: str, folder: Path) -> Path | None:
    base = folder.resolve()
    given = base / Path(text)
    found = None
    for candidate in (given, given.with_name(given.name + ".json")):
        try:
            resolved = candidate.resolve()
        except (OSError, RuntimeError) as exc:  # a symbolic link loop, for one
            raise WorkflowError(
                f"Workflow '{text}' cannot be resolved ({exc}): check the file and its links."
            ) from None
        if not resolved.is_relative_to(base):
            raise WorkflowError(
                f"Workflow '{text}' is outside the workflow folder {folder}: keep workflows "
                "in that folder (the library's workflow_dir)."
            )
        if found is None and resolved.is_file():
            found = resolved
    return found


def load_workflow(path: Path) -> dict[str, Any]:
    """Reads an API-format workflow: ``{node_id: {class_type, inputs}}``."""
    return check_api_format(read_json(path), str(path))


def read_json(path: Path) -> Any:
    """Reads a JSON file with one clear error for each way it can be unusable."""
    if not path.is_file():
        raise WorkflowError(f"File {path} does not exist.")
    size = path.stat().st_size
    if size == 0:
        raise WorkflowError(f"Workflow file {path} is empty: export the workflow again.")
    if size > MAX_WORKFLOW_BYTES:
        raise WorkflowError(
            f"Workflow file {path} is {size // 1024 // 1024} MB, over the 20 MB limit: "
            "it is probably not a workflow."
        )
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise WorkflowError(
            f"Workflow file {path} is not UTF-8 text: byte {exc.start} (line {line}) is "
            f"0x{raw[exc.start]:02x}. Save it as UTF-8 JSON, or export the workflow again."
        ) from None
    if not text.strip():
        raise WorkflowError(
            f"Workflow file {path} is empty (it holds only white space): export the workflow again."
        )
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise WorkflowError(
            f"Workflow file {path} is not valid JSON (line {exc.lineno}, column {exc.colno}: "
            f"{exc.msg}): export it again from ComfyUI."
        ) from None


def check_api_format(data: Any, source: str) -> dict[str, Any]:
    if isinstance(data, list):
        raise WorkflowError(f"Workflow {source} is a JSON array, not a workflow object.")
    if not isinstance(data, dict) or not data:
        raise WorkflowError(f"Workflow {source} is empty or not a JSON object.")
    if "prompt" in data and isinstance(data["prompt"], dict) and "class_type" not in data["prompt"]:
        data = data["prompt"]
    if "nodes" in data and "links" in data:
        raise WorkflowError(
            f"Workflow {source} is in the editor's UI format: export it with "
            "'Export (API)' in ComfyUI, or load it with a node catalog to convert it."
        )
    for node_id, node in data.items():
        if not isinstance(node, dict) or "class_type" not in node:
            raise WorkflowError(
                f"Workflow {source} is not in API format: node '{node_id}' has no class_type."
            )
        node.setdefault("inputs", {})
        if not isinstance(node["inputs"], dict):
            raise WorkflowError(
                f"Workflow {source}: node '{node_id}' has inputs that are not an object."
            )
    return data
