"""Lets a torchvision built for CUDA import beside a CPU-only torch.

On a machine whose package index holds a CPU build of torch but only CUDA builds of
torchvision, torchvision's C++ extension cannot load (it links torch's CUDA libraries).
torchvision copes with that for most of its operators, but its fake-tensor registration
of ``nms`` and ``qnms`` is unguarded, so ``import torchvision`` fails with
``operator torchvision::nms does not exist``. ComfyUI imports torchvision for its
transforms (pure Python) and never calls those operators in the pipelines tested here.

Installed through a ``.pth`` file, this module waits, without importing anything, until
``torchvision._meta_registrations`` is imported. Then, only if torchvision's extension did
not load, it declares the two operators' schemas, so that the import succeeds. The
operators stay without kernels: calling one fails with torch's own error, as it should.
Where the extension loads (a matching torch and torchvision), it does nothing.
"""

from __future__ import annotations

import importlib.abc
import sys

_TARGET = "torchvision._meta_registrations"
_SCHEMAS = (
    "nms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor",
    "qnms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor",
)
_libraries: list[object] = []  # a torch.library.Library is undone when collected


def _declare_missing_operators() -> None:
    import torch
    import torchvision.extension

    if torchvision.extension._has_ops():
        return
    library = torch.library.Library("torchvision", "FRAGMENT")
    for schema in _SCHEMAS:
        name = schema.split("(", 1)[0]
        if not _defined(name):
            library.define(schema)
    _libraries.append(library)


def _defined(name: str) -> bool:
    import torch

    try:
        torch._C._dispatch_find_schema_or_throw(f"torchvision::{name}", "")
    except RuntimeError:
        return False
    return True


class _BeforeMetaRegistrations(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname: str, path: object, target: object = None) -> None:
        if fullname == _TARGET:
            sys.meta_path.remove(self)
            _declare_missing_operators()


if not any(isinstance(finder, _BeforeMetaRegistrations) for finder in sys.meta_path):
    sys.meta_path.insert(0, _BeforeMetaRegistrations())
