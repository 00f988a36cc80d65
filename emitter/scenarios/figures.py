"""Domain figures a scenario declares for ``emitter report``: already-counted data, drawn by ``emitter.report``.

A scenario says what is worth showing (basket sizes, the payment mix, the top stores) as small aggregates;
the report decides how it looks, so every domain's page reads the same way and no scenario imports a
charting library.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc


class FigureKind(StrEnum):
    """How a figure's points read."""

    DISTRIBUTION = "distribution"  # how many units have each size (lines per receipt), sizes in order
    MIX = "mix"  # shares of the categories of one column, largest first
    STAGES = "stages"  # ordered steps that narrow (a funnel), in the declared order
    TOP = "top"  # the largest entities by a measure, largest first


@dataclass(frozen=True)
class Figure:
    """One domain chart.

    Args:
        title: the chart's heading.
        kind: how the points read (and which section of the page it goes to: TOP ones go to "Top").
        points: (label, value) pairs, in the order they are drawn.
        x: what a label is ("lines per receipt").
        y: what a value counts ("receipts").
        note: one line under the heading, when the figure needs its definition spelled out.
    """

    title: str
    kind: FigureKind
    points: tuple[tuple[str, float], ...]
    x: str
    y: str
    note: str = ""

    @property
    def empty(self) -> bool:
        """Nothing to draw: no point has a value (the tables at hand had none of it)."""
        return not any(value > 0 for _, value in self.points)


def distribution(
    title: str, sizes: npt.NDArray[np.int64], x: str, y: str, cap: int, note: str = "", least: int = 0
) -> Figure:
    """How many units have each size from ``least`` to ``cap``; sizes above ``cap`` are counted as ``cap+``."""
    clipped = np.clip(np.asarray(sizes, dtype=np.int64), least, cap) - least
    counts = np.bincount(clipped, minlength=cap - least + 1)
    labels = [str(size) for size in range(least, cap)] + [f"{cap}+"]
    return Figure(title, FigureKind.DISTRIBUTION, tuple(zip(labels, map(float, counts), strict=True)), x, y, note)


def mix(title: str, column: pa.ChunkedArray | pa.Array, x: str, y: str, note: str = "") -> Figure:
    """The count of each value of ``column`` (nulls as "none"), largest first."""
    counts = pc.value_counts(pc.fill_null(column.cast(pa.string()), "none"))
    pairs = sorted(
        ((str(v["values"]), float(v["counts"])) for v in counts.to_pylist()),
        key=lambda p: (-p[1], p[0]),
    )
    return Figure(title, FigureKind.MIX, tuple(pairs), x, y, note)


def stages(title: str, counts: Sequence[tuple[str, int]], x: str, y: str, note: str = "") -> Figure:
    """Ordered steps with their counts, kept in the order given."""
    return Figure(title, FigureKind.STAGES, tuple((label, float(n)) for label, n in counts), x, y, note)


def top(
    title: str,
    keys: pa.ChunkedArray | pa.Array,
    names: Mapping[object, str],
    x: str,
    y: str,
    weights: npt.NDArray[np.float64] | None = None,
    n: int = 10,
    note: str = "",
) -> Figure:
    """The ``n`` keys with the most rows (or the largest sum of ``weights``), named through ``names``."""
    codes = pc.dictionary_encode(keys.combine_chunks() if isinstance(keys, pa.ChunkedArray) else keys)
    index = np.asarray(codes.indices.to_numpy(zero_copy_only=False), dtype=np.int64)
    totals = np.bincount(index, weights=weights, minlength=len(codes.dictionary))
    best = np.argsort(-totals, kind="stable")[:n]
    values = codes.dictionary.to_pylist()
    points = tuple((names.get(values[i], str(values[i])), float(totals[i])) for i in best if totals[i] > 0)
    return Figure(title, FigureKind.TOP, points, x, y, note)


def names_of(table: pa.Table, key: str, name: str) -> dict[object, str]:
    """Key → display name, from a reference table."""
    return dict(zip(table.column(key).to_pylist(), table.column(name).to_pylist(), strict=True))


def have(tables: Mapping[str, pa.Table], *ids: str) -> bool:
    """Whether every table a figure needs is at hand (an output may hold only some tables)."""
    return all(t in tables for t in ids)
