"""Arrow columns as numpy arrays, read independently of emitter's own readers (rules.py has its own)."""

from __future__ import annotations

from datetime import date

import numpy as np
import numpy.typing as npt
import pyarrow as pa

MICROS_PER_HOUR = 3_600_000_000
MICROS_PER_DAY = 24 * MICROS_PER_HOUR
EPOCH = date(1970, 1, 1)


def ints(table: pa.Table, name: str) -> npt.NDArray[np.int64]:
    col = table.column(name)
    assert col.null_count == 0, f"{name} has nulls"
    return np.asarray(col.to_numpy(), dtype=np.int64)


def micros(table: pa.Table, name: str = "event_ts") -> npt.NDArray[np.int64]:
    col = table.column(name)
    assert col.type == pa.timestamp("us", tz="UTC")
    return np.asarray(col.cast(pa.int64()).to_numpy(), dtype=np.int64)


def cents(table: pa.Table, name: str) -> npt.NDArray[np.int64]:
    """Money column as integer cents, via Python Decimals (exact, and independent of emitter)."""
    col = table.column(name)
    assert col.type.scale == 2, f"{name} is not a 2-decimal money column"
    return np.array([int(v.scaleb(2)) for v in col.to_pylist()], dtype=np.int64)


def strings(table: pa.Table, name: str) -> npt.NDArray[np.str_]:
    return np.array(table.column(name).to_pylist(), dtype=str)


def lookup(keys: npt.ArrayLike, table_keys: npt.ArrayLike) -> npt.NDArray[np.int64]:
    """Row index of each key in ``table_keys``; every key must be found."""
    keys, table_keys = np.asarray(keys), np.asarray(table_keys)
    order = np.argsort(table_keys, kind="stable")
    pos = np.minimum(np.searchsorted(table_keys[order], keys), table_keys.size - 1)
    found = order[pos]
    assert (table_keys[found] == keys).all(), "unresolved keys"
    return found


def hour_of_day(ts: npt.NDArray[np.int64]) -> npt.NDArray[np.float64]:
    return (ts % MICROS_PER_DAY) / MICROS_PER_HOUR


def epoch_day(ts_or_day: npt.NDArray[np.int64] | date) -> npt.NDArray[np.int64] | int:
    """Days since 1970-01-01 of timestamps (µs) or of a date."""
    if isinstance(ts_or_day, date):
        return (ts_or_day - EPOCH).days
    return ts_or_day // MICROS_PER_DAY
