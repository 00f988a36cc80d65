"""The stream loop: drive a clock over the model's timeline and hand encoded events to a target.

Two ways to pace:
- live (no start): every interval, the next ``burst`` events of the model (or as many as the rate
  profile asks for) leave, stamped with the wall clock;
- simulated clock (a start time): the model's timeline is replayed from the start at ``speed`` times
  real time, each event leaving when the clock passes its own (simulated) timestamp;
  ``speed=inf`` replays as fast as the target accepts.
"""

from __future__ import annotations

import math
import queue
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from emitter.core.clock import day_start_us
from emitter.scenarios.base import Scenario
from emitter.stream.emission import restamp, table_slices
from emitter.stream.pacing import Lateness, Ticker
from emitter.stream.rate_profile import RateProfile
from emitter.stream.timeline import DayEvents, timeline, to_micros

FULL_SPEED_CHUNK = 20_000  # events per step when not paced


class Target(Protocol):
    def send(self, topic: str, keys: list[bytes], values: list[bytes]) -> None: ...
    def flush(self, timeout: float = ...) -> None: ...


@dataclass(frozen=True)
class StreamSettings:
    tables: tuple[str, ...]
    topic_prefix: str = "retail."
    interval_ms: int = 500
    burst: int = 100
    start: datetime | None = None  # None: live timestamps
    speed: float = 1.0  # simulated clock only; math.inf = no pacing
    end: datetime | None = None  # simulated clock only: stop before this event time
    duration_s: float | None = None
    max_events: int | None = None
    rate_profile: RateProfile | None = None

    @property
    def live(self) -> bool:
        return self.start is None


@dataclass
class StreamStatus:
    elapsed_s: float
    sent: dict[str, int]
    lag_s: float  # how far emission is behind the clock (simulated mode), 0 when caught up

    @property
    def total(self) -> int:
        return sum(self.sent.values())


@dataclass
class StreamSummary:
    elapsed_s: float
    sent: dict[str, int]
    bytes: int
    lateness: Lateness
    target_rate: float | None  # events/s asked for (live mode)
    stopped_by: str
    first_event_us: int | None = None
    last_event_us: int | None = None
    max_lag_s: float = 0.0
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.sent.values())

    @property
    def achieved_rate(self) -> float:
        return self.total / self.elapsed_s if self.elapsed_s > 0 else 0.0


