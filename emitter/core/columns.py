"""Build Arrow columns from numpy arrays without per-row Python: ids, money, timestamps, pooled strings.

String columns stay "deferred" (a byte matrix or pool indices) until a table is assembled, so
sorting and filtering them is plain numpy indexing and Arrow sees each string exactly once.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

IntArray = npt.NDArray[np.int64]
EPOCH_ORDINAL = 719_163  # date(1970, 1, 1).toordinal()
Part = tuple[int | npt.ArrayLike, int]


@cache
def _digit_table(width: int) -> npt.NDArray[np.uint8]:
    """ASCII digits of 0 … 10**width - 1, one row each."""
    values = np.arange(10**width, dtype=np.int64)
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    return ((values[:, None] // powers) % 10 + 48).astype(np.uint8)


class FixedIds:
    """Fixed-width ASCII ids as an (n, width) byte matrix."""

    def __init__(self, matrix: npt.NDArray[np.uint8]) -> None:
        self.matrix = matrix

    def __len__(self) -> int:
        return int(self.matrix.shape[0])

    def take(self, index: npt.ArrayLike) -> FixedIds:
        return FixedIds(self.matrix[np.asarray(index)])

    def to_arrow(self) -> pa.StringArray:
        n, width = self.matrix.shape
        offsets = np.arange(0, (n + 1) * width, width, dtype=np.int32)
        data = np.ascontiguousarray(self.matrix)
        return pa.StringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(data.tobytes()))


def fixed_width_ids(prefix: str, parts: Sequence[Part]) -> FixedIds:
    """Format ids like ``RCP2024010100123000042`` column-wise.

    Args:
        prefix: constant leading text (ASCII).
        parts: (value, digit width) pairs, zero-padded and concatenated in order. A value is a
            non-negative int (constant for all rows) or an array of them.
    """
    n = next((np.size(v) for v, _ in parts if not isinstance(v, int | np.integer)), None)
    if n is None:
        raise ValueError("at least one id part must be an array")
    head = prefix.encode("ascii")
    width = len(head) + sum(w for _, w in parts)
    template = np.frombuffer(head + b"0" * (width - len(head)), dtype=np.uint8).copy()
    col = len(head)
    arrays: list[tuple[IntArray, int, int]] = []
    for value, digits in parts:
        if isinstance(value, int | np.integer):
            if not 0 <= value < 10**digits:
                raise ValueError(f"id part {value} does not fit {digits} digits")
            template[col : col + digits] = np.frombuffer(f"{int(value):0{digits}d}".encode(), dtype=np.uint8)
        else:
            arrays.append((np.asarray(value, dtype=np.int64), col, digits))
        col += digits
    out = np.empty((n, width), dtype=np.uint8)
    filled = np.zeros(width, dtype=bool)
    for values, start, digits in arrays:
        if values.size and (values.min() < 0 or values.max() >= 10**digits):
            raise ValueError(f"id part out of range for {digits} digits")
        # fill up to 4 digits per gather from a lookup table, least significant group last
        pos = start + digits
        rest = values
        while pos > start:
            chunk = min(4, pos - start)
            out[:, pos - chunk : pos] = _digit_table(chunk)[rest % 10**chunk if pos - chunk > start else rest]
            rest = rest // 10**chunk
            pos -= chunk
        filled[start : start + digits] = True
    # constant stretches: one broadcast assignment each
    edges = np.flatnonzero(np.diff(np.r_[0, (~filled).astype(np.int8), 0]))
    for lo, hi in zip(edges[0::2], edges[1::2], strict=True):
        out[:, lo:hi] = template[lo:hi]
    return FixedIds(out)


def numbered_ids(prefix: str, n: int, digits: int) -> FixedIds:
    """``prefix`` followed by 0 … n-1 zero-padded: the row numbers of trace ids, built by tiling digit blocks."""
    if n > 10**digits:
        raise ValueError(f"{n} rows do not fit {digits} digits")
    head = np.frombuffer(prefix.encode("ascii"), dtype=np.uint8)
    out = np.empty((n, head.size + digits), dtype=np.uint8)
    out[:, : head.size] = head
    if n == 0:
        return FixedIds(out)
    pos, period = head.size + digits, 1
    while pos > head.size:
        chunk = min(4, pos - head.size)
        block = _digit_table(chunk)  # the 10**chunk values of this digit group, in order
        size = 10**chunk
        if period * size >= n:  # the group does not wrap within n rows: each value held `period` rows
            k = -(-n // period)
            counts = np.full(k, period, dtype=np.int64)
            counts[-1] = n - period * (k - 1)
            out[:, pos - chunk : pos] = np.repeat(block[:k], counts, axis=0)
        else:  # wraps: one full cycle, tiled
            cycle = np.repeat(block, period, axis=0)
            out[:, pos - chunk : pos] = np.tile(cycle, (-(-n // cycle.shape[0]), 1))[:n]
        period *= 10**chunk
        pos -= chunk
    return FixedIds(out)


class Pooled:
    """Strings drawn from a small pool, held as indices until assembled."""

    def __init__(self, pool: pa.Array, index: IntArray) -> None:
        self.pool = pool
        self.index = index

    def __len__(self) -> int:
        return int(self.index.size)

    def take(self, index: npt.ArrayLike) -> Pooled:
        return Pooled(self.pool, self.index[np.asarray(index)])

    def to_arrow(self) -> pa.Array:
        index = self.index.astype(np.int32) if len(self.pool) < 2**31 else self.index  # int32 takes are faster
        return self.pool.take(pa.array(index))


def pooled(pool: pa.Array | Sequence[str], index: npt.ArrayLike) -> Pooled:
    """Pick values from a pool of strings by index."""
    arr = pool if isinstance(pool, pa.Array) else pa.array(list(pool), type=pa.string())
    return Pooled(arr, np.asarray(index, dtype=np.int64))


class Decimals:
    """Decimal column held as integer units of 10**-scale until assembled."""

    def __init__(self, units: IntArray, precision: int, scale: int) -> None:
        self.units, self.precision, self.scale = units, precision, scale

    def __len__(self) -> int:
        return int(self.units.size)

    def take(self, index: npt.ArrayLike) -> Decimals:
        return Decimals(self.units[np.asarray(index)], self.precision, self.scale)

    def to_arrow(self) -> pa.Array:
        return decimal_from_units(self.units, self.precision, self.scale)


Deferred = FixedIds | Pooled | Decimals


def concat(columns: Sequence[Any]) -> Any:
    """Concatenate same-kind columns, keeping them deferred where possible."""
    if all(isinstance(c, FixedIds) for c in columns) and len({c.matrix.shape[1] for c in columns}) == 1:
        return FixedIds(np.concatenate([c.matrix for c in columns]))
    if all(isinstance(c, Pooled) for c in columns) and len({id(c.pool) for c in columns}) == 1:
        return Pooled(columns[0].pool, np.concatenate([c.index for c in columns]))
    return pa.concat_arrays([to_arrow(c) for c in columns])


def to_arrow(column: Any) -> Any:
    return column.to_arrow() if isinstance(column, FixedIds | Pooled | Decimals) else column


def decimal_from_units(units: npt.ArrayLike, precision: int, scale: int) -> pa.Array:
    """Decimal column from integer units of 10**-scale (e.g. cents for scale 2), without Python Decimals."""
    lo = np.ascontiguousarray(units, dtype=np.int64)
    words = np.empty((lo.size, 2), dtype=np.int64)
    words[:, 0] = lo
    words[:, 1] = np.where(lo < 0, -1, 0)  # sign-extend to 128 bits, little-endian
    return pa.Array.from_buffers(pa.decimal128(precision, scale), lo.size, [None, pa.py_buffer(words.tobytes())])


def date_column(ordinals: npt.ArrayLike, mask: npt.NDArray[np.bool_] | None = None) -> pa.Array:
    """A date32 column from proleptic ordinals (``date.toordinal()``); ``mask`` marks nulls."""
    days = np.asarray(ordinals, dtype=np.int64) - EPOCH_ORDINAL
    return pa.array(days.astype(np.int32), mask=mask).cast(pa.date32())


def timestamps(ts_us: npt.ArrayLike) -> pa.Array:
    return pa.array(np.asarray(ts_us, dtype=np.int64), type=pa.int64()).view(pa.timestamp("us", tz="UTC"))


def round_half_up_div(numerator: IntArray, denominator: int) -> IntArray:
    """Integer division rounded half away from zero, for money math in integer units."""
    sign = np.where(numerator < 0, -1, 1)
    return np.asarray(sign * ((np.abs(numerator) + denominator // 2) // denominator), dtype=np.int64)
