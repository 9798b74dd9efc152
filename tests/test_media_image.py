"""Image checks on generated files, including broken ones."""

from __future__ import annotations

import io
import random
import struct
import zlib

import pytest
from PIL import Image

from ComfyLibrary.errors import MediaError
from ComfyLibrary.media import check_image, image_info


def noisy_png(path, size=(256, 256)):
    noise = random.Random(7).randbytes(size[0] * size[1] * 3)
    Image.frombytes("RGB", size, noise).save(path)
    return path


def test_valid_image_passes_every_check(tmp_path):
    info, problems = check_image(noisy_png(tmp_path / "a.png"), width=256, height=256, mode="RGB")
    assert problems == []
    assert (info.format, info.width, info.height) == ("PNG", 256, 256)


def test_every_failed_check_is_listed(tmp_path):
    _, problems = check_image(
        noisy_png(tmp_path / "a.png"), formats=["JPEG"], width=10, height=20, max_size=100
    )
    assert problems == [
        "format is PNG, expected one of JPEG",
        "width is 256, expected 10",
        "height is 256, expected 20",
        f"file size is {(tmp_path / 'a.png').stat().st_size} bytes, expected between 10240 and "
        "100 bytes",
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "is empty"),
        (b"this is not an image", "is not a readable image"),
    ],
)
def test_unreadable_files(tmp_path, content, message):
    path = tmp_path / "x.png"
    path.write_bytes(content)
    with pytest.raises(MediaError, match=message):
        image_info(path)


def test_truncated_png(tmp_path):
    source = noisy_png(tmp_path / "full.png")
    data = source.read_bytes()
    truncated = tmp_path / "cut.png"
    truncated.write_bytes(data[: len(data) // 2])
    with pytest.raises(MediaError, match="is not a readable image"):
        image_info(truncated)


def test_missing_file(tmp_path):
    with pytest.raises(MediaError, match="does not exist"):
        image_info(tmp_path / "nope.png")


def decompression_bomb(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims a huge image."""

    def chunk(kind: bytes, payload: bytes) -> bytes:
        return (
            struct.pack(">I", len(payload))
            + kind
            + payload
            + struct.pack(">I", zlib.crc32(kind + payload) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    body = zlib.compress(b"\0" * 1024)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")
    )


def test_decompression_bomb_is_refused(tmp_path):
    path = tmp_path / "bomb.png"
    path.write_bytes(decompression_bomb(100_000, 100_000))
    with pytest.raises(MediaError, match="decompression bomb"):
        image_info(path)


def test_wrong_extension_still_reports_real_format(tmp_path):
    path = tmp_path / "really_jpeg.png"
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, format="JPEG")
    path.write_bytes(buffer.getvalue())
    _, problems = check_image(path, formats=["PNG"], min_size=None)
    assert problems == ["format is JPEG, expected one of PNG"]


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        (".", r"is a folder, not a file"),
        ("dangling.png", r"does not exist \(a link to a missing file\)"),
        ("misspelt.pgn", r"misspelt.pgn does not exist\.$"),
    ],
)
def test_a_path_that_is_no_image_file_is_named_in_one_line(tmp_path, name, problem):
    (tmp_path / "dangling.png").symlink_to(tmp_path / "gone.png")
    with pytest.raises(MediaError, match=problem):
        image_info(tmp_path / name)
