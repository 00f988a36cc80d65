"""The Ticker: absolute deadlines, lateness, catching up after a stall.

The schedule is checked on a ManualClock, where time moves only when the test says so, so every deadline
and every lateness is exact. The system clock is checked only for what holds however busy the machine
is (it never returns early); how closely it keeps time is measured in bench/pacing.py.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
import pytest

from emitter.stream import pacing
from emitter.stream.pacing import SYSTEM_CLOCK, Lateness, ManualClock, SystemClock, Ticker

MS = 1_000_000


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


def test_ticks_start_exactly_at_their_absolute_deadlines(clock: ManualClock) -> None:
    interval = 2 * MS
    ticker = Ticker(interval, clock)
    started: list[int] = []
    for k in range(200):
        assert ticker.wait() == k
        started.append(clock.monotonic_ns())

    assert started == [ticker.deadline(k) for k in range(200)] == [k * interval for k in range(200)]
    assert clock.sleeps == started[1:]  # tick 0 was due at once; every other tick slept until its deadline
    assert ticker.tick == 200
    assert ticker.lateness.samples == [0] * 200 and ticker.lateness.behind == 0
    assert ticker.offset_s(200) == pytest.approx(0.4)
    assert ticker.elapsed_s() == pytest.approx(0.398)


def test_the_work_inside_each_tick_does_not_accumulate_into_drift(clock: ManualClock) -> None:
    interval = 10 * MS
    ticker = Ticker(interval, clock)
    started: list[int] = []
    for k in range(40):
        assert ticker.wait() == k
        started.append(clock.monotonic_ns())
        clock.advance(4 * MS)  # sleeping "one interval from now" after this would add 4 ms per tick

    # 39 intervals = 390 ms; a relative schedule would take 39 × 14 ms = 546 ms
    assert started == [k * interval for k in range(40)]
    assert started[-1] - ticker.start_ns == 390 * MS
    assert ticker.lateness.samples == [0] * 40


def test_a_stall_is_counted_behind_and_caught_up_without_sleeping(clock: ManualClock) -> None:
    interval = 100 * MS
    ticker = Ticker(interval, clock)
    returned_at: dict[int, int] = {}
    slept: dict[int, bool] = {}
    for _ in range(10):
        before = len(clock.sleeps)
        k = ticker.wait()
        returned_at[k] = clock.monotonic_ns()
        slept[k] = len(clock.sleeps) > before
        clock.advance(1 * MS)  # each tick's own work
        if k == 3:
            clock.advance(350 * MS)  # the work of tick 3 overruns by 3.5 intervals

    late = ticker.lateness.samples
    # tick 3's work ends at 651 ms: tick 4 (due 400 ms) starts 251 ms late, then each next tick 1 ms later
    # and 100 ms closer to its deadline, until tick 7 (due 700 ms) is on time again
    assert late == [0, 0, 0, 0, 251 * MS, 152 * MS, 53 * MS, 0, 0, 0]
    assert ticker.lateness.behind == 2 == sum(1 for n in late if n > interval)
    # catching up: ticks 4, 5 and 6 run back to back, without sleeping
    assert [slept[k] for k in (4, 5, 6)] == [False, False, False]
    assert [returned_at[k] for k in (4, 5, 6)] == [651 * MS, 652 * MS, 653 * MS]
    # then back on the original schedule: tick 7 waits for its deadline, which did not move
    assert slept[7] and slept[8] and slept[9]
    assert (
        [returned_at[k] for k in (7, 8, 9)] == [ticker.deadline(k) for k in (7, 8, 9)] == [700 * MS, 800 * MS, 900 * MS]
    )


def test_lateness_summary_matches_the_samples(clock: ManualClock) -> None:
    interval = 5 * MS
    ticker = Ticker(interval, clock)
    for k in range(20):
        ticker.wait()
        if k == 10:
            clock.advance(12 * MS)  # ticks 11 (7 ms late) and 12 (2 ms late) run late, 11 behind
    samples = ticker.lateness.samples
    stats = ticker.lateness.percentiles_ms()
    assert len(samples) == 20
    assert samples[11] == 7 * MS and samples[12] == 2 * MS
    assert sum(samples) == 9 * MS
    assert ticker.lateness.behind == 1
    assert stats["max"] == pytest.approx(7.0)
    assert stats["p50"] <= Lateness.BIN_NS / MS  # most ticks were on time: the first bin
    assert 0.0 <= stats["p99"] <= stats["max"]


def test_interval_zero_never_sleeps_nor_records_lateness(clock: ManualClock) -> None:
    ticker = Ticker(0, clock)
    ticks = [ticker.wait() for _ in range(10_000)]
    assert ticks == list(range(10_000))
    assert clock.sleeps == []
    assert ticker.lateness.samples == []
    assert ticker.lateness.behind == 0
    assert ticker.offset_s(10_000) == 0.0


def test_a_manual_clock_moves_only_when_told() -> None:
    clock = ManualClock(wall_start_us=1_700_000_000_000_000)
    assert (clock.monotonic_ns(), clock.wall_us()) == (0, 1_700_000_000_000_000)
    clock.advance(1_500)
    clock.sleep_until(1_000)  # already past: no time passes
    assert clock.monotonic_ns() == 1_500 and clock.wall_us() == 1_700_000_000_000_001
    clock.sleep_until(2 * MS)
    assert clock.monotonic_ns() == 2 * MS and clock.sleeps == [1_000, 2 * MS]
    with pytest.raises(ValueError, match="can't go back"):
        clock.advance(-1)


# ---- the system clock: only what holds however loaded the machine is -----------------------------------


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Every time.sleep the system clock asks for, in seconds; the sleeps still happen."""
    asked: list[float] = []
    real_sleep: Callable[[float], None] = time.sleep

    def recording_sleep(seconds: float) -> None:
        asked.append(seconds)
        real_sleep(seconds)

    monkeypatch.setattr(pacing.time, "sleep", recording_sleep)
    return asked


