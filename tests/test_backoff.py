"""The reconnection backoff schedule, deterministically."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ComfyLibrary.client.connection import Backoff

pytestmark = pytest.mark.portable  # no local server process: runs on macOS and Windows


def test_default_schedule_without_jitter():
    backoff = Backoff(jitter=0)
    expected = [0.05, 0.075, 0.1125, 0.1688, 0.2531, 0.3797, 0.5695, 0.8543]
    assert [round(backoff.delay(n), 4) for n in range(1, 9)] == expected
    assert backoff.delay(20) == 1.0


def test_jitter_bounds():
    backoff = Backoff(initial=1, multiplier=2, max_delay=15, jitter=0.15)
    assert backoff.delay(1, rng=lambda: 0.0) == 0.85
    assert backoff.delay(1, rng=lambda: 1.0) == 1.15


def test_max_attempts():
    assert not Backoff(max_attempts=0).exhausted(10_000)
    assert not Backoff(max_attempts=3).exhausted(3)
    assert Backoff(max_attempts=3).exhausted(4)


@given(st.integers(min_value=1, max_value=200), st.floats(min_value=0, max_value=1))
def test_delay_never_exceeds_cap_plus_jitter(attempt, roll):
    backoff = Backoff(jitter=0.1)
    delay = backoff.delay(attempt, rng=lambda: roll)
    assert 0 <= delay <= 1.0 * 1.1 + 1e-9
