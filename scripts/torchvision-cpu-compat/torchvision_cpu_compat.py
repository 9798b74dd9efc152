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

torchaudio has the same trouble in another place: its CUDA build's extension cannot load
either, and its loader raises instead of reporting the extension absent. This module wraps
that loader as ``torchaudio._extension.utils`` is imported, so that a library that cannot
load counts as absent and torchaudio runs on its pure-Python code, as it does where no
extension was built. Without torchaudio ComfyUI leaves out its audio nodes.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
from typing import Any

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


_AUDIO_TARGET = "torchaudio._extension.utils"


def _tolerant(load_lib: Any) -> Any:
    def load_lib_or_report_absent(lib: str) -> bool:
        try:
            return bool(load_lib(lib))
        except OSError:  # linked against libraries this torch lacks (a CUDA build)
            return False

    return load_lib_or_report_absent


class _PatchAfterExec(importlib.abc.Loader):
    def __init__(self, loader: Any):
        self.loader = loader

    def create_module(self, spec: Any) -> Any:
        return self.loader.create_module(spec)

    def exec_module(self, module: Any) -> None:
        self.loader.exec_module(module)
        module._load_lib = _tolerant(module._load_lib)


class _BeforeMetaRegistrations(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname: str, path: Any, target: object = None) -> Any:
        if fullname == _TARGET:
            _declare_missing_operators()
        elif fullname == _AUDIO_TARGET:
            spec = importlib.machinery.PathFinder.find_spec(fullname, path)
            if spec is not None and spec.loader is not None:
                spec.loader = _PatchAfterExec(spec.loader)
            return spec
        return None


if not any(isinstance(finder, _BeforeMetaRegistrations) for finder in sys.meta_path):
    sys.meta_path.insert(0, _BeforeMetaRegistrations())
