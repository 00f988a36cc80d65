"""The stream loop: drive a clock over the model's timeline and hand encoded events to a target.

Two ways to pace:
- live (no start): every interval, the next ``burst`` events of the model (or as many as the rate
  profile asks for) leave, stamped with the wall clock;
- simulated clock (a start time): the model's timeline is replayed from the start at ``speed`` times
  real time, each event leaving when the clock passes its own (simulated) timestamp;
  ``speed=inf`` replays as fast as the target accepts.
The timeline is generated and encoded ahead of the clock by a worker process (see feeder).

A stop signal and ``duration_s`` always win, also over a broker that takes nothing: a send waiting for
queue room gives up, and the final flush waits at most ``flush_grace_s``. A run that ends by itself
(end of timeline, max events) flushes as long as deliveries progress, giving up after ``flush_grace_s``
without any. What is still undelivered then is the session's to report (see ``TargetStats``).
"""

from __future__ import annotations

import contextlib
import math
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from emitter.config import Config
from emitter.core.clock import LAST_DAY, day_start_us
from emitter.ops.control import StreamControl
from emitter.scenarios import reference_of
from emitter.stream.emission import Emitter
from emitter.stream.fault_spec import FaultSpec
from emitter.stream.feeder import Feeder, FeedSpec
from emitter.stream.pacing import SYSTEM_CLOCK, Clock, Lateness, Ticker
from emitter.stream.rate_profile import RateProfile
from emitter.stream.segments import Segment
from emitter.stream.targets.base import Target
from emitter.stream.targets.errors import DeliveryError, TargetError
from emitter.stream.timeline import to_micros

FULL_SPEED_CHUNK = 20_000  # events per step when not paced
DEFAULT_FLUSH_GRACE_S = 10.0
_FLUSH_STEP_S = 0.5
_PAUSED_POLL_NS = 50_000_000  # an unpaced replay, paused, looks at its control this often


@dataclass(frozen=True)
class StreamSettings:
    tables: tuple[str, ...]  # table ids
    topic_prefix: str
    interval_ms: int = 500
    burst: int = 100
    start: datetime | None = None  # None: live timestamps
    speed: float = 1.0  # simulated clock only; math.inf = no pacing
    end: datetime | None = None  # simulated clock only: stop before this event time
    duration_s: float | None = None
    max_events: int | None = None
    rate_profile: RateProfile | None = None
    value_format: str = "avro"
    flush_grace_s: float = DEFAULT_FLUSH_GRACE_S  # see the module docstring
    faults: Mapping[str, FaultSpec] = field(default_factory=dict)  # table id → spec (see stream.faults)

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
    target_rate: float | None  # events/s asked for (live mode with a fixed burst)
    stopped_by: str
    first_event_us: int | None = None
    last_event_us: int | None = None
    max_lag_s: float = 0.0
    paused_s: float = 0.0  # time spent paused (see StreamControl), included in elapsed_s

    @property
    def total(self) -> int:
        return sum(self.sent.values())

    @property
    def achieved_rate(self) -> float:
        return self.total / self.elapsed_s if self.elapsed_s > 0 else 0.0


class _Cursor:
    """Position in the segment stream."""

    def __init__(self, feeder: Feeder) -> None:
        self.feeder = feeder
        self.segment: Segment | None = feeder.next()
        self.pos = 0

    def advance(self) -> None:
        self.segment, self.pos = self.feeder.next(), 0

    def upcoming(self) -> int | None:
        """Event time of the next unsent event (None at the end of the timeline)."""
        while self.segment is not None and self.pos >= len(self.segment):
            self.advance()
        return None if self.segment is None else int(self.segment.ts[self.pos])


def run_stream(
    config: Config,
    settings: StreamSettings,
    emitter: Emitter,
    target: Target,
    stop: threading.Event | None = None,
    on_status: Callable[[StreamStatus], None] | None = None,
    status_every_s: float = 0.5,
    *,
    clock: Clock = SYSTEM_CLOCK,
    control: StreamControl | None = None,
) -> StreamSummary:
    """Stream until a stop condition (duration, max events, end time, ``stop``), flush, and summarize.

    ``clock`` paces the loop and stamps live events; a ``ManualClock`` makes a run exactly reproducible.
    ``control`` changes the pace while it runs (pause, rate, burst, profile), read once per tick.
    """
    stop = stop or threading.Event()
    start_us = to_micros(settings.start) if settings.start else clock.wall_us()
    # the model's calendar ends with LAST_DAY: a stream stops there, as a backfill refuses days past it
    calendar_end_us = day_start_us(LAST_DAY + timedelta(days=1))
    end_us = min(to_micros(settings.end), calendar_end_us) if settings.end else calendar_end_us
    spec = FeedSpec(
        config.model_dump(mode="json"),
        reference_of(config),
        settings.tables,
        start_us,
        end_us,
        settings.value_format,
        settings.live,
        emitter.headers(settings.tables),
    )
    feeder = Feeder(spec)
    try:
        return _loop(
            settings,
            emitter,
            target,
            stop,
            on_status,
            status_every_s,
            start_us,
            feeder,
            clock,
            control or StreamControl(),
        )
    finally:
        feeder.close()


