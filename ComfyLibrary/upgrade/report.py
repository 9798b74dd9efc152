"""The upgrade report: what changes for a team between its current ComfyUI and the next.

Sections, each present when its inputs were given:

- ``catalog``: node classes added and removed, and each shared class's changes;
- ``workflows``: the team's workflows validated against both catalogs, with their own nodes
  and inputs that changed (listed first: they are what breaks);
- ``outputs``: the same workflows' outputs from runs on both sides (two ``run-report.json``)
  or per-version references (``references/<version>/``): changed or not, SSIM, max and mean
  pixel difference, and whether ComfyUI, torch or both changed between the two;
- ``time``: per workflow and per node class, from the two run reports;
- ``protocol``: routes, answer keys and WebSocket messages (servers given by URL);
- ``custom_nodes``: the packs that loaded on each side, and those that failed to import.
"""

from __future__ import annotations

import json
import statistics
from pathlib import Path
from typing import Any

from ComfyLibrary.errors import WorkflowError
from ComfyLibrary.upgrade.catalog_diff import BREAKS, COMPATIBLE, diff_catalogs
from ComfyLibrary.upgrade.sides import Side

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp")


def side_summary(side: Side) -> dict[str, Any]:
    keys = ("comfyui_version", "pytorch_version", "python_version", "required_frontend_version")
    return {"name": side.name, **{k: side.system.get(k) for k in keys}}


def cause(old: dict[str, Any], new: dict[str, Any]) -> str:
    """What changed between two sides' versions: ``ComfyUI``, ``torch``, both or neither."""
    comfy = old.get("comfyui_version") != new.get("comfyui_version")
    torch = old.get("pytorch_version") != new.get("pytorch_version")
    if comfy and torch:
        return "ComfyUI and torch"
    return "ComfyUI" if comfy else "torch" if torch else "neither ComfyUI nor torch"


def workflow_files(folder: Path) -> list[Path]:
    return sorted(p for p in Path(folder).glob("*.json") if not p.name.endswith(".bindings.json"))


def _prompt_for(path: Path, catalog: dict[str, Any]) -> dict[str, Any]:
    from ComfyLibrary.workflow.loader import check_api_format, read_json
    from ComfyLibrary.workflow.ui_format import convert_ui_workflow, is_ui_format

    data = read_json(path)
    if is_ui_format(data):
        return convert_ui_workflow(data, catalog, path.name)
    return check_api_format(data, str(path))


def _validated(path: Path, side: Side) -> tuple[dict[str, Any] | None, list[str]]:
    from ComfyLibrary.workflow.validate import validate_workflow

    try:
        prompt = _prompt_for(path, side.object_info)
    except WorkflowError as exc:
        return None, [str(exc)]
    return prompt, [str(p) for p in validate_workflow(prompt, side.object_info)]


