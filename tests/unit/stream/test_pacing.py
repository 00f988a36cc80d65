"""The Ticker against the real clock: absolute deadlines, lateness, catching up after a stall."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from emitter.stream import pacing
from emitter.stream.pacing import Lateness, Ticker

MS = 1_000_000


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Every time.sleep the ticker asks for, in seconds; the sleeps still happen."""
    asked: list[float] = []
    real_sleep: Callable[[float], None] = time.sleep

    def recording_sleep(seconds: float) -> None:
        asked.append(seconds)
        real_sleep(seconds)

    monkeypatch.setattr(pacing.time, "sleep", recording_sleep)
    return asked


def _busy(ns: int) -> None:
    """Work inside the loop body that takes ``ns`` (spun, so it isn't the sleep being measured)."""
    end = time.perf_counter_ns() + ns
    while time.perf_counter_ns() < end:
        pass


def test_ticks_start_at_or_after_their_absolute_deadlines() -> None:
    interval = 2 * MS
    ticker = Ticker(interval)
    started: list[int] = []
    for k in range(200):
        assert ticker.wait() == k
        started.append(time.perf_counter_ns())

    for k, at in enumerate(started):
        assert at >= ticker.deadline(k) == ticker.start_ns + k * interval
    span_ms = (started[-1] - ticker.start_ns) / MS
    assert 398 <= span_ms < 398 + 100, span_ms  # the margin absorbs scheduler jitter on the last tick
    assert ticker.tick == 200
    assert len(ticker.lateness.samples) == 200
    assert all(late >= 0 for late in ticker.lateness.samples)
    assert ticker.offset_s(200) == pytest.approx(0.4)


def test_the_work_inside_each_tick_does_not_accumulate_into_drift() -> None:
    interval = 10 * MS
    ticker = Ticker(interval)
    started: list[int] = []
    for k in range(40):
        assert ticker.wait() == k
        started.append(time.perf_counter_ns())
        _busy(4 * MS)  # sleeping "one interval from now" after this would add 4 ms per tick

    assert all(at >= ticker.deadline(k) for k, at in enumerate(started))
    # 39 intervals = 390 ms; a relative schedule would take 39 × 14 ms ≈ 546 ms
    span_ms = (started[-1] - ticker.start_ns) / MS
    assert 390 <= span_ms < 390 + 100, span_ms


def test_a_stall_is_counted_behind_and_caught_up_without_sleeping(sleeps: list[float]) -> None:
    # long ticks, so the expected lateness (≈250, 150, 50 ms, then on time) stays apart by more than jitter
    interval = 100 * MS
    ticker = Ticker(interval)
    returned_at: dict[int, int] = {}
    slept: dict[int, bool] = {}
    for _ in range(10):
        before = len(sleeps)
        k = ticker.wait()
        returned_at[k] = time.perf_counter_ns()
        slept[k] = len(sleeps) > before
        if k == 3:
            time.sleep(0.350)  # the work of tick 3 overruns by 2.5 intervals

    late = ticker.lateness.samples
    # ticks 4 and 5 start more than an interval late; tick 6 less; tick 7 is on time again
    assert late[4] > interval and late[5] > interval
    assert late[6] < interval
    assert ticker.lateness.behind == 2 == sum(1 for n in late if n > interval)
    # catching up: ticks 4, 5 and 6 run back to back, without sleeping
    assert [slept[k] for k in (4, 5, 6)] == [False, False, False]
    assert (returned_at[6] - returned_at[4]) < interval
    # then back on the original schedule: tick 7 waits for its deadline, which did not move
    assert slept[7]
    assert returned_at[7] >= ticker.deadline(7) == ticker.start_ns + 7 * interval
    assert late[7] < interval // 2
    assert ticker.deadline(9) <= returned_at[9] < ticker.deadline(9) + interval // 2


def test_lateness_summary_matches_the_samples() -> None:
    interval = 5 * MS
    ticker = Ticker(interval)
    for k in range(20):
        ticker.wait()
        if k == 10:
            time.sleep(0.012)  # ticks 11 (≈7 ms late) and 12 (≈2 ms) run late, 11 behind
    samples = ticker.lateness.samples
    stats = ticker.lateness.percentiles_ms()
    assert len(samples) == 20
    assert ticker.lateness.behind == sum(1 for n in samples if n > interval) >= 1
    assert stats["max"] == pytest.approx(max(samples) / MS)
    assert 0.0 <= stats["p50"] <= stats["p99"] <= stats["max"]
    assert stats["max"] >= 7.0


def test_interval_zero_never_sleeps_nor_records_lateness(sleeps: list[float]) -> None:
    ticker = Ticker(0)
    began = time.perf_counter_ns()
    ticks = [ticker.wait() for _ in range(10_000)]
    assert ticks == list(range(10_000))
    assert sleeps == []
    assert (time.perf_counter_ns() - began) < 200 * MS
    assert ticker.lateness.samples == []
    assert ticker.lateness.behind == 0
    assert ticker.offset_s(10_000) == 0.0


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


def test_lateness_memory_is_bounded() -> None:
    lateness = Lateness()
    for _ in range(Lateness.KEPT + 10):
        lateness.add(5)
    assert len(lateness.samples) == Lateness.KEPT and lateness.ticks == Lateness.KEPT + 10
