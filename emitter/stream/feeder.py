"""A worker process that generates and encodes the timeline ahead of the clock.

Generation and bulk encoding hold the interpreter for long stretches; in the process that paces and
produces they would make ticks late. Here they run in their own process (on another core) and
arrive as small pickled segments, so the pacing loop only slices bytes and calls the producer.
"""

from __future__ import annotations

import multiprocessing as mp
import queue
import signal
import threading
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from emitter.config import Config
from emitter.core.clock import day_start_us
from emitter.errors import EmitterError
from emitter.stream.segments import Segment, build_segments
from emitter.stream.timeline import timeline

AHEAD_SEGMENTS = 24  # about 400k events prepared ahead


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


class FeedError(EmitterError):
    """Generating the timeline failed in the worker process."""


def _feed(spec: FeedSpec, out: Any) -> None:
    # a terminal's Ctrl-C reaches the whole process group; the streaming process decides when we stop
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        from emitter.scenarios import open_scenario

        scenario = open_scenario(Config.model_validate(spec.config), spec.scenario)
        for events in timeline(scenario, spec.tables, spec.start_us):
            for segment in build_segments(events, scenario, spec.value_format, spec.live, spec.headers):
                if spec.end_us is not None and segment.ts.size and int(segment.ts[0]) >= spec.end_us:
                    out.put(Done())
                    return
                if spec.end_us is not None:
                    keep = int(segment.ts.searchsorted(spec.end_us, side="left"))
                    if keep < len(segment):
                        out.put(_truncate(segment, keep))
                        out.put(Done())
                        return
                out.put(segment)
            if spec.end_us is not None and day_start_us(events.day + timedelta(days=1)) >= spec.end_us:
                out.put(Done())
                return
    except BaseException as exc:  # reported in the streaming process
        out.put(FeedError(f"{type(exc).__name__}: {exc}"))


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
        context = mp.get_context("spawn")
        self._queue: Any = context.Queue(maxsize=AHEAD_SEGMENTS)
        self._process = context.Process(target=_feed, args=(spec, self._queue), name="emitter-feeder", daemon=True)
        self._process.start()
        # unpickling happens in this thread, off the pacing loop; segments are small, so each hold is short
        self._local: queue.Queue[Segment | Done | FeedError] = queue.Queue(maxsize=4)
        self._closed = threading.Event()
        self._thread = threading.Thread(target=self._pump, name="emitter-feeder-reader", daemon=True)
        self._thread.start()

    def _pump(self) -> None:
        while not self._closed.is_set():
            try:
                item = self._queue.get(timeout=0.2)
            except queue.Empty:
                if not self._process.is_alive():
                    self._local.put(FeedError(f"the generator process exited (code {self._process.exitcode})"))
                    return
                continue
            self._local.put(item)
            if isinstance(item, Done | FeedError):
                return

    def next(self) -> Segment | None:
        """The next segment, or None when the timeline reached its end."""
        item = self._local.get()
        if isinstance(item, FeedError):
            raise item
        return None if isinstance(item, Done) else item

    def close(self) -> None:
        self._closed.set()
        if self._process.is_alive():
            self._process.terminate()
        self._process.join(timeout=5)
        self._queue.cancel_join_thread()
