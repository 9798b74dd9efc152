"""Records what the mock needs to be a given ComfyUI version, from that real version:

- ``object_info.json.gz``: its node catalog, structure only (descriptions and tooltips
  emptied: the catalog's facts are carried, not ComfyUI's prose);
- ``server.json``: the versions its ``/system_stats`` reports and its protocol fingerprint
  (``ComfyLibrary.upgrade.fingerprint``: routes, keys of its answers, WebSocket messages);
- ``node_facts.json``: tests/recorders/record_node_facts.py run on it.

It starts that version itself (``--cpu --disable-api-nodes``, in a folder of its own) from
its source folder with the given Python; ``OVERLAY`` is put first on ``PYTHONPATH``, for
the packages that version pins when they differ from the venv's (see scripts/matrix.sh):

  .venv/bin/python tests/recorders/record_version.py SOURCE_DIR PYTHON OVERLAY OUT_DIR
"""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from ComfyLibrary.upgrade.fingerprint import fingerprint  # noqa: E402
from tests.recorders import real_comfyui  # noqa: E402

VERSION_KEYS = (
    "comfyui_version",
    "required_frontend_version",
    "installed_templates_version",
    "required_templates_version",
)


def structure_only(catalog: dict[str, Any]) -> dict[str, Any]:
    """The catalog without its prose: descriptions and tooltips emptied."""
    stripped = json.loads(json.dumps(catalog))
    for definition in stripped.values():
        if "description" in definition:
            definition["description"] = ""
        if isinstance(definition.get("output_tooltips"), list):
            tips = definition["output_tooltips"]
            definition["output_tooltips"] = [None if tip is None else "" for tip in tips]
        for section in (definition.get("input") or {}).values():
            if isinstance(section, dict):
                for spec in section.values():
                    _strip_options(spec)
    return stripped


def _strip_options(spec: Any) -> None:
    if not isinstance(spec, list) or len(spec) < 2 or not isinstance(spec[1], dict):
        return
    spec[1].pop("tooltip", None)
    for option in spec[1].get("options") or []:  # a dynamic combo's options hold inputs
        if isinstance(option, dict):
            for section in (option.get("inputs") or {}).values():
                for inner in (section or {}).values():
                    _strip_options(inner)
    template = spec[1].get("template")
    if isinstance(template, dict):
        for section in (template.get("input") or {}).values():
            for inner in (section or {}).values():
                _strip_options(inner)


def main() -> None:
    source, python = Path(sys.argv[1]).resolve(), Path(sys.argv[2]).absolute()
    overlay, out = sys.argv[3], Path(sys.argv[4])
    env = {**os.environ, "PYTHONPATH": overlay}
    with real_comfyui(source, python, overlay) as (server, _):
        catalog = requests.get(f"{server.url}/object_info", timeout=60).json()
        system = requests.get(f"{server.url}/system_stats", timeout=30).json()["system"]
        checks = fingerprint(server.url)
    out.mkdir(parents=True, exist_ok=True)
    data = json.dumps(structure_only(catalog), sort_keys=True).encode()
    (out / "object_info.json.gz").write_bytes(gzip.compress(data, mtime=0))
    described = {
        "system": {k: system.get(k) for k in VERSION_KEYS if k in system},
        "system_keys": sorted(system),
        "fingerprint": checks,
    }
    (out / "server.json").write_text(json.dumps(described, indent=1, sort_keys=True) + "\n")
    subprocess.run(
        [
            str(python),
            str(ROOT / "tests/recorders/record_node_facts.py"),
            str(source),
            str((out / "node_facts.json").resolve()),
        ],
        env=env,
        check=True,
        capture_output=True,
    )
    print(f"ComfyUI {system.get('comfyui_version')}: {len(catalog)} classes -> {out}")


if __name__ == "__main__":
    main()
