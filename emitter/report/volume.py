"""Event counts by hour of day, day of week and date, for every per-day table, from its declared event time.

Event times are the place's wall clock stored as UTC, so the hour read off the stored value is the local hour.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from emitter.scenarios.rules import ints
from emitter.scenarios.tables import Catalog

HOUR_US = 3_600_000_000
DAY_US = 24 * HOUR_US
EPOCH = date(1970, 1, 1)
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True)
class TableVolume:
    """One table's events: by hour of day (24), by weekday (7, Monday first) and by day from ``first``."""

    table: str
    rows: int
    by_hour: npt.NDArray[np.int64]
    by_weekday: npt.NDArray[np.int64]
    first: date
    by_day: npt.NDArray[np.int64]

    def days(self) -> list[date]:
        return [self.first + timedelta(days=i) for i in range(self.by_day.size)]


def table_volumes(catalog: Catalog, tables: Mapping[str, pa.Table]) -> list[TableVolume]:
    """A volume per non-empty per-day table at hand that declares an event time, in the catalog's order."""
    out = []
    for spec in catalog.per_day:
        table = tables.get(spec.id)
        if spec.event_time is None or table is None or table.num_rows == 0:
            continue
        out.append(_volume(spec.id, ints(table, spec.event_time)))
    return out


def _volume(table: str, micros: npt.NDArray[np.int64]) -> TableVolume:
    day = micros // DAY_US
    first = int(day.min())
    return TableVolume(
        table=table,
        rows=int(micros.size),
        by_hour=np.bincount((micros // HOUR_US) % 24, minlength=24),
        by_weekday=np.bincount((day + 3) % 7, minlength=7),  # 1970-01-01 was a Thursday
        first=EPOCH + timedelta(days=first),
        by_day=np.bincount(day - first),
    )


def date_range(volumes: list[TableVolume]) -> tuple[date, date] | None:
    """The first and last day any table has events on, or None when none has any."""
    if not volumes:
        return None
    first = min(v.first for v in volumes)
    last = max(v.first + timedelta(days=v.by_day.size - 1) for v in volumes)
    return first, last
