"""Partitions and Event Hubs throughput units: 1 MB/s or 1,000 events/s per unit, whichever binds."""

from __future__ import annotations

import pytest

from emitter.plan.capacity import capacity, partitions_for, throughput_units


def test_events_bind_when_messages_are_small() -> None:
    # 2,500 events/s of 100 bytes is 0.25 MB/s: the event limit needs 3 units, bytes only 1
    assert throughput_units(2_500, 2_500 * 100) == (3, "events")


def test_bytes_bind_when_messages_are_large() -> None:
    # 500 events/s of 5 kB is 2.5 MB/s: three units by bytes, one by events
    assert throughput_units(500, 500 * 5_000) == (3, "bytes")


def test_exactly_at_a_limit_needs_no_extra_unit() -> None:
    assert throughput_units(1_000, 1_000_000) == (1, "events")
    assert throughput_units(1_001, 10) == (2, "events")
    assert throughput_units(10, 1_000_001) == (2, "bytes")


def test_an_idle_stream_still_needs_one_unit_and_one_partition() -> None:
    assert throughput_units(0, 0)[0] == 1
    assert partitions_for(0, 5.0) == 1


def test_partitions_follow_the_per_partition_assumption() -> None:
    assert partitions_for(12_000_000, 5.0) == 3
    assert partitions_for(12_000_000, 1.0) == 12
    assert partitions_for(10_000_000, 5.0) == 2
    with pytest.raises(ValueError):
        partitions_for(1, 0)


def test_capacity_carries_the_assumption_it_used() -> None:
    c = capacity(4_200, 4_200 * 300, partition_mb_s=1.0)
    assert (c.partitions, c.throughput_units, c.tu_bound_by, c.partition_mb_s) == (2, 5, "events", 1.0)
