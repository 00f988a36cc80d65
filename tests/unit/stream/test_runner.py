"""run_stream end to end, with the real feeder process and a target that keeps what it is handed.

The in-memory target stands in for the broker; the runner (pacing, replay clock, stop conditions,
summary) and everything it drives is the real code. Paced runs use a ManualClock, so every tick
happens exactly on its deadline and the assertions hold however busy the machine is.
"""

from __future__ import annotations

import itertools
import math
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import pyarrow as pa
import pytest
from support import decode_single_object

from emitter.avro.framing import SingleObjectFraming
from emitter.config import Config
from emitter.core.clock import LAST_DAY, MICROS_PER_SECOND
from emitter.scenarios import open_scenario
from emitter.scenarios.retail import RetailScenario
from emitter.stream.emission import Emitter
from emitter.stream.pacing import SYSTEM_CLOCK, Clock, ManualClock
from emitter.stream.rate_profile import parse_duration, parse_rate_profile
from emitter.stream.runner import StreamSettings, StreamStatus, StreamSummary, run_stream
from emitter.stream.targets.base import GiveUp, TargetStats
from emitter.stream.timeline import DayEvents, merge_day, to_micros

CATALOG = RetailScenario.catalog()
PREFIX = "r."
MS = 1_000_000  # ns
WALL_START = datetime(2024, 1, 2, 10, 0, tzinfo=UTC)  # what the manual clock's wall reads at the start


@dataclass
class Send:
    topic: str
    keys: list[bytes]
    values: list[bytes]


@dataclass
class MemoryTarget:
    """Keeps every send() in memory; ``after_send`` lets a test react (e.g. ask the stream to stop)."""

    after_send: Callable[[MemoryTarget], None] | None = None
    sends: list[Send] = field(default_factory=list)
    flushes: int = 0

    def send(self, topic: str, keys: Sequence[bytes], values: Sequence[bytes], give_up: GiveUp | None = None) -> int:
        self.sends.append(Send(topic, list(keys), list(values)))
        if self.after_send is not None:
            self.after_send(self)
        return len(values)

    def flush(self, timeout: float | None = None) -> None:
        self.flushes += 1

    def stats(self) -> TargetStats:
        return TargetStats(accepted=self.total, delivered=self.total, failed=0, in_flight=0)

    @property
    def total(self) -> int:
        return sum(len(s.values) for s in self.sends)

    def records(self, table: str) -> list[dict[str, Any]]:
        return [decode_single_object(v, table)[1] for s in self.sends if s.topic == PREFIX + table for v in s.values]

    def per_tick(self) -> dict[int, int]:
        """Events per live tick, keyed by the tick's stamp (µs), in send order.

        A live tick stamps all its events with one wall-clock reading, however many send() calls it takes
        (a burst that crosses a segment boundary, or several tables, is more than one).
        """
        stamps: Counter[int] = Counter()
        for send in self.sends:
            table = send.topic[len(PREFIX) :]
            stamps.update(to_micros(decode_single_object(v, table)[1]["event_ts"]) for v in send.values)
        return dict(stamps)


@pytest.fixture(scope="module")
def config(small_config: Config) -> Config:
    return small_config


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(wall_start_us=to_micros(WALL_START))


def _run(
    config: Config,
    target: MemoryTarget,
    stop: threading.Event | None = None,
    clock: Clock = SYSTEM_CLOCK,
    **settings: Any,
) -> StreamSummary:
    return run_stream(
        config,
        StreamSettings(topic_prefix=PREFIX, **settings),
        Emitter(CATALOG, SingleObjectFraming(), PREFIX),
        target,
        stop=stop,
        clock=clock,
    )


def _facts(config: Config, days: Sequence[date], tables: Sequence[str]) -> dict[date, dict[str, pa.Table]]:
    return dict(open_scenario(config).days(days, tables))


def _merged(day: date, facts: dict[str, pa.Table], tables: Sequence[str]) -> DayEvents:
    return merge_day(day, facts, list(tables), [CATALOG.get(t).event_time or "" for t in tables])


def _ts_us(table: pa.Table) -> list[int]:
    return table.column("event_ts").cast(pa.int64()).to_pylist()


def _tick_stamps(clock: ManualClock, interval_ms: int, ticks: int) -> list[int]:
    """The wall-clock stamps of ticks 0..ticks-1 when each runs exactly on its deadline."""
    return [clock.wall_start_us + k * interval_ms * 1_000 for k in range(ticks)]


