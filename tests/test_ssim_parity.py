"""The library's SSIM is scikit-image's: the same score on a range of image pairs."""

from __future__ import annotations

import numpy as np
import pytest

from ComfyLibrary.media.compare import ssim

pytestmark = pytest.mark.portable  # no local server process: runs on macOS and Windows

structural_similarity = pytest.importorskip("skimage.metrics").structural_similarity


def _pairs():
    rng = np.random.default_rng(7)
    noise = rng.integers(0, 256, (64, 80)).astype(np.float64)
    ramp = np.tile(np.linspace(0, 255, 80), (64, 1))
    yield "identical noise", noise, noise.copy()
    yield "noise vs noise", noise, rng.integers(0, 256, (64, 80)).astype(np.float64)
    yield "slightly noisy ramp", ramp, np.clip(ramp + rng.normal(0, 8, ramp.shape), 0, 255)
    yield "brighter", ramp, np.clip(ramp + 30, 0, 255)
    yield "flat vs flat", np.full((20, 20), 10.0), np.full((20, 20), 200.0)
    shifted = np.roll(noise, 3, axis=1)
    yield "shifted", noise, shifted
    yield "small", noise[:9, :11], shifted[:9, :11]


@pytest.mark.parametrize(("name", "first", "second"), list(_pairs()), ids=lambda v: str(v)[:20])
def test_scores_match_scikit_image(name, first, second):
    ours, _ = ssim(first, second)
    theirs = structural_similarity(first, second, data_range=255)
    assert ours == pytest.approx(theirs, abs=1e-9), name
