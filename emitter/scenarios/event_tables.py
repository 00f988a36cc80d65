"""Finish a scenario's per-day tables: rows sorted by event time, an event id per row, the schema applied.

Event ids read ``<prefix><table code:02d><run tag><yyyymmdd><row:010d>``: unique across tables, days, runs
(the run tag names scenario, seed and settings) and identical when a run is repeated.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from emitter.core.clock import yyyymmdd
from emitter.core.columns import Decimals, FixedIds, Pooled, numbered_ids, timestamps
from emitter.core.ordering import time_order
from emitter.scenarios.tables import Catalog

I64 = npt.NDArray[np.int64]
ROW_DIGITS = 10  # the row number closing every event id


@dataclass(frozen=True)
class EventTables:
    """Args:
    catalog: the scenario's tables; each table's declared event time column receives ``ts``.
    run_tag: the scenario's ``run_tag``.
    codes: table id → two-digit code inside its event ids.
    id_column: the event-id column of tables that declare none.
    prefix: the event ids' leading letters.
    """

    catalog: Catalog
    run_tag: str
    codes: Mapping[str, int]
    id_column: str = "trace_id"
    prefix: str = "TRC"

    def finish(self, table: str, day: date, ts: I64, columns: dict[str, Any]) -> pa.Table:
        """Sort rows by event time (stable), add event ids and the event time, and conform to the schema."""
        if ts.size < 2 or bool((ts[1:] >= ts[:-1]).all()):  # already in order: nothing to move
            out = dict(columns)
        else:
            order = time_order(ts)
            ts = ts[order]
            out = {name: _take(col, order) for name, col in columns.items()}
        spec = self.catalog.get(table)
        out[spec.event_id or self.id_column] = numbered_ids(self._head(table, day), ts.size, ROW_DIGITS)
        out[spec.event_time or "event_ts"] = timestamps(ts)
        return self.catalog.conform(table, out)

    def id_length(self, table: str) -> int:
        """Characters of every event id of ``table`` (they are fixed width)."""
        return len(self._head(table, date(2000, 1, 1))) + ROW_DIGITS

    def _head(self, table: str, day: date) -> str:
        return f"{self.prefix}{self.codes[table]:02d}{self.run_tag}{yyyymmdd(day)}"


def _take(column: Any, order: I64) -> Any:
    """``column``'s rows in ``order``, keeping deferred columns deferred."""
    if isinstance(column, FixedIds | Pooled | Decimals):
        return column.take(order)
    if isinstance(column, pa.Array | pa.ChunkedArray):
        return column.take(pa.array(order))
    return np.asarray(column)[order]
