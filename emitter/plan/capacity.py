"""Kafka partitions and Event Hubs throughput units needed for a stream's peak."""

from __future__ import annotations

import math
from dataclasses import dataclass

# Event Hubs: one throughput unit admits 1 MB/s or 1,000 events/s of ingress, whichever comes first.
TU_BYTES_PER_S = 1_000_000
TU_EVENTS_PER_S = 1_000
DEFAULT_PARTITION_MB_S = 5.0  # a conservative per-partition producer throughput for Kafka


@dataclass(frozen=True)
class Capacity:
    """What a peak of ``events_per_s`` events carrying ``bytes_per_s`` needs."""

    events_per_s: float
    bytes_per_s: float
    partition_mb_s: float  # the per-partition throughput assumed
    partitions: int
    throughput_units: int
    tu_bound_by: str  # "bytes" or "events": which Event Hubs limit binds


def partitions_for(bytes_per_s: float, partition_mb_s: float) -> int:
    """Partitions so that no partition carries more than ``partition_mb_s`` MB/s (at least one)."""
    if partition_mb_s <= 0:
        raise ValueError("partition throughput must be above 0")
    return max(1, math.ceil(bytes_per_s / (partition_mb_s * 1_000_000)))


def throughput_units(events_per_s: float, bytes_per_s: float) -> tuple[int, str]:
    """Event Hubs throughput units for this ingress (at least one), and which limit binds."""
    by_bytes = math.ceil(bytes_per_s / TU_BYTES_PER_S)
    by_events = math.ceil(events_per_s / TU_EVENTS_PER_S)
    return max(1, by_bytes, by_events), "bytes" if by_bytes > by_events else "events"


def capacity(events_per_s: float, bytes_per_s: float, partition_mb_s: float = DEFAULT_PARTITION_MB_S) -> Capacity:
    units, bound = throughput_units(events_per_s, bytes_per_s)
    return Capacity(
        events_per_s, bytes_per_s, partition_mb_s, partitions_for(bytes_per_s, partition_mb_s), units, bound
    )
