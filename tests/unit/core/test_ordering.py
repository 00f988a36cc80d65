"""time_order must be exactly a stable argsort, whatever the spread and ties of the timestamps."""

from __future__ import annotations

import numpy as np
import pytest

from emitter.core.ordering import time_order


@pytest.mark.parametrize(
    "ts",
    [
        np.array([], dtype=np.int64),
        np.array([5], dtype=np.int64),
        np.array([3, 1, 2, 1, 3], dtype=np.int64),
        np.full(1000, 7, dtype=np.int64),  # all ties: the original order
        np.arange(10_000, 0, -1, dtype=np.int64),
    ],
)
def test_small_and_degenerate_inputs(ts: np.ndarray) -> None:
    assert np.array_equal(time_order(ts), np.argsort(ts, kind="stable"))


@pytest.mark.parametrize("seed", range(5))
def test_session_ordered_microsecond_timestamps_with_ties(seed: int) -> None:
    rng = np.random.default_rng(seed)
    # runs of ascending times (one per session), interleaved as sessions are, a few exact ties
    starts = rng.integers(1_700_000_000_000_000, 1_700_086_400_000_000, 5_000)
    lengths = rng.integers(1, 60, starts.size)
    ts = np.repeat(starts, lengths) + np.concatenate([np.cumsum(rng.integers(0, 3_000_000, n)) for n in lengths])
    ts[rng.integers(0, ts.size, 500)] = ts[0]
    assert np.array_equal(time_order(ts), np.argsort(ts, kind="stable"))


def test_spans_wider_than_the_coarse_key_and_negative_times() -> None:
    rng = np.random.default_rng(9)
    ts = rng.integers(-(2**60), 2**60, 50_000)
    assert np.array_equal(time_order(ts), np.argsort(ts, kind="stable"))