# ---- live: interval × burst --------------------------------------------------------------------------


def test_live_sends_burst_per_tick_for_the_duration(config: Config, clock: ManualClock) -> None:
    target = MemoryTarget()
    summary = _run(config, target, tables=("receipts",), interval_ms=20, burst=50, duration_s=0.3, clock=clock)

    assert summary.stopped_by == "duration"
    # 0.3 s of 20 ms ticks: 15 ticks of 50 events, each stamped with the wall clock when its deadline came
    assert target.per_tick() == dict.fromkeys(_tick_stamps(clock, 20, 15), 50)
    assert summary.sent == {"receipts": 750} and summary.total == target.total == 750
    assert summary.bytes == sum(len(v) for s in target.sends for v in s.values)
    assert summary.target_rate == pytest.approx(2500.0)
    assert summary.elapsed_s == pytest.approx(0.3)  # measured over the 15 ticks
    assert summary.achieved_rate == pytest.approx(2500.0)
    # the loop slept until each tick's absolute deadline (tick 0 was due at once) and none ran late
    assert clock.sleeps == [k * 20 * MS for k in range(1, 15)]
    assert summary.lateness.samples == [0] * 15 and summary.lateness.behind == 0
    assert target.flushes == 1
    # the events are the model's, in timeline order, from the start of the live run on
    day = WALL_START.date()
    receipts = _facts(config, [day], ("receipts",))[day]["receipts"]
    traces = receipts.column("trace_id").to_pylist()
    after_start = [t for t, ts in zip(traces, _ts_us(receipts), strict=True) if ts >= clock.wall_start_us]
    assert [r["trace_id"] for r in target.records("receipts")] == after_start[:750]


def test_live_max_events_stops_exactly(config: Config, clock: ManualClock) -> None:
    target = MemoryTarget()
    summary = _run(
        config, target, tables=("receipts", "receipt_lines"), interval_ms=1, burst=50, max_events=123, clock=clock
    )
    assert summary.stopped_by == "max-events"
    assert summary.total == target.total == 123
    assert sum(summary.sent.values()) == 123
    assert list(target.per_tick().values()) == [50, 50, 23]  # the last tick sends only what is left


def test_live_duration_in_milliseconds_runs_exactly_that_many_ticks(config: Config, clock: ManualClock) -> None:
    # --duration 700ms with 10 ms ticks is 70 ticks
    target = MemoryTarget()
    summary = _run(
        config, target, tables=("receipts",), interval_ms=10, burst=1, duration_s=parse_duration("700ms"), clock=clock
    )
    assert summary.stopped_by == "duration"
    assert summary.total == 70
    assert target.per_tick() == dict.fromkeys(_tick_stamps(clock, 10, 70), 1)


def test_the_system_clock_paces_by_default(config: Config) -> None:
    # real time: only what holds however late the ticks run (a late tick catches up, it isn't dropped)
    target = MemoryTarget()
    summary = _run(config, target, tables=("receipts",), interval_ms=5, burst=3, duration_s=0.05)
    assert summary.stopped_by == "duration"
    assert summary.total == target.total == 30
    assert len(target.per_tick()) == 10
    assert len(summary.lateness.samples) == 10
    assert summary.elapsed_s >= 0.05


def test_stop_event_stops_the_loop(config: Config, clock: ManualClock) -> None:
    stop = threading.Event()

    def stop_during_the_seventh_tick(target: MemoryTarget) -> None:
        if target.total >= 70:
            stop.set()

    target = MemoryTarget(after_send=stop_during_the_seventh_tick)
    summary = _run(config, target, tables=("receipts",), interval_ms=5, burst=10, stop=stop, clock=clock)
    assert summary.stopped_by == "signal"
    # the tick under way finishes; no tick starts after the stop
    assert target.per_tick() == dict.fromkeys(_tick_stamps(clock, 5, 7), 10)
    assert summary.total == 70
    assert target.flushes == 1


def test_constant_rate_profile_sends_rate_times_time(config: Config, clock: ManualClock) -> None:
    target = MemoryTarget()
    summary = _run(
        config,
        target,
        tables=("receipts",),
        interval_ms=20,
        duration_s=0.2,
        rate_profile=parse_rate_profile("constant:1500"),
        clock=clock,
    )
    # 1500/s × 20 ms = 30 events in each of the 10 ticks
    assert target.per_tick() == dict.fromkeys(_tick_stamps(clock, 20, 10), 30)
    assert summary.total == 300
    assert summary.target_rate is None
    assert summary.stopped_by == "duration"


