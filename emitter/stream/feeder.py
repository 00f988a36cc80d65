"""A worker process that generates and encodes the timeline ahead of the clock.

Generation and bulk encoding hold the interpreter for long stretches; in the process that paces and
produces they would make ticks late. Here they run in their own process (on another core) and
arrive as small pickled segments, so the pacing loop only slices bytes and calls the producer.
"""

from __future__ import annotations

import queue
import signal
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from emitter.config import Config
from emitter.core.clock import day_start_us
from emitter.scenarios.contract import Scenario
from emitter.stream.segments import Segment, build_segments
from emitter.stream.timeline import timeline
from emitter.workers import WorkerProcesses

AHEAD_SEGMENTS = 64  # about a million events (some 100 MB) prepared ahead: more than a model day


@dataclass(frozen=True)
class FeedSpec:
    config: dict[str, Any]
    scenario: str  # import reference of the scenario class (registry.reference_of)
    tables: tuple[str, ...]
    start_us: int
    end_us: int | None
    value_format: str
    live: bool
    headers: dict[str, bytes]  # framing header per table


class Done:
    """Marker: the timeline reached the requested end."""


def _feed(spec: FeedSpec, report: Callable[[Segment | Done], None]) -> None:
    """The worker process: generate and encode the timeline, reporting segments in order.

    The first segments are held back until a full queue's worth is ready (or the timeline ends): the
    stream's clock starts with the first segment, and a stream that starts late in a model day would
    otherwise run dry while the next day is generated.
    """
    from emitter.scenarios import open_scenario, register

    held: list[Segment | Done] | None = []

    def send(item: Segment | Done) -> None:
        nonlocal held
        if held is None:
            report(item)
            return
        held.append(item)
        if len(held) >= AHEAD_SEGMENTS or isinstance(item, Done):
            for waiting in held:
                report(waiting)
            held = None

    register(spec.scenario)  # a scenario registered at run time in the parent is unknown here until now
    scenario = open_scenario(Config.model_validate(spec.config), spec.scenario)
    for segment in _segments(scenario, spec):
        send(segment)
        if isinstance(segment, Done):
            return


def _segments(scenario: Scenario[Any], spec: FeedSpec) -> Iterator[Segment | Done]:
    """The timeline's segments from the start, then Done at the requested end."""
    for events in timeline(scenario, spec.tables, spec.start_us):
        for segment in build_segments(events, scenario, spec.value_format, spec.live, spec.headers):
            if spec.end_us is not None and segment.ts.size and int(segment.ts[0]) >= spec.end_us:
                yield Done()
                return
            if spec.end_us is not None:
                keep = int(segment.ts.searchsorted(spec.end_us, side="left"))
                if keep < len(segment):
                    yield _truncate(segment, keep)
                    yield Done()
                    return
            yield segment
        if spec.end_us is not None and day_start_us(events.day + timedelta(days=1)) >= spec.end_us:
            yield Done()
            return


def _truncate(segment: Segment, keep: int) -> Segment:
    """The first ``keep`` events of a segment (each table keeps a prefix of its rows)."""
    which = segment.table[:keep]
    tables = {}
    for index, part in segment.tables.items():
        n = int((which == index).sum())
        if n:
            tables[index] = part.rows(0, n)
    return Segment(segment.day, segment.names, segment.ts[:keep], which, segment.row[:keep], tables)


class Feeder:
    """Starts the worker and hands its segments to the streaming thread, in order."""

    def __init__(self, spec: FeedSpec) -> None:
        self._worker = WorkerProcesses(
            _feed,
            [spec],
            "emitter-feeder",
            queue_size=AHEAD_SEGMENTS,
            death_signal=signal.SIGKILL,  # writes no files
        ).start()
        # unpickling happens in this thread, off the pacing loop; segments are small, so each hold is short
        self._local: queue.Queue[Segment | Done | BaseException] = queue.Queue(maxsize=4)
        self._closed = threading.Event()
        self._thread = threading.Thread(target=self._pump, name="emitter-feeder-reader", daemon=True)
        self._thread.start()

    def _pump(self) -> None:
        while not self._closed.is_set():
            try:
                message = self._worker.next(timeout=0.2)
            except BaseException as exc:  # raised again by next() in the streaming thread
                self._hand_over(exc)
                return
            if message is None or message.kind != "item":
                continue
            if not self._hand_over(message.payload) or isinstance(message.payload, Done):
                return

    def _hand_over(self, item: Segment | Done | BaseException) -> bool:
        """Queue ``item`` for the streaming thread; False once the feeder is closed (nobody reads any more)."""
        while not self._closed.is_set():
            try:
                self._local.put(item, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    def next(self) -> Segment | None:
        """The next segment, or None when the timeline reached its end."""
        item = self._local.get()
        if isinstance(item, BaseException):
            raise item
        return None if isinstance(item, Done) else item

    def close(self) -> None:
        self._closed.set()
        # the reader lets go of the queue first, so it is never left halfway through a message of a killed worker
        self._thread.join(timeout=5)
        self._worker.stop(grace_s=5)
