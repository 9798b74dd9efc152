"""Writing and reading the header of ``.safetensors`` files, with NumPy only.

The format: an 8-byte little-endian header length, a JSON header naming each tensor's
dtype, shape and byte range, then the raw little-endian tensor bytes. Writing it here
keeps the library free of torch: the test models need no deep-learning framework.
"""

from __future__ import annotations

import json
import os
import struct
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np

DTYPES = {np.dtype("float16"): "F16", np.dtype("float32"): "F32"}
HEADER_ALIGNMENT = 8
MAX_HEADER_BYTES = 100 * 1024 * 1024


Entry = tuple[str, tuple[int, ...], np.dtype]


def encode_header(entries: Iterable[Entry], metadata: dict[str, str]) -> tuple[bytes, int]:
    """The bytes a file of these tensors starts with (length and JSON header), and the
    file's total size. The same entries and metadata always give the same bytes."""
    header: dict[str, object] = {"__metadata__": dict(metadata)}
    offset = 0
    for key, shape, dtype in entries:
        size = int(np.prod(shape, dtype=np.int64)) * np.dtype(dtype).itemsize
        header[key] = {
            "dtype": DTYPES[np.dtype(dtype)],
            "shape": list(shape),
            "data_offsets": [offset, offset + size],
        }
        offset += size
    encoded = json.dumps(header, separators=(",", ":")).encode()
    encoded += b" " * (-len(encoded) % HEADER_ALIGNMENT)
    head = struct.pack("<Q", len(encoded)) + encoded
    return head, len(head) + offset


def write_safetensors(
    path: Path,
    entries: list[Entry],
    tensor: Callable[[str], np.ndarray],
    metadata: dict[str, str],
) -> None:
    """Writes ``path`` atomically: a temporary file beside it, renamed when complete, so a
    run stopped half-way never leaves a file that looks whole.

    ``entries`` gives each tensor's key, shape and dtype in file order; ``tensor(key)``
    returns its values when they are written, one at a time.
    """
    head, _ = encode_header(entries, metadata)
    partial = path.with_name(f".{path.name}.partial")
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with open(partial, "wb") as out:
            out.write(head)
            for key, shape, dtype in entries:
                values = np.asarray(tensor(key), dtype=np.dtype(dtype).newbyteorder("<"))
                if values.shape != tuple(shape):
                    raise ValueError(f"{key}: values of shape {values.shape}, expected {shape}")
                out.write(values.tobytes())
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def read_header(path: Path) -> dict[str, object]:
    """The JSON header of a ``.safetensors`` file; ValueError if it is not one."""
    with open(path, "rb") as handle:
        raw = handle.read(8)
        if len(raw) != 8:
            raise ValueError(f"{path} is too short to be a safetensors file")
        (length,) = struct.unpack("<Q", raw)
        if length > MAX_HEADER_BYTES:
            raise ValueError(f"{path} has no safetensors header")
        text = handle.read(length)
    try:
        header = json.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path} has no readable safetensors header: {exc}") from None
    if not isinstance(header, dict):
        raise ValueError(f"{path} has no safetensors header")
    return header
