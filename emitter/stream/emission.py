"""Turn a slice of the timeline into keyed, encoded messages per topic."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from emitter.core.columns import timestamps
from emitter.stream.timeline import DayEvents

# event-time columns besides event_ts that move with it when a live stream restamps events
SHIFTED_WITH_EVENT_TS = ("eta", "etd")


@dataclass
class TableSlice:
    """The rows of one table inside a slice of the merged timeline (always a contiguous range)."""

    table: str
    batch: pa.Table


def table_slices(events: DayEvents, start: int, stop: int) -> Iterator[TableSlice]:
    """Per table, in table order, the rows of merged events ``start:stop``."""
    which = events.table[start:stop]
    rows = events.row[start:stop]
    for index in np.unique(which):
        mine = rows[which == index]
        # merging preserves each table's own order, so its rows in any slice are contiguous
        name = events.names[int(index)]
        yield TableSlice(name, events.tables[name].slice(int(mine[0]), int(mine.size)))


def restamp(batch: pa.Table, now_us: int) -> pa.Table:
    """Live mode: stamp every event with ``now_us`` and shift the table's other times by the same amount."""
    old = np.asarray(batch.column("event_ts").cast(pa.int64()).to_numpy(), dtype=np.int64)
    shift = now_us - old
    out = batch.set_column(batch.schema.get_field_index("event_ts"), "event_ts", timestamps(np.full(old.size, now_us)))
    for name in SHIFTED_WITH_EVENT_TS:
        if name in out.column_names:
            moved = np.asarray(out.column(name).cast(pa.int64()).to_numpy(), dtype=np.int64) + shift
            out = out.set_column(out.schema.get_field_index(name), name, timestamps(moved))
    return out


Encoder = Callable[[str, pa.Table], list[bytes]]
KeyFn = Callable[[str, pa.Table], list[bytes]]
