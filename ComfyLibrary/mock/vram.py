"""Simulated GPU memory: models a prompt loads stay loaded (as ComfyUI keeps them) and
take VRAM until ``POST /free`` unloads them; ``/system_stats`` reports what is left.

Sizes are plausible and deterministic: a model file's size follows from its kind and
name (a "19b" checkpoint weighs more than an SD 1.5 one), so a run's peak VRAM changes
when a workflow loads other models, and a baseline can catch it.
"""

from __future__ import annotations

import hashlib
import re
import threading

GIB = 1024**3
SIMULATED_VRAM = 48 * GIB  # the device the mock reports in /system_stats
# kind -> (smallest, largest) size in GiB for a model of that kind
SIZE_RANGES = {
    "MODEL": (2.0, 12.0),
    "CLIP": (0.5, 8.0),
    "VAE": (0.1, 0.4),
    "LORA": (0.05, 1.0),
    "UPSCALE": (0.1, 1.0),
}


def model_size(kind: str, name: str) -> int:
    """Bytes a model takes on the device: from the parameter count in its name when there
    is one (``19b``, ``4b``, at a byte per parameter for fp8 names and two otherwise),
    else a deterministic value in the range of its kind."""
    match = re.search(r"(\d+(?:\.\d+)?)b(?![a-z])", name.lower())
    if match and kind in ("MODEL", "CLIP"):
        per_parameter = 1 if "fp8" in name.lower() or "fp4" in name.lower() else 2
        return int(float(match.group(1)) * 1e9 * per_parameter)
    low, high = SIZE_RANGES.get(kind, (0.1, 1.0))
    fraction = int(hashlib.sha256(f"{kind}:{name}".encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
    return int((low + (high - low) * fraction) * GIB)


class LoadedModels:
    """What the simulated device holds; shared by the worker and the HTTP handlers."""

    def __init__(self) -> None:
        self._loaded: dict[tuple[str, str], int] = {}
        self._lock = threading.Lock()

    def load(self, kind: str, name: str) -> None:
        with self._lock:
            self._loaded.setdefault((kind, name), model_size(kind, name))

    def used(self) -> int:
        with self._lock:
            return sum(self._loaded.values())

    def unload_all(self) -> None:
        with self._lock:
            self._loaded.clear()
