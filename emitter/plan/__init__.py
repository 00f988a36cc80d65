"""Capacity planning from a scenario's own rate curves: rows, bytes, stream peaks, partitions, throughput units."""

from emitter.plan.capacity import Capacity, capacity, partitions_for, throughput_units
from emitter.plan.report import Plan, build_plan
from emitter.plan.volume import TableVolume

__all__ = ["Capacity", "Plan", "TableVolume", "build_plan", "capacity", "partitions_for", "throughput_units"]