def test_ramp_rate_profile_sends_about_the_integral_of_the_rate(config: Config, clock: ManualClock) -> None:
    target = MemoryTarget()
    summary = _run(
        config,
        target,
        tables=("receipts", "foot_traffic"),
        interval_ms=10,
        duration_s=1.0,
        rate_profile=parse_rate_profile("ramp:0:2000:1s"),
        clock=clock,
    )
    assert summary.stopped_by == "duration"
    # tick k (at k × 10 ms) asks for 2000 × k/100 events/s × 10 ms = 0.2 k events; the fraction carries over,
    # so by the end of every tick the events sent are the whole events asked for so far: Σ 0.2 j for j ≤ k
    per_tick = target.per_tick()
    assert set(per_tick) <= set(_tick_stamps(clock, 10, 100))  # a tick whose share is under one sends nothing
    asked = sent = 0.0
    for k, stamp in enumerate(_tick_stamps(clock, 10, 100)):
        asked += 0.2 * k
        sent += per_tick.get(stamp, 0)
        assert -1e-6 < asked - sent < 1 + 1e-6, k
    assert abs(summary.total - 990) <= 1  # Σ 0.2 k for k < 100
    # the rate grows: ∫₀^½ is a quarter of the events, ∫½¹ three quarters
    half = clock.wall_start_us + 500_000
    early = sum(n for stamp, n in per_tick.items() if stamp < half)
    assert abs(early - 245) <= 1 and abs(summary.total - early - 745) <= 1


# ---- replay: a simulated clock over the model timeline -----------------------------------------------


def test_replay_at_max_speed_sends_exactly_the_days_rows(config: Config) -> None:
    tables = ("receipts", "receipt_lines", "truck_moves", "online_orders", "marketing")
    day = date(2024, 1, 2)
    facts = _facts(config, [day], tables)[day]
    target = MemoryTarget()
    summary = _run(config, target, tables=tables, start=datetime(2024, 1, 2), end=datetime(2024, 1, 3), speed=math.inf)

    assert summary.stopped_by == "end"
    assert summary.sent == {t: facts[t].num_rows for t in tables}
    for table in tables:
        records = target.records(table)
        assert [r["trace_id"] for r in records] == facts[table].column("trace_id").to_pylist(), table
    merged = _merged(day, facts, tables)
    assert summary.first_event_us == int(merged.ts[0])
    assert summary.last_event_us == int(merged.ts[-1])
    assert target.flushes == 1


def test_replay_across_midnight_starts_and_ends_mid_day(config: Config) -> None:
    tables = ("receipts", "ble_pings", "dc_inventory_txn")
    start, end = datetime(2024, 1, 2, 18, 30), datetime(2024, 1, 3, 9, 15)
    facts = _facts(config, [date(2024, 1, 2), date(2024, 1, 3)], tables)
    target = MemoryTarget()
    summary = _run(config, target, tables=tables, start=start, end=end, speed=math.inf)

    assert summary.stopped_by == "end"
    for table in tables:
        expected = [
            trace
            for batch in facts.values()
            for trace, ts in zip(batch[table].column("trace_id").to_pylist(), _ts_us(batch[table]), strict=True)
            if to_micros(start) <= ts < to_micros(end)
        ]
        assert expected, table
        assert [r["trace_id"] for r in target.records(table)] == expected, table
        assert summary.sent[table] == len(expected)


def test_a_replay_without_an_end_stops_where_the_model_calendar_ends(config: Config) -> None:
    """Backfill refuses days past LAST_DAY; a replay from its last evening must not stream into the year after."""
    tables = ("receipts",)
    start = datetime(LAST_DAY.year, LAST_DAY.month, LAST_DAY.day, 20)
    target = MemoryTarget()
    # max_events bounds the run if it doesn't stop: a model day has far fewer receipts than this
    summary = _run(config, target, tables=tables, start=start, speed=math.inf, max_events=50_000)

    assert summary.stopped_by == "end"
    days = {r["event_ts"].date() for r in target.records("receipts")}
    assert days == {LAST_DAY}, days


