"""Cheap fixed-bucket histograms the hot loops feed, read by the scraper as Prometheus histograms.

Observing is a bisect and two additions in the loop's thread; nothing is locked. A scrape copies the
counts (one list copy, atomic under the GIL), so it never holds the loop up.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Mapping, Sequence

from prometheus_client.core import HistogramMetricFamily

# seconds: from sub-millisecond deliveries and commits up to a minute
LATENCY_BOUNDS: tuple[float, ...] = (
    0.0005,
    0.001,
    0.0025,
    0.005,
    0.01,
    0.025,
    0.05,
    0.1,
    0.25,
    0.5,
    1.0,
    2.5,
    5.0,
    10.0,
    30.0,
    60.0,
)


class Buckets:
    """Counts per upper bound (``le``), the last one for everything above the largest bound."""

    __slots__ = ("bounds", "counts", "total")

    def __init__(self, bounds: Sequence[float] = LATENCY_BOUNDS) -> None:
        self.bounds = tuple(bounds)
        self.counts = [0] * (len(self.bounds) + 1)
        self.total = 0.0

    def observe(self, value: float) -> None:
        self.counts[bisect_left(self.bounds, value)] += 1
        self.total += value

    def cumulative(self) -> tuple[list[tuple[str, float]], float]:
        """Prometheus ``(le, cumulative count)`` pairs ending with ``+Inf``, and the sum."""
        counts, total = list(self.counts), self.total
        running, out = 0, []
        for bound, count in zip((*self.bounds, float("inf")), counts, strict=True):
            running += count
            out.append((_le(bound), float(running)))
        return out, total


def _le(bound: float) -> str:
    return "+Inf" if bound == float("inf") else repr(float(bound))


def histogram_family(
    name: str, documentation: str, labels: Sequence[str], series: Mapping[tuple[str, ...], Buckets]
) -> HistogramMetricFamily:
    """One histogram family with a series per label tuple."""
    family = HistogramMetricFamily(name, documentation, labels=list(labels))
    for label_values, buckets in series.items():
        cumulative, total = buckets.cumulative()
        family.add_metric(list(label_values), cumulative, total)
    return family
