"""Turn one day's simulated arrays into retail's event tables: ids, strings, money and sort order."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from emitter.core.clock import MICROS_PER_MINUTE, day_start_us, yyyymmdd
from emitter.core.columns import Decimals, FixedIds, Pooled, numbered_ids, pooled, timestamps
from emitter.scenarios.tables import Catalog

I64 = npt.NDArray[np.int64]
TENDERS = ("CREDIT_CARD", "DEBIT_CARD", "CASH", "MOBILE_PAY", "GIFT_CARD")

# Two-digit code per table inside trace ids: TRC<code><run tag><yyyymmdd><row>.
TRACE_CODES = {
    "receipts": 1,
    "receipt_lines": 2,
    "store_inventory_txn": 3,
    "dc_inventory_txn": 4,
    "truck_moves": 5,
    "foot_traffic": 6,
    "ble_pings": 7,
    "marketing": 8,
    "online_orders": 9,
    "online_order_lines": 10,
}


def money(cents: npt.ArrayLike) -> Decimals:
    return Decimals(np.asarray(cents, dtype=np.int64), 12, 2)


@dataclass(frozen=True)
class EventTables:
    """Finishes retail's event tables: the catalog conforms them, the run tag makes trace ids unique."""

    catalog: Catalog
    run_tag: str

    def finish(self, table: str, day: date, ts: I64, columns: dict[str, Any]) -> pa.Table:
        """Sort rows by event time (stable), add trace ids and conform to the table's schema."""
        order = np.argsort(ts, kind="stable")
        out: dict[str, Any] = {}
        for name, col in columns.items():
            if isinstance(col, FixedIds | Pooled | Decimals):
                out[name] = col.take(order)
            elif isinstance(col, pa.Array | pa.ChunkedArray):
                out[name] = col.take(pa.array(order))
            else:
                out[name] = np.asarray(col)[order]
        n = ts.size
        out["trace_id"] = numbered_ids(f"TRC{TRACE_CODES[table]:02d}{self.run_tag}{yyyymmdd(day)}", n, 10)
        out["event_ts"] = timestamps(ts[order])
        return self.catalog.conform(table, out)


def in_day(ts: I64, day: date) -> npt.NDArray[np.bool_]:
    start = day_start_us(day)
    return (ts >= start) & (ts < start + 24 * 60 * MICROS_PER_MINUTE)


__all__ = ["EventTables", "in_day", "money", "pooled"]
