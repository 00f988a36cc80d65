"""Tick scheduling against absolute deadlines, so timing errors never accumulate.

Tick k is due at ``t0 + k * interval``. The loop sleeps until about a millisecond before the
deadline and spins the rest. Each tick's lateness is recorded. When the emitter falls behind, the
next ticks run back to back with no sleep until it has caught up: nothing is dropped, the achieved
rate stays on target, and the late ticks are counted and shown in the summary.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

SPIN_NS = 1_000_000  # the last millisecond is spun, not slept


@dataclass
class Lateness:
    """Per-tick lateness in nanoseconds."""

    samples: list[int] = field(default_factory=list)
    behind: int = 0  # ticks that started more than one interval late

    def percentiles_ms(self) -> dict[str, float]:
        if not self.samples:
            return {"p50": 0.0, "p99": 0.0, "max": 0.0}
        arr = np.asarray(self.samples, dtype=np.float64) / 1e6
        return {"p50": float(np.percentile(arr, 50)), "p99": float(np.percentile(arr, 99)), "max": float(arr.max())}


class Ticker:
    """Yields tick numbers on schedule; ``interval_ns=0`` means no pacing (as fast as possible)."""

    def __init__(self, interval_ns: int) -> None:
        self.interval_ns = interval_ns
        self.start_ns = time.perf_counter_ns()
        self.tick = 0
        self.lateness = Lateness()

    def deadline(self, tick: int) -> int:
        return self.start_ns + tick * self.interval_ns

    def wait(self) -> int:
        """Block until the next tick is due and return its number."""
        if self.interval_ns > 0:
            due = self.deadline(self.tick)
            now = time.perf_counter_ns()
            if due - now > SPIN_NS:
                time.sleep((due - now - SPIN_NS) / 1e9)
            while (now := time.perf_counter_ns()) < due:
                pass
            late = now - due
            self.lateness.samples.append(late)
            if late > self.interval_ns:
                self.lateness.behind += 1
        tick = self.tick
        self.tick += 1
        return tick

    def offset_s(self, tick: int) -> float:
        """When tick ``tick`` is due, in seconds after the start (0 when unpaced)."""
        return tick * self.interval_ns / 1e9

    def elapsed_s(self) -> float:
        return (time.perf_counter_ns() - self.start_ns) / 1e9
