"""Tick scheduling against absolute deadlines, so timing errors never accumulate.

Tick k is due at ``t0 + k * interval``. The loop sleeps until about a millisecond before the
deadline and spins the rest. Each tick's lateness is recorded. When the emitter falls behind, the
next ticks run back to back with no sleep until it has caught up: nothing is dropped, the achieved
rate stays on target, and the late ticks are counted and shown in the summary.
"""

from __future__ import annotations

import time

import numpy as np

SPIN_NS = 1_000_000  # the last millisecond is spun, not slept


class Lateness:
    """Per-tick lateness as a histogram (10 µs bins up to 1 s): bounded memory however long the run."""

    BIN_NS = 10_000
    BINS = 100_000
    KEPT = 100_000

    def __init__(self) -> None:
        self.counts = np.zeros(self.BINS + 1, dtype=np.int64)  # the last bin holds everything ≥ 1 s
        self.max_ns = 0
        self.behind = 0  # ticks that started more than one interval late
        self.samples: list[int] = []  # the first KEPT ticks' lateness in ns, for inspection

    def add(self, late_ns: int) -> None:
        self.counts[min(late_ns // self.BIN_NS, self.BINS)] += 1
        self.max_ns = max(self.max_ns, late_ns)
        if len(self.samples) < self.KEPT:
            self.samples.append(late_ns)

    @property
    def ticks(self) -> int:
        return int(self.counts.sum())

    def percentiles_ms(self) -> dict[str, float]:
        n = self.ticks
        if not n:
            return {"p50": 0.0, "p99": 0.0, "max": 0.0}
        cumulative = np.cumsum(self.counts)

        def upper_ms(q: float) -> float:
            index = int(np.searchsorted(cumulative, q * n, side="left"))
            if index >= self.BINS:
                return self.max_ns / 1e6
            return min((index + 1) * self.BIN_NS, self.max_ns) / 1e6  # bin's upper edge, never above the max

        return {"p50": upper_ms(0.50), "p99": upper_ms(0.99), "max": self.max_ns / 1e6}


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
            self.lateness.add(late)
            if late > self.interval_ns:
                self.lateness.behind += 1
        tick = self.tick
        self.tick += 1
        return tick

    def offset_s(self, tick: int) -> float:
        """When tick ``tick`` is due, in seconds after the start (0 when unpaced)."""
        return tick * self.interval_ns / 1e9

    def elapsed_ns(self) -> int:
        return time.perf_counter_ns() - self.start_ns

    def elapsed_s(self) -> float:
        return (time.perf_counter_ns() - self.start_ns) / 1e9
