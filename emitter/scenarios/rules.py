"""Rule results, and the rule every scenario has: its declared foreign keys resolve."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from emitter.core.clock import MICROS_PER_DAY

if TYPE_CHECKING:
    from emitter.scenarios.tables import Catalog

G = TypeVar("G", bound=np.generic)


@dataclass(frozen=True)
class RuleResult:
    """Outcome of one business-rule check."""

    rule: str
    ok: bool
    detail: str


def counted(rule: str, bad: int, what: str, of: int) -> RuleResult:
    """A rule judged row by row: it holds when none of ``of`` rows (``what``) breaks it."""
    return RuleResult(rule, bad == 0, f"{bad:,} of {of:,} {what}")


def decimal_units(t: pa.Table, name: str) -> npt.NDArray[np.int64]:
    """A decimal column as integer units of its scale (cents for scale 2), exactly: the low word of each value."""
    col = t.column(name).combine_chunks()
    if col.null_count:
        raise ValueError(f"{name} has nulls")
    words = np.frombuffer(col.buffers()[1], dtype=np.int64)[2 * col.offset : 2 * (col.offset + len(col))]
    return words[0::2].copy()


def ints(t: pa.Table, name: str, null: int = -1) -> npt.NDArray[np.int64]:
    """An integer, timestamp (µs) or date (days since 1970) column as int64, null as ``null``."""
    col = t.column(name)
    if pa.types.is_timestamp(col.type):
        col = col.cast(pa.int64())
    elif pa.types.is_date32(col.type):
        col = col.cast(pa.int32())
    return np.asarray(pc.fill_null(col, null).to_numpy(), dtype=np.int64)


def days(t: pa.Table, name: str) -> npt.NDArray[np.int64]:
    """The day (days since 1970) of a timestamp column."""
    return ints(t, name) // MICROS_PER_DAY


def weekday(day: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """0 Monday … 6 Sunday of days since 1970 (1970-01-01 was a Thursday)."""
    return (day + 3) % 7


def is_(t: pa.Table, name: str, *values: str) -> npt.NDArray[np.bool_]:
    """Rows whose string column is one of ``values`` (null is not)."""
    return np.asarray(pc.fill_null(pc.is_in(t.column(name), value_set=pa.array(values)), False).to_numpy(), bool)


def codes(*columns: pa.ChunkedArray | pa.Array) -> list[npt.NDArray[np.int64]]:
    """Integer codes of string (or id) values shared across columns; -1 for null."""
    arrays = [c.combine_chunks() if isinstance(c, pa.ChunkedArray) else c for c in columns]
    arrays = [a.cast(pa.string()) if pa.types.is_large_string(a.type) else a for a in arrays]
    joint = pc.dictionary_encode(pa.concat_arrays(arrays)).indices
    flat = np.asarray(pc.fill_null(joint, -1).to_numpy(), dtype=np.int64)
    return np.split(flat, np.cumsum([len(a) for a in arrays])[:-1])


def lookup(keys: npt.NDArray[np.int64], table_keys: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Row of ``table_keys`` holding each of ``keys`` (unique in ``table_keys``), -1 when none or null."""
    if not table_keys.size:
        return np.full(keys.size, -1, np.int64)
    order = np.argsort(table_keys, kind="stable")
    sorted_keys = table_keys[order]
    at = np.searchsorted(sorted_keys, keys).clip(0, sorted_keys.size - 1)
    found = (keys >= 0) & (sorted_keys[at] == keys)
    return np.where(found, order[at], -1).astype(np.int64)


def at_rows(values: npt.NDArray[G], rows: npt.NDArray[np.int64], missing: int | bool | str) -> npt.NDArray[G]:
    """``values`` at each of ``rows`` (as ``lookup`` finds them), ``missing`` where a row is -1.

    The table a rule looks rows up in may be empty or cut short (a stream stopped early, rows deleted): rows
    that lost their partner read ``missing`` rather than indexing past the end, and the rule leaves them
    to the foreign keys.
    """
    out = np.full(rows.shape, missing, dtype=values.dtype)
    found = rows >= 0
    out[found] = values[rows[found]]
    return out


def unresolved(values: pa.ChunkedArray | pa.Array, allowed: pa.ChunkedArray | pa.Array) -> int:
    """How many non-null ``values`` are missing from ``allowed``."""
    values = pc.drop_null(values)
    if not len(values):
        return 0
    pool = allowed.combine_chunks() if isinstance(allowed, pa.ChunkedArray) else allowed
    return int(len(values) - pc.sum(pc.is_in(values, value_set=pool)).as_py())


def check_foreign_keys(catalog: Catalog, tables: Mapping[str, pa.Table]) -> list[RuleResult]:
    """One result per declared key whose two tables are both present (keyed by table id)."""
    out = []
    for child in catalog.tables:
        for fk in child.foreign_keys:
            parent = catalog.get(fk.table)
            if child.id in tables and parent.id in tables:
                missing = unresolved(tables[child.id].column(fk.column), tables[parent.id].column(fk.references))
                out.append(
                    RuleResult(
                        f"fk {child.id}.{fk.column} -> {parent.id}.{fk.references}",
                        missing == 0,
                        f"{missing} unresolved",
                    )
                )
    return out
