"""The ComfyUI versions the mock can be, each recorded from that real version
(tests/recorders/record_version.py): its node catalog and node facts, the versions its
``/system_stats`` reports, and its protocol fingerprint, from which the mock takes which
routes that version lacks, its ``/features`` and the keys of its history entries."""

from __future__ import annotations

import functools
import gzip
import json
from dataclasses import dataclass
from importlib import resources
from typing import Any

DEFAULT_VERSION = "0.8.0"


@dataclass(frozen=True)
class VersionFacts:
    version: str
    system: dict[str, Any]
    features: dict[str, Any]
    absent_routes: tuple[str, ...]  # routes 0.8 has and this version answers 404
    history_extra_keys: tuple[str, ...]  # what a history entry's extra_data holds
    object_info_keys: tuple[str, ...]  # the keys any class of its /object_info may have


def _data(version: str, name: str) -> bytes:
    return (
        resources.files("ComfyLibrary.mock")
        .joinpath(f"data/versions/{version}/{name}")
        .read_bytes()
    )


@functools.cache
def supported() -> tuple[str, ...]:
    """The versions recorded, oldest first."""
    folder = resources.files("ComfyLibrary.mock").joinpath("data/versions")
    names = [entry.name for entry in folder.iterdir() if entry.is_dir()]
    return tuple(sorted(names, key=lambda v: tuple(int(p) for p in v.split("."))))


def check_version(version: str) -> str:
    """``version`` when the mock can be it; otherwise a ValueError naming the ones it can."""
    text = str(version).strip().removeprefix("v")
    if text not in supported():
        raise ValueError(
            f"the mock cannot be ComfyUI {version}: it can be {', '.join(supported())}"
        )
    return text


@functools.cache
def version_facts(version: str) -> VersionFacts:
    version = check_version(version)
    described = json.loads(_data(version, "server.json"))
    newest = json.loads(_data(DEFAULT_VERSION, "server.json"))["fingerprint"]
    checks = described["fingerprint"]
    absent = tuple(
        name.removeprefix("route ")
        for name, status in checks.items()
        if name.startswith("route ") and status == 404 and newest.get(name) == 200
    )
    return VersionFacts(
        version=version,
        system=dict(described["system"]),
        features=dict(checks.get("features") or {}),
        absent_routes=absent,
        history_extra_keys=tuple(checks.get("history extra_data keys") or ()),
        object_info_keys=tuple(checks.get("object_info keys of any class") or ()),
    )


@functools.cache
def _object_info(version: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(gzip.decompress(_data(version, "object_info.json.gz")))
    return loaded


def version_object_info(version: str) -> dict[str, Any]:
    """That version's node catalog: a dict of its own, its definitions shared, read-only."""
    return dict(_object_info(check_version(version)))


@functools.cache
def version_node_facts(version: str) -> dict[str, Any]:
    facts: dict[str, Any] = json.loads(_data(check_version(version), "node_facts.json"))
    return facts


def is_absent(path: str, facts: VersionFacts) -> bool:
    """Whether ``path`` (with or without the ``/api`` prefix) is a route this version lacks,
    or one under it (``/api/jobs/<id>`` under ``/api/jobs``)."""
    bare = path.removeprefix("/api") if path.startswith("/api/") else path
    for route in facts.absent_routes:
        for form in {route, route.removeprefix("/api")}:
            if form and any(p == form or p.startswith(form + "/") for p in (bare, path)):
                return True
    return False
