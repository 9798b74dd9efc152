"""A team's ComfyUI profile (``comfy-mock capture``), read for the mock to serve."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class ServedProfile:
    """What the mock serves from a profile instead of its own 0.8 answers."""

    object_info: dict[str, Any]
    models: dict[str, list[str]]
    system: dict[str, Any] = field(default_factory=dict)
    devices: list[dict[str, Any]] = field(default_factory=list)
    embeddings: list[str] = field(default_factory=list)
    extensions: list[str] = field(default_factory=list)
    features: dict[str, Any] | None = None
    behaviours: dict[str, dict[str, Any]] = field(default_factory=dict)


def load_profile(path: Path) -> ServedProfile:
    """Reads a profile file; a file that is not one fails in one line naming what is wrong."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ValueError(f"cannot read the profile {path}: {exc.strerror or exc}") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValueError(f"the profile {path} is not JSON ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("object_info"), dict):
        raise ValueError(
            f"{path} is not a ComfyUI profile (no 'object_info' object): capture one with "
            "'comfy-mock capture URL FILE' or 'Capture ComfyUI Profile'"
        )
    models = data.get("models") or {}
    if not isinstance(models, dict) or not all(isinstance(v, list) for v in models.values()):
        raise ValueError(f"{path}: 'models' must be an object of folder -> [file names]")
    behaviours = data.get("behaviours") or {}
    if not isinstance(behaviours, dict) or not all(
        isinstance(v, dict) for v in behaviours.values()
    ):
        raise ValueError(
            f"{path}: 'behaviours' must map class names to objects such as "
            '{"like": "ImageScaleBy"} or {"outputs": {"0": "image"}}'
        )
    for name, behaviour in behaviours.items():
        unknown = set(behaviour) - {"like", "outputs"}
        if unknown:
            raise ValueError(
                f"{path}: the behaviour of {name} has {sorted(unknown)}; "
                "only 'like' and 'outputs' are understood"
            )
    stats = data.get("system_stats") or {}
    return ServedProfile(
        object_info=data["object_info"],
        models={str(k): [str(x) for x in v] for k, v in models.items()},
        system=dict(stats.get("system") or {}),
        devices=list(stats.get("devices") or []),
        embeddings=[str(x) for x in data.get("embeddings") or []],
        extensions=[str(x) for x in data.get("extensions") or []],
        features=data.get("features") if isinstance(data.get("features"), dict) else None,
        behaviours=behaviours,
    )
