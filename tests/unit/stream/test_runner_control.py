"""The stream loop under live control (pause, resume, rate, burst): ManualClock runs, exact per-tick counts.

Requests are made from the clock: when the loop sleeps until tick k's deadline, the script for tick k
runs, so the request is there when the loop reads its control at tick k, as an HTTP request would be.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
from support import decode_single_object

from emitter.avro.framing import SingleObjectFraming
from emitter.config import Config
from emitter.ops.control import StreamControl
from emitter.scenarios.retail import RetailScenario
from emitter.stream.emission import Emitter
from emitter.stream.pacing import ManualClock
from emitter.stream.runner import StreamSettings, StreamSummary, run_stream
from emitter.stream.targets.base import GiveUp, TargetStats
from emitter.stream.timeline import to_micros

CATALOG = RetailScenario.catalog()
PREFIX = "r."
MS = 1_000_000  # ns
WALL_START_US = to_micros(datetime(2024, 1, 2, 10, 0, tzinfo=UTC))


@dataclass
class KeptTarget:
    """Keeps every value sent, by topic."""

    values: list[tuple[str, bytes]] = field(default_factory=list)

    def send(self, topic: str, keys: Sequence[bytes], values: Sequence[bytes], give_up: GiveUp | None = None) -> int:
        self.values.extend((topic, v) for v in values)
        return len(values)

    def flush(self, timeout: float | None = None) -> None:
        pass

    def stats(self) -> TargetStats:
        return TargetStats(accepted=len(self.values), delivered=len(self.values), failed=0, in_flight=0)

    def records(self) -> list[dict[str, Any]]:
        return [decode_single_object(v, topic[len(PREFIX) :])[1] for topic, v in self.values]

    def per_tick_ms(self) -> dict[int, int]:
        """Events per live tick, keyed by its stamp in ms after the start (a tick stamps all its events alike)."""
        stamps = Counter((to_micros(r["event_ts"]) - WALL_START_US) // 1_000 for r in self.records())
        return dict(sorted(stamps.items()))


class ScriptedClock(ManualClock):
    """A ManualClock that runs ``script[k]`` when the loop sleeps until the deadline of tick k."""

    def __init__(self, interval_ms: int, script: dict[int, Callable[[], object]]) -> None:
        super().__init__(wall_start_us=WALL_START_US)
        self.script = dict(script)
        self.interval_ns = interval_ms * MS

    def sleep_until(self, deadline_ns: int) -> None:
        super().sleep_until(deadline_ns)
        action = self.script.pop(deadline_ns // self.interval_ns, None)
        if action is not None and deadline_ns % self.interval_ns == 0:
            action()


def _run(
    config: Config, clock: ManualClock, control: StreamControl, target: KeptTarget, **settings: Any
) -> StreamSummary:
    return run_stream(
        config,
        StreamSettings(topic_prefix=PREFIX, tables=("receipts",), **settings),
        Emitter(CATALOG, SingleObjectFraming(), PREFIX),
        target,
        clock=clock,
        control=control,
    )


def test_a_paused_live_stream_sends_nothing_and_resumes_with_its_burst(small_config: Config) -> None:
    control = StreamControl()
    clock = ScriptedClock(
        100, {3: lambda: control.request({"action": "pause"}), 8: lambda: control.request({"action": "resume"})}
    )
    target = KeptTarget()
    summary = _run(small_config, clock, control, target, interval_ms=100, burst=5, duration_s=1.5)
    assert target.per_tick_ms() == {k * 100: 5 for k in [0, 1, 2, *range(8, 15)]}
    assert summary.total == 50
    assert summary.paused_s == pytest.approx(0.5)
    assert control.state()["phase"] == "finished"


def test_a_rate_request_changes_the_events_per_tick_from_that_tick(small_config: Config) -> None:
    control = StreamControl()
    clock = ScriptedClock(100, {4: lambda: control.request({"action": "rate", "events_per_s": 30})})
    target = KeptTarget()
    summary = _run(small_config, clock, control, target, interval_ms=100, burst=5, duration_s=1.0)
    assert target.per_tick_ms() == {**{k * 100: 5 for k in range(4)}, **{k * 100: 3 for k in range(4, 10)}}
    assert summary.target_rate is None  # a rate profile now, not a fixed burst
    assert control.loop.target_rate == 30


def test_a_burst_request_with_an_interval_respaces_the_ticks_after_it(small_config: Config) -> None:
    control = StreamControl()
    clock = ScriptedClock(100, {4: lambda: control.request({"action": "burst", "burst": 7, "interval_ms": 200})})
    target = KeptTarget()
    summary = _run(small_config, clock, control, target, interval_ms=100, burst=5, duration_s=1.2)
    # ticks 0-3 at 100 ms with 5 each; from tick 4 on, 7 each, and the next one 200 ms after it
    assert target.per_tick_ms() == {0: 5, 100: 5, 200: 5, 300: 5, 400: 7, 600: 7, 800: 7, 1000: 7}
    assert summary.target_rate == 35.0
    assert summary.elapsed_s == pytest.approx(1.2)


def test_a_profile_request_starts_its_own_time_when_applied(small_config: Config) -> None:
    control = StreamControl()
    clock = ScriptedClock(100, {5: lambda: control.request({"action": "profile", "profile": "steps:10,40:300ms"})})
    target = KeptTarget()
    _run(small_config, clock, control, target, interval_ms=100, burst=2, duration_s=1.0)
    # 2 per tick, then 10/s (1 per tick) for 300 ms from tick 5, then 40/s (4 per tick)
    assert target.per_tick_ms() == {0: 2, 100: 2, 200: 2, 300: 2, 400: 2, 500: 1, 600: 1, 700: 1, 800: 4, 900: 4}


def test_a_paused_replay_resumes_where_its_simulated_clock_stopped(small_config: Config) -> None:
    replay = {"start": datetime(2024, 3, 9, 11, 0), "speed": 600.0, "interval_ms": 100}
    straight = KeptTarget()
    _run(small_config, ManualClock(WALL_START_US), StreamControl(), straight, duration_s=2.0, **replay)
    control = StreamControl()
    clock = ScriptedClock(
        100, {5: lambda: control.request({"action": "pause"}), 10: lambda: control.request({"action": "resume"})}
    )
    paused = KeptTarget()
    summary = _run(small_config, clock, control, paused, duration_s=2.5, **replay)
    # the half second paused is left out of the simulated clock: the same events, in the same order
    assert len(straight.values) > 0
    assert paused.values == straight.values
    assert summary.paused_s == pytest.approx(0.5)
    assert summary.max_lag_s == 0.0


def test_rate_burst_and_profile_are_refused_in_a_replay(small_config: Config) -> None:
    from emitter.ops.control import ControlError

    control = StreamControl()
    answers: list[str] = []

    def ask() -> None:
        for body in ({"action": "rate", "events_per_s": 5}, {"action": "burst", "burst": 3}):
            with pytest.raises(ControlError, match="only pause and resume apply") as caught:
                control.request(body)
            answers.append(str(caught.value))

    clock = ScriptedClock(100, {2: ask})
    _run(small_config, clock, control, KeptTarget(), start=datetime(2024, 3, 9, 11, 0), interval_ms=100, duration_s=0.5)
    assert len(answers) == 2
