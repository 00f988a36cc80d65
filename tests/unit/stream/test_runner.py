"""run_stream end to end, with the real feeder process and a target that keeps what it is handed.

The in-memory target stands in for the broker; the runner (pacing, replay clock, stop conditions,
summary) and everything it drives is the real code.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from support import decode_single_object

from emitter.avro.framing import SingleObjectFraming
from emitter.config import SMALL_VOLUME, Config, load_config
from emitter.core.clock import MICROS_PER_SECOND
from emitter.scenarios import get_scenario
from emitter.stream.emission import Emitter
from emitter.stream.rate_profile import parse_duration, parse_rate_profile
from emitter.stream.runner import StreamSettings, StreamStatus, StreamSummary, run_stream
from emitter.stream.timeline import merge_day, to_micros

ROOT = Path(__file__).resolve().parents[3]
PREFIX = "r."


@dataclass
class Send:
    topic: str
    keys: list[bytes]
    values: list[bytes]
    at: float  # perf_counter seconds


@dataclass
class MemoryTarget:
    """Keeps every send() in memory; ``after_send`` lets a test react (e.g. ask the stream to stop)."""

    after_send: Callable[[MemoryTarget], None] | None = None
    sends: list[Send] = field(default_factory=list)
    flushes: int = 0

    def send(self, topic: str, keys: Sequence[bytes], values: Sequence[bytes]) -> None:
        self.sends.append(Send(topic, list(keys), list(values), time.perf_counter()))
        if self.after_send is not None:
            self.after_send(self)

    def flush(self, timeout: float | None = None) -> None:
        self.flushes += 1

    @property
    def total(self) -> int:
        return sum(len(s.values) for s in self.sends)

    def records(self, table: str) -> list[dict[str, Any]]:
        return [decode_single_object(v, table)[1] for s in self.sends if s.topic == PREFIX + table for v in s.values]


@pytest.fixture(scope="module")
def config() -> Config:
    return load_config(None, {"volume": SMALL_VOLUME}, {})


def _run(config: Config, target: MemoryTarget, stop: threading.Event | None = None, **settings: Any) -> StreamSummary:
    return run_stream(
        config,
        StreamSettings(topic_prefix=PREFIX, **settings),
        Emitter("retail", SingleObjectFraming(), PREFIX),
        target,
        stop=stop,
    )


def _facts(config: Config, days: Sequence[date], tables: Sequence[str]) -> dict[date, dict[str, pa.Table]]:
    return dict(get_scenario(config).facts(days, tables))


def _ts_us(table: pa.Table) -> list[int]:
    return table.column("event_ts").cast(pa.int64()).to_pylist()


# ---- live: interval × burst --------------------------------------------------------------------------


def test_live_sends_burst_per_tick_for_the_duration(config: Config) -> None:
    target = MemoryTarget()
    before = datetime.now(UTC)
    summary = _run(config, target, tables=("receipts",), interval_ms=20, burst=50, duration_s=0.3)
    after = datetime.now(UTC)

    assert summary.stopped_by == "duration"
    assert [len(s.values) for s in target.sends] == [50] * 15  # one table: one send per tick
    assert summary.sent == {"receipts": 750} and summary.total == 750
    assert summary.bytes == sum(len(v) for s in target.sends for v in s.values)
    assert summary.target_rate == pytest.approx(2500.0)
    # measured over the 15 ticks (0.3 s), or longer only if the last tick ran late
    assert 0.3 <= summary.elapsed_s < 0.4
    assert summary.achieved_rate == pytest.approx(750 / summary.elapsed_s)
    assert len(summary.lateness.samples) == 15
    assert target.flushes == 1
    # tick k leaves at its deadline (start + k × 20 ms) plus its lateness, stamped with the wall clock then;
    # from tick 1 on (tick 0 also pays one-off warm-up), so ticks 1 and 14 leave 260 ms apart, give or take jitter
    late_s = [n / 1e9 for n in summary.lateness.samples]
    jitter = 0.02
    assert target.sends[-1].at - target.sends[1].at >= 0.26 + late_s[-1] - late_s[1] - jitter
    stamps = []
    for send in target.sends:
        (stamp,) = {decode_single_object(value, "receipts")[1]["event_ts"] for value in send.values}
        stamps.append(stamp)
    assert before <= stamps[0] and stamps[-1] <= after
    assert stamps == sorted(stamps)
    assert (stamps[-1] - stamps[1]).total_seconds() >= 0.26 + late_s[-1] - late_s[1] - jitter


def test_live_max_events_stops_exactly(config: Config) -> None:
    target = MemoryTarget()
    summary = _run(config, target, tables=("receipts", "receipt_lines"), interval_ms=1, burst=50, max_events=123)
    assert summary.stopped_by == "max-events"
    assert summary.total == target.total == 123
    assert sum(summary.sent.values()) == 123


def test_live_duration_in_milliseconds_runs_exactly_that_many_ticks(config: Config) -> None:
    # --duration 700ms with 10 ms ticks is 70 ticks
    target = MemoryTarget()
    summary = _run(config, target, tables=("receipts",), interval_ms=10, burst=1, duration_s=parse_duration("700ms"))
    assert summary.stopped_by == "duration"
    assert summary.total == 70


def test_stop_event_stops_the_loop(config: Config) -> None:
    stop = threading.Event()

    def stop_after_seven(target: MemoryTarget) -> None:
        if len(target.sends) == 7:
            stop.set()

    target = MemoryTarget(after_send=stop_after_seven)
    summary = _run(config, target, tables=("receipts",), interval_ms=5, burst=10, stop=stop)
    assert summary.stopped_by == "signal"
    assert len(target.sends) == 7 and summary.total == 70
    assert target.flushes == 1


def test_constant_rate_profile_sends_rate_times_time(config: Config) -> None:
    target = MemoryTarget()
    summary = _run(
        config,
        target,
        tables=("receipts",),
        interval_ms=20,
        duration_s=0.2,
        rate_profile=parse_rate_profile("constant:1500"),
    )
    assert [len(s.values) for s in target.sends] == [30] * 10
    assert summary.target_rate is None
    assert summary.stopped_by == "duration"


def test_ramp_rate_profile_sends_about_the_integral_of_the_rate(config: Config) -> None:
    target = MemoryTarget()
    summary = _run(
        config,
        target,
        tables=("receipts", "foot_traffic"),
        interval_ms=10,
        duration_s=1.0,
        rate_profile=parse_rate_profile("ramp:0:2000:1s"),
    )
    # ∫₀¹ 2000 t dt = 1000 events; sampled at the start of each 10 ms tick it is 990
    assert summary.total == pytest.approx(1000, rel=0.03)
    assert summary.stopped_by == "duration"
    # the rate grows: ∫₀^½ is a quarter of the events, ∫½¹ three quarters
    began = target.sends[0].at
    early = sum(len(s.values) for s in target.sends if s.at - began < 0.5)
    assert early < (summary.total - early) / 2


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
    merged = merge_day(day, facts, list(tables))
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


def test_replay_max_events_sends_the_first_events_in_time_order(config: Config) -> None:
    tables = ("receipts", "store_inventory_txn")
    target = MemoryTarget()
    summary = _run(config, target, tables=tables, start=datetime(2024, 1, 2), speed=math.inf, max_events=1234)
    assert summary.stopped_by == "max-events"
    assert summary.total == target.total == 1234
    day = date(2024, 1, 2)
    merged = merge_day(day, _facts(config, [day], tables)[day], list(tables))
    assert summary.sent == {t: int((merged.table[:1234] == i).sum()) for i, t in enumerate(tables)}
    assert summary.last_event_us == int(merged.ts[1233])


def test_paced_replay_sends_only_events_the_simulated_clock_has_reached(config: Config) -> None:
    speed, interval_s, duration_s = 3600.0, 0.05, 1.5
    start = datetime(2024, 1, 2, 10, 0)
    day = date(2024, 1, 2)
    receipts = _facts(config, [day], ("receipts",))[day]["receipts"]
    times = _ts_us(receipts)
    statuses: list[StreamStatus] = []
    target = MemoryTarget()
    summary = run_stream(
        config,
        StreamSettings(
            tables=("receipts",),
            topic_prefix=PREFIX,
            start=start,
            speed=speed,
            interval_ms=int(interval_s * 1000),
            duration_s=duration_s,
        ),
        Emitter("retail", SingleObjectFraming(), PREFIX),
        target,
        on_status=statuses.append,
        status_every_s=0.2,
    )
    assert summary.stopped_by == "duration"
    sent = [r["trace_id"] for r in target.records("receipts")]
    first = next(i for i, ts in enumerate(times) if ts >= to_micros(start))
    # exactly the timeline's next events, in order, none skipped
    assert sent == receipts.column("trace_id").to_pylist()[first : first + len(sent)]
    # nothing after the simulated clock: it never passed start + elapsed × speed
    ceiling = to_micros(start) + summary.elapsed_s * speed * MICROS_PER_SECOND
    assert summary.last_event_us is not None and summary.last_event_us <= ceiling
    assert all(ts <= ceiling for ts in times[first : first + len(sent)])
    # and everything the clock had passed by the last tick (at least duration - one interval in) went
    floor = to_micros(start) + (duration_s - interval_s) * speed * MICROS_PER_SECOND
    reached = [ts for ts in times[first:] if ts <= floor]
    assert len(sent) >= len(reached) > 50
    # status reports: regular, growing totals, never a negative lag
    assert len(statuses) >= 5
    assert [s.total for s in statuses] == sorted(s.total for s in statuses)
    assert all(s.lag_s >= 0 for s in statuses)


def test_replay_at_max_speed_stops_after_the_duration(config: Config) -> None:
    # --start 2024-01-02 --speed max --duration 500ms: no end time, so only the duration can stop it
    stop = threading.Event()
    safety: list[threading.Timer] = []

    def arm_safety_stop(target: MemoryTarget) -> None:
        if not safety:
            safety.append(threading.Timer(2.0, stop.set))
            safety[0].start()

    target = MemoryTarget(after_send=arm_safety_stop)
    try:
        summary = _run(
            config, target, tables=("receipts",), start=datetime(2024, 1, 2), speed=math.inf, duration_s=0.5, stop=stop
        )
    finally:
        for timer in safety:
            timer.cancel()
    assert summary.stopped_by == "duration"
    assert summary.elapsed_s < 1.5