def _loop(
    settings: StreamSettings,
    emitter: Emitter,
    target: Target,
    stop: threading.Event,
    on_status: Callable[[StreamStatus], None] | None,
    status_every_s: float,
    start_us: int,
    feeder: Feeder,
    clock: Clock,
    control: StreamControl,
) -> StreamSummary:
    sent = {t: 0 for t in settings.tables}
    nbytes = 0
    paced = settings.live or math.isfinite(settings.speed)
    # compared in integer nanoseconds: 0.7 s must mean exactly 70 ticks of 10 ms
    duration_ns = round(settings.duration_s * 1e9) if settings.duration_s is not None else None
    cursor = _Cursor(feeder)  # waits for the first segment before the clock starts
    ticker = Ticker(settings.interval_ms * 1_000_000 if paced else 0, clock)
    carry = 0.0
    first_us: int | None = None
    last_us: int | None = None
    max_lag = 0.0
    next_status = status_every_s
    stopped_by = "stopped"
    pace = control.begin(settings, paced, ticker.lateness)
    paused_ns = 0  # time paused, left out of the elapsed time that drives the simulated clock and profiles
    paused_at: int | None = None
    profile_from = 0.0  # a rate profile's time starts when it is applied

    gave_up: list[str] = []  # why a send stopped waiting for room: the run ends for that reason

    def give_up() -> bool:
        if stop.is_set():
            gave_up.append("signal")
        elif duration_ns is not None and ticker.elapsed_ns() >= duration_ns:
            gave_up.append("duration")  # the wall clock: a blocked send runs no ticks
        return bool(gave_up)

    def emit(count: int, now_us: int | None) -> int:
        """Send up to ``count`` events from the cursor (crossing segments); return how many went."""
        nonlocal nbytes, first_us, last_us
        done = 0
        while done < count and cursor.upcoming() is not None:
            segment = cursor.segment
            assert segment is not None
            hi = min(len(segment), cursor.pos + count - done)
            for table, topic, keys, values in emitter.messages(segment, cursor.pos, hi, now_us):
                taken = target.send(topic, keys, values, give_up)
                sent[table] += taken
                nbytes += sum(map(len, values[:taken]))
                if taken < len(values):
                    return done  # the target stopped waiting for room: the loop stops next
            first_us = first_us if first_us is not None else int(segment.ts[cursor.pos])
            last_us = int(segment.ts[hi - 1])
            done += hi - cursor.pos
            cursor.pos = hi
        return done

    def due_before(limit: float) -> int:
        """How many events from the cursor have event time ≤ ``limit`` (within the current segment)."""
        if cursor.upcoming() is None:
            return 0
        segment = cursor.segment
        assert segment is not None
        if limit == math.inf:
            return len(segment) - cursor.pos
        return int(segment.ts.searchsorted(limit, side="right")) - cursor.pos

    while True:
        if gave_up or stop.is_set():
            stopped_by = gave_up[0] if gave_up else "signal"
            break
        total = sum(sent.values())
        if settings.max_events is not None and total >= settings.max_events:
            stopped_by = "max-events"
            break
        if duration_ns is not None and (
            ticker.scheduled_ns(ticker.tick) >= duration_ns if paced else ticker.elapsed_ns() >= duration_ns
        ):
            stopped_by = "duration"
            break
        if cursor.upcoming() is None:
            stopped_by = "end"
            break
        ticker.wait()
        now_ns = ticker.elapsed_ns()
        if control.pace is not pace:  # a control request: it applies from this tick
            asked = control.pace
            if asked.paused and paused_at is None:
                paused_at = now_ns
            elif not asked.paused and paused_at is not None:
                paused_ns, paused_at = paused_ns + now_ns - paused_at, None
            if asked.interval_ms != pace.interval_ms and paced:
                ticker.retime(asked.interval_ms * 1_000_000)
            new_profile = asked.profile is not pace.profile
            pace = control.loop.pace = asked
        else:
            new_profile = False
        elapsed = ((paused_at if paused_at is not None else now_ns) - paused_ns) / 1e9
        if new_profile:
            profile_from, carry = elapsed, 0.0
        control.loop.elapsed_s, control.loop.paused_s = elapsed, (now_ns - elapsed * 1e9) / 1e9
        if pace.paused:
            with contextlib.suppress(TargetError):  # nothing is sent: serve the delivery reports still due
                target.flush(0)
            if settings.live:
                control.loop.target_rate = 0.0
            if not paced:
                clock.sleep_until(clock.monotonic_ns() + _PAUSED_POLL_NS)
            continue
        room = settings.max_events - total if settings.max_events is not None else math.inf

        try:
            if settings.live:
                if pace.profile is not None:
                    rate = pace.profile.rate(elapsed - profile_from)
                    carry += rate * pace.interval_ms / 1000
                    want = int(carry)
                    carry -= want
                else:
                    rate, want = pace.burst * 1000 / pace.interval_ms, pace.burst
                control.loop.target_rate = rate
                emit(int(min(want, room)), clock.wall_us())
            else:
                simulated_us = start_us + elapsed * settings.speed * 1e6 if paced else math.inf
                budget = room if paced else min(room, FULL_SPEED_CHUNK)
                while not gave_up and budget > 0 and (due := due_before(simulated_us)) > 0:
                    budget -= emit(int(min(due, budget)), None)
                upcoming = cursor.upcoming()
                if upcoming is not None and simulated_us != math.inf:
                    control.loop.lag_s = max(0.0, (simulated_us - upcoming) / 1e6)
                    max_lag = max(max_lag, control.loop.lag_s)
        except DeliveryError:
            stopped_by = "delivery-error"  # the target latched it; the session reports it with the counts
            break

        if on_status is not None and elapsed >= next_status:
            next_status = elapsed + status_every_s
            upcoming = cursor.upcoming() if not settings.live and paced else None
            lag = max(0.0, (start_us + elapsed * settings.speed * 1e6 - upcoming) / 1e6) if upcoming else 0.0
            on_status(StreamStatus(elapsed, dict(sent), lag))

    emitted_ns = ticker.elapsed_ns()
    emitted_s = emitted_ns / 1e9
    control.finish()
    drain(target, settings.flush_grace_s, stop, capped=stopped_by in ("signal", "duration", "delivery-error"))
    delivered_s = ticker.elapsed_s()
    # paced live runs are measured over the ticks they ran (N ticks of a burst = the asked-for rate), or the
    # wall time if that was longer because the emitter fell behind; replays until everything is delivered
    return StreamSummary(
        elapsed_s=max(ticker.offset_s(ticker.tick), emitted_s) if paced and settings.live else delivered_s,
        sent=sent,
        bytes=nbytes,
        lateness=ticker.lateness,
        target_rate=(pace.burst * 1000 / pace.interval_ms) if settings.live and not pace.profile else None,
        stopped_by=stopped_by,
        first_event_us=first_us,
        last_event_us=last_us,
        max_lag_s=max_lag,
        paused_s=(paused_ns + (emitted_ns - paused_at if paused_at is not None else 0)) / 1e9,
    )


def drain(target: Target, grace_s: float, stop: threading.Event, *, capped: bool) -> bool:
    """Flush ``target``; return whether everything it accepted was delivered (failures count as settled).

    ``capped``: wait at most ``grace_s`` in all. Otherwise wait as long as deliveries progress, up to
    ``grace_s`` without any; a stop signal meanwhile caps what is left at ``grace_s``.
    """
    deadline = time.monotonic() + grace_s
    signalled = stop.is_set()
    in_flight = target.stats().in_flight
    while True:
        # still in flight, or a delivery failed: the counts say which, and the session reports them
        with contextlib.suppress(TargetError):
            target.flush(max(0.0, min(_FLUSH_STEP_S, deadline - time.monotonic())))
        before, in_flight = in_flight, target.stats().in_flight
        if in_flight == 0:
            return True
        if not capped and not signalled and in_flight < before:
            deadline = time.monotonic() + grace_s
        if stop.is_set() and not signalled:
            signalled = True
            deadline = min(deadline, time.monotonic() + grace_s)
        if time.monotonic() >= deadline:
            return False


__all__ = ["DEFAULT_FLUSH_GRACE_S", "StreamSettings", "StreamStatus", "StreamSummary", "drain", "run_stream"]
