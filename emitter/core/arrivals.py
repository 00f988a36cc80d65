"""Non-homogeneous arrivals: counts per (entity, slot) are Poisson, times are placed inside each slot.

The intensity is piecewise constant over 15-minute slots, so a uniform position inside a slot is
exactly the conditional distribution of arrival times: no "N rows spread evenly over the day".
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from emitter.core.clock import MICROS_PER_SLOT, SLOTS_PER_DAY


def hour_curve(points: dict[float, float]) -> npt.NDArray[np.float64]:
    """Interpolate a daily shape given at hour marks (e.g. {12.5: 1.6}) onto the 96 slot midpoints.

    The result is normalised to mean 1 over the day, so it multiplies a daily rate into slot rates.
    """
    hours = np.array(sorted(points), dtype=np.float64)
    values = np.array([points[h] for h in sorted(points)], dtype=np.float64)
    mids = (np.arange(SLOTS_PER_DAY) + 0.5) * 24.0 / SLOTS_PER_DAY
    # wrap around midnight so the curve is periodic
    xs = np.concatenate([hours - 24.0, hours, hours + 24.0])
    ys = np.concatenate([values, values, values])
    curve = np.interp(mids, xs, ys)
    return np.asarray(curve / curve.mean(), dtype=np.float64)


def draw_arrivals(
    rng: np.random.Generator, rate: npt.NDArray[np.float64], day_start_us: int
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Draw arrivals for each entity over one day.

    Args:
        rng: the block's generator.
        rate: expected arrivals per (entity, slot), shape (n_entities, SLOTS_PER_DAY).
        day_start_us: midnight of the day.

    Returns:
        (entity index, timestamp in µs) per arrival, ordered by entity then slot (not by time inside a slot).
    """
    counts = rng.poisson(rate).astype(np.int64)
    flat = counts.ravel()
    cell = np.repeat(np.arange(flat.size, dtype=np.int64), flat)
    entity = cell // SLOTS_PER_DAY
    slot = cell % SLOTS_PER_DAY
    offset = (rng.random(cell.size) * MICROS_PER_SLOT).astype(np.int64)
    return entity, day_start_us + slot * MICROS_PER_SLOT + offset


def times_in_day(rng: np.random.Generator, curve: npt.NDArray[np.float64], n: int) -> npt.NDArray[np.int64]:
    """``n`` offsets into a day (µs) drawn from a 96-slot curve of any positive weights, uniform inside each slot."""
    slot = cdf_pick(rng, shares_cdf(curve), n)
    return slot * MICROS_PER_SLOT + (rng.random(n) * MICROS_PER_SLOT).astype(np.int64)


def cdf_pick(rng: np.random.Generator, cdf: npt.NDArray[np.float64], n: int) -> npt.NDArray[np.int64]:
    """Draw n indices from a categorical distribution given by its cumulative sum (last value 1)."""
    return np.minimum(bucket(rng.random(n), cdf), cdf.size - 1)


SMALL_EDGES = 8  # up to this many edges, comparing against each beats a binary search per value


def bucket(values: npt.NDArray[np.float64], edges: npt.NDArray[np.float64]) -> npt.NDArray[np.int64]:
    """How many of the ascending ``edges`` are ≤ each value: ``np.searchsorted(edges, values, side="right")``."""
    if edges.size > SMALL_EDGES:
        return np.searchsorted(edges, values, side="right").astype(np.int64)
    out = np.zeros(values.size, dtype=np.int64)
    for edge in edges:
        out += values >= edge
    return out


def shares_cdf(shares: npt.ArrayLike) -> npt.NDArray[np.float64]:
    w = np.asarray(shares, dtype=np.float64)
    cdf = np.cumsum(w / w.sum())
    cdf[-1] = 1.0
    return cdf


def exact_shares(rng: np.random.Generator, shares: npt.ArrayLike, n: int) -> npt.NDArray[np.int64]:
    """A category per row holding ``shares`` of the ``n`` rows exactly (largest remainders), in random order.

    For mixes a small table must show as declared (a seed's 25 % of 60 customers is 15, not 11 or 19).
    """
    w = np.asarray(shares, dtype=np.float64)
    quota = w / w.sum() * n
    counts = np.floor(quota).astype(np.int64)
    counts[np.argsort(-(quota - counts), kind="stable")[: n - int(counts.sum())]] += 1
    return rng.permutation(np.repeat(np.arange(w.size), counts)).astype(np.int64)