class _Prefetch:
    """Generate the next day in a background thread while the current one streams."""

    def __init__(self, days: Iterator[DayEvents]) -> None:
        self._queue: queue.Queue[DayEvents | BaseException] = queue.Queue(maxsize=1)
        self._days = days
        self._thread = threading.Thread(target=self._run, name="emitter-prefetch", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            for day in self._days:
                self._queue.put(day)
        except BaseException as exc:  # surfaced in the streaming thread
            self._queue.put(exc)

    def next(self) -> DayEvents:
        item = self._queue.get()
        if isinstance(item, BaseException):
            raise item
        return item


def run_stream(
    scenario: Scenario,
    settings: StreamSettings,
    encode: Callable[[str, str, object], list[bytes]],
    target: Target,
    stop: threading.Event | None = None,
    on_status: Callable[[StreamStatus], None] | None = None,
    status_every_s: float = 0.5,
) -> StreamSummary:
    """Stream until a stop condition (duration, max events, end time) or ``stop`` is set; flush; summarize."""
    stop = stop or threading.Event()
    start_us = to_micros(settings.start) if settings.start else to_micros(datetime.now().astimezone())
    end_us = to_micros(settings.end) if settings.end else None
    days = _Prefetch(timeline(scenario, settings.tables, start_us))
    sent = {t: 0 for t in settings.tables}
    nbytes = 0
    paced = settings.live or math.isfinite(settings.speed)
    current, pos = days.next(), 0  # before the clock starts: the first day takes a moment to build
    ticker = Ticker(settings.interval_ms * 1_000_000 if paced else 0)
    carry = 0.0
    first_us: int | None = None
    last_us: int | None = None
    max_lag = 0.0
    next_status = status_every_s
    stopped_by = "stopped"

    def emit(events: DayEvents, lo: int, hi: int, now_us: int | None) -> None:
        nonlocal nbytes, first_us, last_us
        for part in table_slices(events, lo, hi):
            batch = restamp(part.batch, now_us) if now_us is not None else part.batch
            topic = settings.topic_prefix + part.table
            values = encode(part.table, topic, batch)
            keys = [k.encode() for k in scenario.event_keys(part.table, batch).to_pylist()]
            target.send(topic, keys, values)
            sent[part.table] += len(values)
            nbytes += sum(map(len, values))
        first_us = first_us if first_us is not None else int(events.ts[lo])
        last_us = int(events.ts[hi - 1])

    while True:
        if stop.is_set():
            stopped_by = "signal"
            break
        total = sum(sent.values())
        if settings.max_events is not None and total >= settings.max_events:
            stopped_by = "max-events"
            break
        if settings.duration_s is not None and ticker.offset_s(ticker.tick) >= settings.duration_s:
            stopped_by = "duration"
            break
        ticker.wait()
        elapsed = ticker.elapsed_s()
        room = settings.max_events - total if settings.max_events is not None else math.inf

        if settings.live:
            if settings.rate_profile is not None:
                carry += settings.rate_profile.rate(elapsed) * settings.interval_ms / 1000
                want = int(carry)
                carry -= want
            else:
                want = settings.burst
            want = int(min(want, room))
            now_us = to_micros(datetime.now().astimezone())
            while want > 0:
                take = min(want, len(current) - pos)
                if take > 0:
                    emit(current, pos, pos + take, now_us)
                    pos += take
                    want -= take
                if pos >= len(current):
                    current, pos = days.next(), 0
        else:
            clock = start_us + elapsed * settings.speed * 1e6 if paced else math.inf
            budget = room if paced else min(room, FULL_SPEED_CHUNK)
            while budget > 0:
                due = len(current) if clock == math.inf else int(current.ts.searchsorted(clock, side="right"))
                if end_us is not None:
                    due = min(due, int(current.ts.searchsorted(end_us, side="left")))
                hi = int(min(due, pos + budget))
                if hi > pos:
                    emit(current, pos, hi, None)
                    budget -= hi - pos
                    pos = hi
                tomorrow = day_start_us(current.day + timedelta(days=1))
                if pos < len(current) or tomorrow > clock or (end_us is not None and tomorrow >= end_us):
                    break
                current, pos = days.next(), 0
            upcoming = int(current.ts[pos]) if pos < len(current) else day_start_us(current.day + timedelta(days=1))
            if end_us is not None and upcoming >= end_us:
                stopped_by = "end"
                break
            if clock != math.inf:
                max_lag = max(max_lag, (clock - upcoming) / 1e6 if pos < len(current) else 0.0)

        if on_status is not None and elapsed >= next_status:
            next_status = elapsed + status_every_s
            lag = 0.0
            if not settings.live and paced and pos < len(current):
                lag = max(0.0, (start_us + elapsed * settings.speed * 1e6 - int(current.ts[pos])) / 1e6)
            on_status(StreamStatus(elapsed, dict(sent), lag))

    target.flush()
    # paced runs are measured over the ticks they ran, so N ticks of a burst give exactly the asked-for rate
    return StreamSummary(
        elapsed_s=ticker.offset_s(ticker.tick) if paced and settings.live else ticker.elapsed_s(),
        sent=sent,
        bytes=nbytes,
        lateness=ticker.lateness,
        target_rate=(settings.burst * 1000 / settings.interval_ms)
        if settings.live and not settings.rate_profile
        else None,
        stopped_by=stopped_by,
        first_event_us=first_us,
        last_event_us=last_us,
        max_lag_s=max_lag,
    )


__all__ = ["StreamSettings", "StreamStatus", "StreamSummary", "Target", "run_stream"]