def workflows_section(
    folder: Path, old: Side, new: Side, catalog: dict[str, Any]
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for path in workflow_files(folder):
        old_prompt, old_problems = _validated(path, old)
        new_prompt, new_problems = _validated(path, new)
        prompt = old_prompt or new_prompt or {}
        affected = []
        for node_id, node in sorted(prompt.items()):
            class_type = node.get("class_type")
            if class_type in catalog["removed"]:
                gone = {"what": "class removed", "input": None, "impact": BREAKS}
                affected.append({"node": node_id, "class_type": class_type, **gone})
            for change in catalog["changed"].get(class_type, []):
                if change["impact"] != COMPATIBLE:
                    affected.append({"node": node_id, "class_type": class_type, **change})
        new_only = [p for p in new_problems if p not in old_problems]
        fixed = [p for p in old_problems if p not in new_problems]
        if old_problems and new_problems:
            verdict = "invalid on both"
        elif new_problems:
            verdict = "breaks"
        else:
            verdict = "fixed" if fixed else "unchanged"
        row: dict[str, Any] = {
            "workflow": path.name,
            "verdict": verdict,
            "old": {"valid": not old_problems, "problems": old_problems},
            "new": {"valid": not new_problems, "problems": new_problems},
            "new_problems": new_only,
            "affected": affected,
        }
        rows.append(row)
    # the ones that break or change first
    order = {"breaks": 0, "invalid on both": 1, "fixed": 2, "unchanged": 3}
    rows.sort(key=lambda r: (order[r["verdict"]] - bool(r["affected"]), r["workflow"]))
    return rows


def _difference(old_file: Path, new_file: Path) -> dict[str, Any]:
    import numpy as np

    from ComfyLibrary.media.compare import compare
    from ComfyLibrary.media.image import open_image

    with open_image(old_file) as a, open_image(new_file) as b:
        if a.size != b.size:
            return {"changed": True, "detail": f"size {a.size} -> {b.size}"}
        pa = np.asarray(a.convert("RGB"), dtype=np.int16)
        pb = np.asarray(b.convert("RGB"), dtype=np.int16)
    delta = np.abs(pa - pb)
    score = compare(new_file, old_file).score
    return {
        "changed": bool(delta.max() > 0),
        "ssim": round(float(score), 4),
        "max_pixel_difference": int(delta.max()),
        "mean_pixel_difference": round(float(delta.mean()), 4),
    }


def _runs(report_path: Path) -> list[dict[str, Any]]:
    data = json.loads(Path(report_path).read_text(encoding="utf-8"))
    runs = [r for r in data.get("runs", []) if r.get("status") == "success"]
    for run in runs:
        run["_folder"] = str(Path(report_path).parent)
    return runs


def _run_key(run: dict[str, Any]) -> str:
    parameters = json.dumps(run.get("parameters") or {}, sort_keys=True, default=str)
    return f"{run.get('suite')} / {run.get('test')} / {run.get('workflow')} {parameters}"


def outputs_from_runs(old_report: Path, new_report: Path) -> list[dict[str, Any]]:
    old_runs = {_run_key(r): r for r in reversed(_runs(old_report))}
    rows = []
    for run in _runs(new_report):
        before = old_runs.get(_run_key(run))
        if before is None:
            continue
        old_images = [f for f in before["files"] if f.lower().endswith(IMAGE_SUFFIXES)]
        new_images = [f for f in run["files"] if f.lower().endswith(IMAGE_SUFFIXES)]
        for old_file, new_file in zip(old_images, new_images, strict=False):
            rows.append(
                {
                    "workflow": run.get("workflow"),
                    "test": run.get("test"),
                    "file": Path(new_file).name,
                    "old_versions": _versions(before),
                    "new_versions": _versions(run),
                    "cause": cause(_versions(before), _versions(run)),
                    **_difference(
                        Path(before["_folder"]) / old_file, Path(run["_folder"]) / new_file
                    ),
                }
            )
    return rows


def _versions(run: dict[str, Any]) -> dict[str, Any]:
    provenance = run.get("provenance") or {}
    return {k: provenance.get(k) for k in ("comfyui_version", "pytorch_version")}


def outputs_from_references(folder: Path, old: Side, new: Side) -> list[dict[str, Any]]:
    old_folder = Path(folder) / old.comfyui_version
    new_folder = Path(folder) / new.comfyui_version
    rows: list[dict[str, Any]] = []
    if not old_folder.is_dir() or not new_folder.is_dir() or old_folder == new_folder:
        return rows
    for old_file in sorted(old_folder.rglob("*")):
        if old_file.suffix.lower() not in IMAGE_SUFFIXES:
            continue
        new_file = new_folder / old_file.relative_to(old_folder)
        if new_file.is_file():
            versions = (side_summary(old), side_summary(new))
            rows.append(
                {
                    "file": str(old_file.relative_to(old_folder)),
                    "old_versions": {
                        k: versions[0].get(k) for k in ("comfyui_version", "pytorch_version")
                    },
                    "new_versions": {
                        k: versions[1].get(k) for k in ("comfyui_version", "pytorch_version")
                    },
                    "cause": cause(*versions),
                    **_difference(old_file, new_file),
                }
            )
    return rows


def time_section(old_report: Path, new_report: Path) -> dict[str, Any]:
    def medians(report: Path) -> tuple[dict[str, float], dict[str, float]]:
        per_workflow: dict[str, list[float]] = {}
        per_class: dict[str, list[float]] = {}
        for run in _runs(report):
            if "execution" in (run.get("phases") or {}):
                per_workflow.setdefault(run["workflow"], []).append(run["phases"]["execution"])
            for node in run.get("nodes") or []:
                if not node.get("cached"):
                    per_class.setdefault(node["class_type"], []).append(node["seconds"])
        return (
            {k: statistics.median(v) for k, v in per_workflow.items()},
            {k: statistics.median(v) for k, v in per_class.items()},
        )

    old_workflows, old_classes = medians(old_report)
    new_workflows, new_classes = medians(new_report)

    def rows(old: dict[str, float], new: dict[str, float], label: str) -> list[dict[str, Any]]:
        return [
            {
                label: name,
                "old_seconds": round(old[name], 4),
                "new_seconds": round(new[name], 4),
                "ratio": round(new[name] / old[name], 2) if old[name] else None,
            }
            for name in sorted(old.keys() & new.keys())
        ]

    return {
        "workflows": rows(old_workflows, new_workflows, "workflow"),
        "node_classes": rows(old_classes, new_classes, "class_type"),
    }


def _own(catalog: dict[str, Any], comfyui: bool) -> dict[str, Any]:
    """ComfyUI's own classes (``comfyui=True``) or those of custom node packs."""
    return {
        name: definition
        for name, definition in catalog.items()
        if str(definition.get("python_module") or "").startswith("custom_nodes.") != comfyui
    }


def custom_nodes_section(old: Side, new: Side) -> dict[str, Any]:
    old_packs, new_packs = old.packs(), new.packs()
    return {
        "old": old_packs,
        "new": new_packs,
        "only_old": sorted(old_packs.keys() - new_packs.keys()),
        "only_new": sorted(new_packs.keys() - old_packs.keys()),
        "failed_old": old.failed_packs(),
        "failed_new": new.failed_packs(),
    }


def build_report(
    old: Side,
    new: Side,
    workflows: Path | None = None,
    references: Path | None = None,
    runs: tuple[Path, Path] | None = None,
    protocol: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The whole report as one JSON-ready dict."""
    # ComfyUI's own classes; those of custom node packs are compared in their own section
    catalog = diff_catalogs(_own(old.object_info, True), _own(new.object_info, True))
    packs_catalog = diff_catalogs(_own(old.object_info, False), _own(new.object_info, False))
    every_change = {
        "removed": catalog["removed"] + packs_catalog["removed"],
        "changed": {**catalog["changed"], **packs_catalog["changed"]},
    }
    report: dict[str, Any] = {
        "old": side_summary(old),
        "new": side_summary(new),
        "what_changed": cause(side_summary(old), side_summary(new)),
        "catalog": catalog,
    }
    if workflows is not None:
        report["workflows"] = workflows_section(Path(workflows), old, new, every_change)
    outputs: list[dict[str, Any]] = []
    if runs is not None:
        outputs += outputs_from_runs(*runs)
        report["time"] = time_section(*runs)
    if references is not None:
        outputs += outputs_from_references(Path(references), old, new)
    if runs is not None or references is not None:
        report["outputs"] = outputs
    if protocol is not None:
        report["protocol"] = protocol
    report["custom_nodes"] = {**custom_nodes_section(old, new), "catalog": packs_catalog}
    report["summary"] = summary(report)
    return report


def summary(report: dict[str, Any]) -> dict[str, Any]:
    catalog = report["catalog"]
    found = {
        "classes_added": len(catalog["added"]),
        "classes_removed": len(catalog["removed"]),
        "classes_changed": len(catalog["changed"]),
    }
    if "workflows" in report:
        workflows = report["workflows"]
        found["workflows_breaking"] = sum(1 for w in workflows if w["verdict"] == "breaks")
        found["workflows_affected"] = sum(1 for w in workflows if w["affected"])
        found["workflows_fixed"] = sum(1 for w in workflows if w["verdict"] == "fixed")
    if "outputs" in report:
        found["outputs_changed"] = sum(1 for o in report["outputs"] if o.get("changed"))
        found["outputs_compared"] = len(report["outputs"])
    if "protocol" in report:
        found["protocol_differences"] = sum(1 for c in report["protocol"] if not c["same"])
    custom = report["custom_nodes"]
    found["packs_failed_old"] = len(custom["failed_old"])
    found["packs_failed_new"] = len(custom["failed_new"])
    return found