def test_replay_max_events_sends_the_first_events_in_time_order(config: Config) -> None:
    tables = ("receipts", "store_inventory_txn")
    target = MemoryTarget()
    summary = _run(config, target, tables=tables, start=datetime(2024, 1, 2), speed=math.inf, max_events=1234)
    assert summary.stopped_by == "max-events"
    assert summary.total == target.total == 1234
    day = date(2024, 1, 2)
    merged = _merged(day, _facts(config, [day], tables)[day], tables)
    assert summary.sent == {t: int((merged.table[:1234] == i).sum()) for i, t in enumerate(tables)}
    assert summary.last_event_us == int(merged.ts[1233])


def test_paced_replay_sends_only_events_the_simulated_clock_has_reached(config: Config, clock: ManualClock) -> None:
    speed, interval_ms, duration_s = 3600.0, 50, 1.5
    start = datetime(2024, 1, 2, 10, 0)
    day = date(2024, 1, 2)
    receipts = _facts(config, [day], ("receipts",))[day]["receipts"]
    traces, times = receipts.column("trace_id").to_pylist(), _ts_us(receipts)
    statuses: list[StreamStatus] = []
    target = MemoryTarget()
    summary = run_stream(
        config,
        StreamSettings(
            tables=("receipts",),
            topic_prefix=PREFIX,
            start=start,
            speed=speed,
            interval_ms=interval_ms,
            duration_s=duration_s,
        ),
        Emitter(CATALOG, SingleObjectFraming(), PREFIX),
        target,
        on_status=statuses.append,
        status_every_s=0.2,
        clock=clock,
    )
    assert summary.stopped_by == "duration"

    def reached(elapsed_s: float) -> list[str]:
        """The events the simulated clock has passed ``elapsed_s`` real seconds in: start + elapsed × speed."""
        ceiling = to_micros(start) + elapsed_s * speed * MICROS_PER_SECOND
        return [t for t, ts in zip(traces, times, strict=True) if to_micros(start) <= ts <= ceiling]

    # 30 ticks of 50 ms; the last one, 1.45 s in, sends every event up to start + 1.45 × 3600 s, in order
    sent = [r["trace_id"] for r in target.records("receipts")]
    assert summary.elapsed_s == pytest.approx(1.45)
    assert sent == reached(1.45)
    assert len(sent) > 50 and len(sent) < len(reached(1.5))  # the clock stopped short of the next tick's events
    assert summary.last_event_us is not None and summary.last_event_us <= to_micros(start) + 1.45 * speed * 1e6
    assert summary.max_lag_s == 0.0
    # status reports every 0.2 s or so (on the first tick at least 0.2 s after the last): what had been sent by
    # then, never behind the clock
    reported_at = [0.0] + [s.elapsed_s for s in statuses]
    assert len(statuses) >= 6
    assert all(0.2 - 1e-9 <= b - a <= 0.25 + 1e-9 for a, b in itertools.pairwise(reported_at))
    assert [s.total for s in statuses] == [len(reached(s.elapsed_s)) for s in statuses]
    assert all(s.lag_s == 0 for s in statuses)


def test_replay_at_max_speed_stops_after_the_duration(config: Config, clock: ManualClock) -> None:
    # --start 2024-01-02 --speed max --duration 500ms: no end time, so only the duration can stop it
    stop = threading.Event()

    def each_send_takes_100ms(target: MemoryTarget) -> None:
        clock.advance(100 * MS)
        if clock.now_ns > 60_000 * MS:
            stop.set()  # the duration never stopped it: fail below rather than stream forever

    target = MemoryTarget(after_send=each_send_takes_100ms)
    summary = _run(
        config,
        target,
        tables=("receipts",),
        start=datetime(2024, 1, 2),
        speed=math.inf,
        duration_s=0.5,
        stop=stop,
        clock=clock,
    )
    assert summary.stopped_by == "duration"
    # checked between steps: the step that crossed 500 ms was the last
    assert 0.5 <= summary.elapsed_s == clock.now_ns / 1e9
    assert len(target.sends) == clock.now_ns // (100 * MS)
    # the timeline's first events, in order, none twice (a step may run past midnight)
    days = [date(2024, 1, 2), date(2024, 1, 3), date(2024, 1, 4)]
    first_days = [t for batch in _facts(config, days, ("receipts",)).values() for t in batch["receipts"]["trace_id"]]
    sent = [r["trace_id"] for r in target.records("receipts")]
    assert len(sent) > len(first_days)
    assert sent[: len(first_days)] == [t.as_py() for t in first_days]
    assert len(set(sent)) == len(sent)
