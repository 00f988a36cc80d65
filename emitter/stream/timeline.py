"""The model's events in time order across tables, one day at a time, generated ahead of the clock.

Streaming reads the same keyed blocks as backfill, so the events of day D are exactly the rows of
the backfill partitions dt=D, in event-time order (ties keep table order, then row order).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from emitter.core.clock import MICROS_PER_DAY
from emitter.scenarios.contract import Scenario

I64 = npt.NDArray[np.int64]


@dataclass
class DayEvents:
    """One day's events: per-table batches plus the merged time order over all of them."""

    day: date
    tables: dict[str, pa.Table]
    names: tuple[str, ...]  # table index → name
    ts: I64  # event time per merged event, ascending
    table: I64  # table index per merged event
    row: I64  # row within its table per merged event

    def __len__(self) -> int:
        return int(self.ts.size)


def merge_day(day: date, tables: dict[str, pa.Table], names: Sequence[str], event_time: Sequence[str]) -> DayEvents:
    """The day's tables merged by event time (``event_time[i]`` is table ``names[i]``'s time column)."""
    ts_parts, table_parts, row_parts = [], [], []
    for index, name in enumerate(names):
        t = tables[name]
        ts_parts.append(np.asarray(t.column(event_time[index]).cast(pa.int64()).to_numpy(), dtype=np.int64))
        table_parts.append(np.full(t.num_rows, index, dtype=np.int64))
        row_parts.append(np.arange(t.num_rows, dtype=np.int64))
    if not ts_parts:
        empty = np.zeros(0, np.int64)
        return DayEvents(day, tables, tuple(names), empty, empty, empty)
    ts = np.concatenate(ts_parts)
    order = np.argsort(ts, kind="stable")
    return DayEvents(
        day,
        tables,
        tuple(names),
        ts[order],
        np.concatenate(table_parts)[order],
        np.concatenate(row_parts)[order],
    )


def to_micros(moment: datetime) -> int:
    """A datetime as µs since the epoch; naive values are wall-clock time, stored as UTC like event times."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return (moment - datetime(1970, 1, 1)) // timedelta(microseconds=1)


def timeline(scenario: Scenario[Any], tables: Sequence[str], start_us: int) -> Iterator[DayEvents]:
    """Days from the one containing ``start_us`` onwards, without events before ``start_us``."""
    first = date(1970, 1, 1) + timedelta(days=start_us // MICROS_PER_DAY)
    days = (first + timedelta(days=i) for i in range(1_000_000))
    catalog = scenario.catalog()
    # consecutive days carry the scenario's state instead of rebuilding it per day
    for day, batch in scenario.days(days, tables):
        names = [t for t in tables if t in batch]
        events = merge_day(day, batch, names, [catalog.get(t).event_time or "" for t in names])
        if day == first:
            keep = int(np.searchsorted(events.ts, start_us, side="left"))
            events = DayEvents(
                day, events.tables, events.names, events.ts[keep:], events.table[keep:], events.row[keep:]
            )
        yield events
