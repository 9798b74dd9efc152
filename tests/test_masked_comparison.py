"""Masked regions leave the SSIM score: they are neither matches nor differences."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from ComfyLibrary.errors import MediaError
from ComfyLibrary.media.compare import compare

pytestmark = pytest.mark.portable  # no local server process: runs on macOS and Windows


def noise(path, seed: int, size=(256, 256)):
    rng = np.random.default_rng(seed)
    smooth = rng.integers(0, 256, (size[1] // 8, size[0] // 8, 3), dtype=np.uint8)
    Image.fromarray(smooth).resize(size, Image.Resampling.BILINEAR).save(path)
    return path


def test_masking_most_of_two_unrelated_images_does_not_make_them_similar(tmp_path):
    first, second = noise(tmp_path / "a.png", 1), noise(tmp_path / "b.png", 2)
    unmasked = compare(first, second).score
    # 90 % masked: before, the zeroed area counted as a perfect match (0.012 -> 0.914)
    masked = compare(first, second, masks=[(0, 0, 256, 230)]).score
    assert unmasked < 0.3
    assert masked < 0.3
    assert abs(masked - unmasked) < 0.2


def test_a_difference_under_a_mask_leaves_the_score_at_one(tmp_path):
    first = noise(tmp_path / "a.png", 3)
    image = Image.open(first).convert("RGB")
    image.paste((255, 0, 0), (100, 100, 160, 140))  # a caption, a watermark, a clock
    changed = tmp_path / "changed.png"
    image.save(changed)
    assert compare(first, changed).score < 0.99
    assert compare(first, changed, masks=[(100, 100, 60, 40)]).score == pytest.approx(1.0)


def test_masks_that_cover_everything_are_refused_in_one_line(tmp_path):
    first, second = noise(tmp_path / "a.png", 4), noise(tmp_path / "b.png", 5)
    with pytest.raises(MediaError, match="The masks leave no part of the image to compare"):
        compare(first, second, masks=[(0, 0, 256, 256)])
