"""Writes the tiny random-weight test models into ComfyUI's models folder layout.

Every value is a function of the variant, the model part and the tensor's key alone
(SHA-256 seeds a PCG64 bit stream, whose output NumPy keeps stable across releases), so the
same command writes the same bytes on any machine, in any order, and the merged
checkpoint holds exactly the tensors of the separate files. Weights are uniform with
variance 1/fan_in, norm scales 1 and biases 0: random, yet a real ComfyUI samples and
decodes them to a coloured-noise image, never a black or NaN one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ComfyLibrary.testmodels.layouts import FAN_IN, ONE, Tensor, clip_l, sd15_unet, taesd
from ComfyLibrary.testmodels.safetensors_file import Entry, encode_header, write_safetensors

GENERATOR = "comfylibrary-test-models/1"
DTYPE = np.dtype("float16")

PARTS: dict[str, Callable[[], list[Tensor]]] = {
    "unet": sd15_unet,
    "unet-b": sd15_unet,  # the same shapes with other values: a visibly different model
    "clip-l": clip_l,
    "taesd": taesd,
}


@dataclass(frozen=True)
class TestModel:
    """One file the command writes: where, and which parts under which key prefixes."""

    folder: str
    name: str
    parts: tuple[tuple[str, str], ...]

    @property
    def relative(self) -> str:
        return f"{self.folder}/{self.name}"


TEST_MODELS = (
    TestModel(
        "checkpoints",
        "comfylibrary-tiny-sd15.safetensors",
        (
            ("model.diffusion_model.", "unet"),
            ("cond_stage_model.transformer.", "clip-l"),
            ("first_stage_model.", "taesd"),
        ),
    ),
    TestModel("diffusion_models", "comfylibrary-tiny-unet.safetensors", (("", "unet"),)),
    TestModel("diffusion_models", "comfylibrary-tiny-unet-b.safetensors", (("", "unet-b"),)),
    TestModel("text_encoders", "comfylibrary-tiny-clip-l.safetensors", (("", "clip-l"),)),
    TestModel("vae", "comfylibrary-tiny-taesd.safetensors", (("", "taesd"),)),
)


@dataclass(frozen=True)
class WrittenModel:
    """What the command did with one file."""

    relative: str
    path: Path
    size: int
    sha256: str
    written: bool

    def line(self) -> str:
        action = "written" if self.written else "present"
        return f"{action:7}  {self.relative}  {self.size:,} bytes  sha256:{self.sha256}"


def tensor_values(variant: int, part: str, tensor: Tensor) -> np.ndarray:
    """The deterministic float16 values of one tensor."""
    if tensor.init != FAN_IN:
        fill = 1.0 if tensor.init == ONE else 0.0
        return np.full(tensor.shape, fill, dtype=DTYPE)
    seed_text = f"{GENERATOR}/{variant}/{part}/{tensor.key}".encode()
    seed = int.from_bytes(hashlib.sha256(seed_text).digest()[:16], "little")
    bits = np.random.PCG64(seed).random_raw(tensor.count)
    unit = (bits >> np.uint64(40)).astype(np.float32) * np.float32(2.0**-24)  # [0, 1)
    fan_in = max(1, tensor.count // tensor.shape[0])
    bound = np.float32(np.sqrt(3.0 / fan_in))  # uniform(-b, b) has variance 1/fan_in
    return ((unit * 2 - 1) * bound).astype(DTYPE).reshape(tensor.shape)


def _entries(model: TestModel) -> list[tuple[str, tuple[int, ...], np.dtype, str, Tensor]]:
    return [
        (prefix + tensor.key, tensor.shape, DTYPE, part, tensor)
        for prefix, part in model.parts
        for tensor in PARTS[part]()
    ]


def _file_entries(model: TestModel) -> list[Entry]:
    return [(key, shape, dtype) for key, shape, dtype, _, _ in _entries(model)]


def _metadata(model: TestModel, variant: int) -> dict[str, str]:
    return {
        "format": "pt",
        "comfylibrary.generator": GENERATOR,
        "comfylibrary.model": model.name.removesuffix(".safetensors"),
        "comfylibrary.variant": str(variant),
    }


def _is_present(path: Path, model: TestModel, variant: int) -> bool:
    head, size = encode_header(_file_entries(model), _metadata(model, variant))
    try:
        if path.stat().st_size != size:
            return False
        with open(path, "rb") as handle:
            return handle.read(len(head)) == head
    except OSError:
        return False


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 22):
            digest.update(chunk)
    return digest.hexdigest()


def write_test_models(
    models_dir: Path | str,
    variant: int = 0,
    log: Callable[[str], None] | None = None,
) -> list[WrittenModel]:
    """Writes the test models under ``models_dir`` (ComfyUI's ``models`` folder layout) and
    returns what was done with each. Files that are there already, with the exact header
    and size this variant writes, are left alone; anything else under those names is
    replaced. ``log`` receives one line per file: name, size, sha256.
    """
    if variant < 0:
        raise ValueError(f"variant must be 0 or more, not {variant}")
    if not str(models_dir).strip():
        # Path("") is the current folder: 660 MB would land wherever the run happens to be
        raise ValueError("the models folder is empty: give ComfyUI's models folder")
    root = Path(models_dir)
    cache: dict[tuple[str, str], np.ndarray] = {}

    def values(part: str, tensor: Tensor) -> np.ndarray:
        key = (part, tensor.key)
        if key not in cache:
            cache[key] = tensor_values(variant, part, tensor)
        return cache[key]

    results = []
    for model in TEST_MODELS:
        path = root / model.folder / model.name
        written = not _is_present(path, model, variant)
        if written:
            by_key = {key: (part, tensor) for key, _, _, part, tensor in _entries(model)}

            def tensor_of(key: str, by_key=by_key) -> np.ndarray:
                return values(*by_key[key])

            write_safetensors(path, _file_entries(model), tensor_of, _metadata(model, variant))
        result = WrittenModel(model.relative, path, path.stat().st_size, _sha256(path), written)
        if log is not None:
            log(result.line())
        results.append(result)
    return results
