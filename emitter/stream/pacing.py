"""Tick scheduling against absolute deadlines, so timing errors never accumulate.

Tick k is due at ``t0 + k * interval``. The loop sleeps until about a millisecond before the
deadline and spins the rest. Each tick's lateness is recorded. When the emitter falls behind, the
next ticks run back to back with no sleep until it has caught up: nothing is dropped, the achieved
rate stays on target, and the late ticks are counted and shown in the summary.

Time comes from a ``Clock``: the system clock by default, or a ``ManualClock`` that moves only when
told to, so the loop's decisions can be checked exactly without waiting on (or racing) real time.
"""

from __future__ import annotations

import math
import time
from typing import Protocol

import numpy as np

SPIN_NS = 1_000_000  # the last millisecond is spun, not slept


class Clock(Protocol):
    """Where pacing reads the time and waits."""

    def monotonic_ns(self) -> int:
        """A monotonic reading in nanoseconds (only differences mean anything)."""
        ...

    def wall_us(self) -> int:
        """Wall-clock time in µs since the Unix epoch (UTC), for live event timestamps."""
        ...

    def sleep_until(self, deadline_ns: int) -> None:
        """Return no earlier than ``monotonic_ns() >= deadline_ns``."""
        ...


class SystemClock:
    """The real clocks: ``perf_counter_ns`` for pacing, ``time_ns`` for timestamps."""

    def monotonic_ns(self) -> int:
        return time.perf_counter_ns()

    def wall_us(self) -> int:
        return time.time_ns() // 1_000

    def sleep_until(self, deadline_ns: int) -> None:
        # sleep() may overshoot by a scheduler slice, so sleep short of the deadline and spin the rest
        left = deadline_ns - time.perf_counter_ns()
        if left > SPIN_NS:
            time.sleep((left - SPIN_NS) / 1e9)
        while time.perf_counter_ns() < deadline_ns:
            pass


SYSTEM_CLOCK = SystemClock()


class ManualClock:
    """A clock that moves only when told to: ``advance`` stands for work, ``sleep_until`` jumps to the deadline.

    Args:
        wall_start_us: the wall-clock reading (µs since the epoch) at monotonic time 0.
    """

    def __init__(self, wall_start_us: int = 0) -> None:
        self.now_ns = 0
        self.wall_start_us = wall_start_us
        self.sleeps: list[int] = []  # every deadline slept until, in order

    def monotonic_ns(self) -> int:
        return self.now_ns

    def wall_us(self) -> int:
        return self.wall_start_us + self.now_ns // 1_000

    def sleep_until(self, deadline_ns: int) -> None:
        self.sleeps.append(deadline_ns)
        self.now_ns = max(self.now_ns, deadline_ns)

    def advance(self, ns: int) -> None:
        """Let ``ns`` nanoseconds pass, as work inside a tick would."""
        if ns < 0:
            raise ValueError(f"a clock can't go back ({ns} ns)")
        self.now_ns += ns


class Lateness:
    """Per-tick lateness as a histogram: bounded memory however long the run.

    Bins are 10 µs wide up to 1 s, then grow geometrically (1 % each) up to about 11 days, so a stream
    that falls seconds or hours behind still gets quantiles within 1 % of the truth.
    """

    BIN_NS = 10_000
    BINS = 100_000  # linear bins, up to LINEAR_NS
    LINEAR_NS = BIN_NS * BINS
    GROWTH = 1.01
    WIDE_BINS = 1_300  # 1 s × 1.01**1300 ≈ 11 days; later still goes to the last bin
    KEPT = 100_000

    def __init__(self) -> None:
        self.counts = np.zeros(self.BINS + self.WIDE_BINS, dtype=np.int64)
        self.max_ns = 0
        self.total_ns = 0  # the sum, for a Prometheus histogram
        self.behind = 0  # ticks that started more than one interval late
        self.samples: list[int] = []  # the first KEPT ticks' lateness in ns, for inspection

    def add(self, late_ns: int) -> None:
        self.counts[self._bin(late_ns)] += 1
        self.total_ns += late_ns
        self.max_ns = max(self.max_ns, late_ns)
        if len(self.samples) < self.KEPT:
            self.samples.append(late_ns)

    def _bin(self, late_ns: int) -> int:
        if late_ns < self.LINEAR_NS:
            return late_ns // self.BIN_NS
        wide = int(math.log(late_ns / self.LINEAR_NS) / math.log(self.GROWTH))
        return self.BINS + min(wide, self.WIDE_BINS - 1)

    def _upper_edge_ns(self, index: int) -> float:
        if index < self.BINS:
            return float((index + 1) * self.BIN_NS)
        return self.LINEAR_NS * self.GROWTH ** (index - self.BINS + 1)

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
            return min(self._upper_edge_ns(index), self.max_ns) / 1e6  # the bin's upper edge, never above the max

        return {"p50": upper_ms(0.50), "p99": upper_ms(0.99), "max": self.max_ns / 1e6}


class Ticker:
    """Yields tick numbers on schedule; ``interval_ns=0`` means no pacing (as fast as possible)."""

    def __init__(self, interval_ns: int, clock: Clock = SYSTEM_CLOCK) -> None:
        self.interval_ns = interval_ns
        self.clock = clock
        self.start_ns = self.origin_ns = clock.monotonic_ns()
        self.tick = 0
        self.lateness = Lateness()

    def deadline(self, tick: int) -> int:
        return self.start_ns + tick * self.interval_ns

    def wait(self) -> int:
        """Block until the next tick is due and return its number; a late tick doesn't wait at all."""
        if self.interval_ns > 0:
            due = self.deadline(self.tick)
            now = self.clock.monotonic_ns()
            if now < due:
                self.clock.sleep_until(due)
                now = self.clock.monotonic_ns()
            late = max(0, now - due)
            self.lateness.add(late)
            if late > self.interval_ns:
                self.lateness.behind += 1
        tick = self.tick
        self.tick += 1
        return tick

    def retime(self, interval_ns: int) -> None:
        """Space the ticks ``interval_ns`` apart from the last one on: the next is due that long after it."""
        self.start_ns += max(0, self.tick - 1) * (self.interval_ns - interval_ns)
        self.interval_ns = interval_ns

    def scheduled_ns(self, tick: int) -> int:
        """When tick ``tick`` is due, in ns after the start (0 when unpaced)."""
        return self.deadline(tick) - self.origin_ns

    def offset_s(self, tick: int) -> float:
        """When tick ``tick`` is due, in seconds after the start (0 when unpaced)."""
        return self.scheduled_ns(tick) / 1e9

    def elapsed_ns(self) -> int:
        return self.clock.monotonic_ns() - self.origin_ns

    def elapsed_s(self) -> float:
        return self.elapsed_ns() / 1e9
