"""What a scenario's estimator returns per table: expected rows over the days asked, and bytes per row."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from emitter.core.clock import SLOTS_PER_DAY
from emitter.plan.avro_size import measured_row_bytes

if TYPE_CHECKING:
    from emitter.scenarios.tables import Catalog

F64 = npt.NDArray[np.float64]


@dataclass(frozen=True)
class TableVolume:
    """Expected volume of one table.

    Args:
        slots: per-day tables: expected rows per (day, 15-minute slot of event time), shape
            (days, SLOTS_PER_DAY); reference tables: None.
        reference_rows: reference tables: their row count; per-day tables: 0.
        row_bytes: expected Avro-encoded size of one row (the message body, without framing).
    """

    slots: F64 | None
    reference_rows: int
    row_bytes: float

    @classmethod
    def per_day(cls, slots: F64, row_bytes: float) -> TableVolume:
        if slots.ndim != 2 or slots.shape[1] != SLOTS_PER_DAY:
            raise ValueError(f"expected rows per (day, slot), got shape {slots.shape}")
        return cls(np.asarray(slots, dtype=np.float64), 0, row_bytes)

    @classmethod
    def reference(cls, rows: int, row_bytes: float) -> TableVolume:
        return cls(None, rows, row_bytes)

    @property
    def rows(self) -> float:
        """Expected rows over the whole range (a reference table's row count)."""
        return float(self.slots.sum()) if self.slots is not None else float(self.reference_rows)

    @property
    def bytes(self) -> float:
        return self.rows * self.row_bytes


def spread(per_day: npt.ArrayLike, shape: npt.ArrayLike) -> F64:
    """Rows per (day, slot) from rows per day and an intraday shape (any positive weights over the slots)."""
    weights = np.asarray(shape, dtype=np.float64)
    weights = weights / weights.sum(axis=-1, keepdims=True)
    days = np.asarray(per_day, dtype=np.float64)
    return np.asarray(days[:, None] * (weights if weights.ndim == 2 else weights[None, :]), dtype=np.float64)


def reference_volumes(catalog: Catalog, tables: Mapping[str, pa.Table]) -> dict[str, TableVolume]:
    """Reference tables as they are: their rows, and their mean Avro row size measured on them (built anyway)."""
    return {
        name: TableVolume.reference(table.num_rows, measured_row_bytes(table, catalog.avro(catalog.get(name))))
        for name, table in tables.items()
    }
