"""Arrival curves and the non-homogeneous Poisson draw."""

from __future__ import annotations

import numpy as np
import pytest

from emitter.core.arrivals import cdf_pick, draw_arrivals, hour_curve, shares_cdf
from emitter.core.clock import MICROS_PER_DAY, MICROS_PER_SLOT, SLOTS_PER_DAY

DAY0 = 19_783 * MICROS_PER_DAY  # 2024-03-01


def rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


def test_slot_grid() -> None:
    assert SLOTS_PER_DAY * MICROS_PER_SLOT == MICROS_PER_DAY
    assert MICROS_PER_SLOT == 15 * 60 * 1_000_000


def test_zero_rate_gives_no_arrivals() -> None:
    entity, ts = draw_arrivals(rng(), np.zeros((5, SLOTS_PER_DAY)), DAY0)
    assert entity.size == 0 and ts.size == 0


def test_arrivals_fall_only_in_slots_with_rate_and_inside_them() -> None:
    r = rng(1)
    rate = np.where(r.random((4, SLOTS_PER_DAY)) < 0.3, 5.0, 0.0)
    entity, ts = draw_arrivals(r, rate, DAY0)
    assert entity.size > 0
    assert ((ts >= DAY0) & (ts < DAY0 + MICROS_PER_DAY)).all()
    slot = (ts - DAY0) // MICROS_PER_SLOT
    assert (rate[entity, slot] > 0).all()
    # ordered by entity then slot, as documented
    key = entity * SLOTS_PER_DAY + slot
    assert (np.diff(key) >= 0).all()


def test_times_are_spread_over_the_whole_slot() -> None:
    rate = np.zeros((1, SLOTS_PER_DAY))
    rate[0, 40] = 20_000.0
    _, ts = draw_arrivals(rng(2), rate, DAY0)
    pos = (ts - DAY0 - 40 * MICROS_PER_SLOT) / MICROS_PER_SLOT
    assert pos.min() >= 0 and pos.max() < 1
    # uniform inside the slot: each tenth holds about a tenth
    tenths = np.bincount((pos * 10).astype(int), minlength=10) / pos.size
    assert np.allclose(tenths, 0.1, atol=0.01)


def test_counts_follow_the_rate() -> None:
    """Over many days, arrivals per (entity, slot) average the rate, with Poisson dispersion."""
    r = rng(3)
    shape = hour_curve({3.0: 0.1, 12.0: 2.0, 18.0: 3.0})
    rate = np.stack([shape * 2.0, shape * 0.5, np.zeros(SLOTS_PER_DAY)])
    days = 400
    counts = np.zeros((days, *rate.shape))
    for d in range(days):
        entity, ts = draw_arrivals(r, rate, DAY0)
        slot = (ts - DAY0) // MICROS_PER_SLOT
        np.add.at(counts[d], (entity, slot), 1)
    mean = counts.mean(axis=0)
    assert counts[:, 2].sum() == 0
    # total mass per entity within 2% of the expected
    assert mean.sum(axis=1)[:2] == pytest.approx(rate.sum(axis=1)[:2], rel=0.02)
    # mass by slot proportional to the rate (z-scores of slot means)
    z = (mean[:2] - rate[:2]) / np.sqrt(rate[:2] / days)
    assert np.abs(z).max() < 5
    assert np.mean(np.abs(z)) < 1.2
    # Poisson: variance ≈ mean on the busy entity
    var = counts[:, 0].var(axis=0)
    assert np.median(var / rate[0]) == pytest.approx(1.0, abs=0.15)


def test_hour_curve_has_mean_one_and_peaks_where_asked() -> None:
    curve = hour_curve({0.0: 0.1, 6.0: 0.5, 12.5: 2.0, 18.0: 1.0})
    assert curve.shape == (SLOTS_PER_DAY,)
    assert curve.mean() == pytest.approx(1.0)
    assert (curve > 0).all()
    peak_hour = (np.argmax(curve) + 0.5) * 24 / SLOTS_PER_DAY
    assert abs(peak_hour - 12.5) <= 0.25
    # periodic: the two ends of the day are close, no jump at midnight
    assert abs(curve[0] - curve[-1]) < 0.05 * curve.max()


def test_hour_curve_of_a_constant_is_flat() -> None:
    assert np.allclose(hour_curve({9.0: 3.0}), 1.0)


def test_shares_cdf_and_cdf_pick_reproduce_shares() -> None:
    shares = [0.42, 0.28, 0.0, 0.14, 0.16]
    cdf = shares_cdf(shares)
    assert cdf[-1] == 1.0 and (np.diff(cdf) >= 0).all()
    idx = cdf_pick(rng(4), cdf, 200_000)
    freq = np.bincount(idx, minlength=len(shares)) / idx.size
    assert freq[2] == 0
    assert np.allclose(freq, shares, atol=0.005)


def test_shares_cdf_normalises_weights() -> None:
    assert np.allclose(shares_cdf([2, 2, 4]), [0.25, 0.5, 1.0])


def test_bucket_counts_edges_like_a_binary_search_for_small_and_large_edge_sets() -> None:
    import numpy as np

    from emitter.core.arrivals import bucket

    rng = np.random.default_rng(3)
    values = np.concatenate([rng.random(10_000), [0.0, 0.25, 0.5, 1.0]])
    for size in (1, 3, 8, 9, 40):
        edges = np.sort(rng.random(size))
        edges[0] = 0.25  # a value exactly on an edge counts that edge
        edges.sort()
        assert np.array_equal(bucket(values, edges), np.searchsorted(edges, values, side="right")), size
