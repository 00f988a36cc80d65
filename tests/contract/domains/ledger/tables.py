"""Turn one day's arrays into the ledger's batches: sort by event time, add trace ids, conform."""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from emitter.core.clock import yyyymmdd
from emitter.core.columns import Decimals, FixedIds, Pooled, numbered_ids, timestamps
from emitter.scenarios.tables import Catalog

from .table_specs import AUDITS, BALANCES, POSTINGS

I64 = npt.NDArray[np.int64]

# Two-digit code per table inside trace ids: TRC<code><run tag><yyyymmdd><row>, unique across tables, days and runs.
TRACE_CODES = {BALANCES: 1, POSTINGS: 2, AUDITS: 3}


def money(cents: npt.ArrayLike) -> Decimals:
    return Decimals(np.asarray(cents, dtype=np.int64), 14, 2)


def take(column: Any, order: I64) -> Any:
    """Rows ``order`` of a deferred, Arrow or numpy column."""
    if isinstance(column, FixedIds | Pooled | Decimals):
        return column.take(order)
    if isinstance(column, pa.Array | pa.ChunkedArray):
        return column.take(pa.array(order))
    return np.asarray(column)[order]


def finish(catalog: Catalog, run_tag: str, table: str, day: date, ts: I64, columns: dict[str, Any]) -> pa.Table:
    """Rows in event-time order (stable), with trace ids and event times, under the table's schema."""
    order = np.argsort(ts, kind="stable")
    out = {name: take(column, order) for name, column in columns.items()}
    out["trace_id"] = numbered_ids(f"TRC{TRACE_CODES[table]:02d}{run_tag}{yyyymmdd(day)}", ts.size, 10)
    out["event_ts"] = timestamps(ts[order])
    return catalog.conform(table, out)
