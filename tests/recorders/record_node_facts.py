"""Records the facts about ComfyUI's node classes that ``/object_info`` does not serve, and
that the mock needs to validate and run prompts as that ComfyUI does:

- ``validate``: classes with their own input validation (``VALIDATE_INPUTS`` or a v3
  ``validate_inputs``): the inputs it takes (ComfyUI skips the range and choice checks of
  those), which of them it requires, whether it takes any keyword (then it skips every
  check) and whether it asks for ``input_types`` (then links are not type-checked);
- ``model_folders``: which model folder each file-choice input lists, found by asking every
  class for its inputs while each folder holds one marker file;
- ``lazy_checks``: classes that decide at run time which lazy inputs they need.

It imports ComfyUI, so it runs in ComfyUI's own venv (the real lane's), from any folder:

  .real/venv/bin/python tests/recorders/record_node_facts.py .real/ComfyUI OUT.json

Facts only: class and input names, folder names and flags; no ComfyUI code or text.
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
import json
import os
import sys
from pathlib import Path


def main() -> None:
    comfyui, out = Path(sys.argv[1]).resolve(), Path(sys.argv[2]).resolve()
    os.chdir(comfyui)
    sys.path[0] = str(comfyui)  # not this folder: ComfyUI has a package named utils
    sys.argv = [sys.argv[0], "--cpu", "--disable-api-nodes"]
    import comfy.options  # type: ignore[import-not-found]

    comfy.options.enable_args_parsing()
    importlib.import_module("utils")  # ComfyUI's package, before a module of that name
    import folder_paths  # type: ignore[import-not-found]
    import nodes  # type: ignore[import-not-found]

    asyncio.run(nodes.init_extra_nodes(init_custom_nodes=False, init_api_nodes=False))
    from comfy_api.internal import _ComfyNodeInternal, first_real_override  # type: ignore

    validate: dict[str, dict[str, object]] = {}
    lazy_checks: list[str] = []
    for name, cls in sorted(nodes.NODE_CLASS_MAPPINGS.items()):
        v3 = issubclass(cls, _ComfyNodeInternal)
        if v3:
            function = first_real_override(cls, "validate_inputs")
            checks = first_real_override(cls, "check_lazy_status")
        else:
            function = getattr(cls, "VALIDATE_INPUTS", None)
            checks = getattr(cls, "check_lazy_status", None)
        if checks is not None:
            lazy_checks.append(name)
        if function is None:
            continue
        spec = inspect.getfullargspec(function)
        args = [a for a in spec.args if a not in ("self", "cls", "s")]
        defaults = len(spec.defaults or ())
        required = args[: len(args) - defaults] if defaults else args
        validate[name] = {
            "inputs": args,
            "required": required,
            "kwargs": spec.varkw is not None,
            "input_types": "input_types" in args,
        }

    folders = sorted(folder_paths.folder_names_and_paths)
    original = folder_paths.get_filename_list

    def marked(folder_name: str) -> list[str]:
        return [f"@folder:{folder_name}"]

    folder_paths.get_filename_list = marked
    model_folders: dict[str, str] = {}
    for name, cls in sorted(nodes.NODE_CLASS_MAPPINGS.items()):
        try:
            spec = cls.INPUT_TYPES()
        except Exception:  # a class that cannot answer lists nothing
            continue
        for category in ("required", "optional"):
            for input_name, input_spec in (spec.get(category) or {}).items():
                choices = _choices(input_spec)
                marker = next((c for c in choices if str(c).startswith("@folder:")), None)
                if marker is not None:
                    model_folders[f"{name}.{input_name}"] = marker.removeprefix("@folder:")
    folder_paths.get_filename_list = original
    out.write_text(
        json.dumps(
            {
                "validate": validate,
                "model_folders": model_folders,
                "lazy_checks": sorted(lazy_checks),
                "folders": folders,
            },
            indent=1,
            sort_keys=True,
        )
        + "\n"
    )
    print(f"{len(validate)} validating classes, {len(model_folders)} model inputs -> {out}")


def _choices(spec: object) -> list[object]:
    if not isinstance(spec, list | tuple) or not spec:
        return []
    if isinstance(spec[0], list | tuple):
        return list(spec[0])
    if len(spec) > 1 and isinstance(spec[1], dict):
        options = spec[1].get("options")
        if isinstance(options, list | tuple):
            return list(options)
    return []


if __name__ == "__main__":
    main()