def test_a_ticker_uses_the_system_clock_by_default() -> None:
    assert Ticker(MS).clock is SYSTEM_CLOCK
    assert isinstance(SYSTEM_CLOCK, SystemClock)


def test_the_system_clock_never_wakes_before_the_deadline(sleeps: list[float]) -> None:
    clock = SystemClock()
    for wait_ns in (0, 200_000, 3 * MS):
        deadline = clock.monotonic_ns() + wait_ns
        clock.sleep_until(deadline)
        assert clock.monotonic_ns() >= deadline
    # it sleeps only while more than the spun millisecond is left, and never past that millisecond
    assert all(0 < s <= (3 * MS - pacing.SPIN_NS) / 1e9 for s in sleeps)


def test_the_system_clock_does_not_sleep_for_a_past_deadline(sleeps: list[float]) -> None:
    clock = SystemClock()
    clock.sleep_until(clock.monotonic_ns() - 5 * MS)
    assert sleeps == []


def test_the_system_wall_clock_is_in_microseconds_since_the_epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pacing.time, "time_ns", lambda: 1_704_189_600_123_456_789)  # 2024-01-02 10:00:00.123456789
    assert SYSTEM_CLOCK.wall_us() == 1_704_189_600_123_456


def test_percentiles_of_no_samples_are_zero() -> None:
    assert Lateness().percentiles_ms() == {"p50": 0.0, "p99": 0.0, "max": 0.0}


def test_percentiles_are_in_milliseconds_to_the_histogram_bin() -> None:
    lateness = Lateness()
    for late in [1 * MS, 2 * MS, 3 * MS, 100 * MS] * 25:
        lateness.add(late)
    stats = lateness.percentiles_ms()
    bin_ms = Lateness.BIN_NS / MS
    assert 2.0 <= stats["p50"] <= 2.0 + bin_ms
    assert 100.0 <= stats["p99"] <= 100.0 + bin_ms
    assert stats["max"] == pytest.approx(100.0)
    assert lateness.ticks == 100


def test_percentiles_of_a_stream_far_behind_are_real_quantiles() -> None:
    """Ticks seconds late (a stalled target) still get p50 and p99 within the 1 % bin growth of the truth."""
    lateness = Lateness()
    lates = [s * 1_000 * MS for s in range(1, 101)] + [2 * 3_600 * 1_000 * MS]  # 1 s … 100 s, then 2 h
    for late in lates:
        lateness.add(late)
    stats = lateness.percentiles_ms()
    for name, q in (("p50", 0.50), ("p99", 0.99)):
        exact_ms = float(np.quantile(lates, q, method="inverted_cdf")) / MS
        assert exact_ms <= stats[name] <= exact_ms * 1.01, (name, stats[name], exact_ms)
    assert stats["p50"] < stats["p99"] < stats["max"] == 2 * 3_600 * 1_000


def test_lateness_memory_is_bounded() -> None:
    lateness = Lateness()
    for _ in range(Lateness.KEPT + 10):
        lateness.add(5)
    assert len(lateness.samples) == Lateness.KEPT and lateness.ticks == Lateness.KEPT + 10
