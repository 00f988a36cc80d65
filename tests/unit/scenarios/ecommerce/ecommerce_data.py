"""The small e-commerce shop the tests share, and windows of days generated once per test session."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from emitter.config import load_config
from emitter.scenarios import open_scenario
from emitter.scenarios.ecommerce.scenario import EcommerceScenario

CATALOG = EcommerceScenario.catalog()
PER_DAY_TABLES = tuple(t.id for t in CATALOG.per_day)

# Mon 25 Nov … Sun 8 Dec 2024: Thanksgiving, Black Friday (29), the weekend, Cyber Monday (2 Dec), a week after
SALE_WEEKS = (date(2024, 11, 25), 14)
# Mon 4 … Sun 24 Mar 2024: three ordinary weeks, no sale day, no holiday
MARCH = (date(2024, 3, 4), 21)
BLACK_FRIDAY = date(2024, 11, 29)
CYBER_MONDAY = date(2024, 12, 2)
# ordinary days around the sales: the Mon-Wed before and the Wed-Fri after (Thanksgiving and gift-season days excluded)
ORDINARY_AROUND = (date(2024, 11, 25), date(2024, 11, 26), date(2024, 11, 27), date(2024, 12, 4), date(2024, 12, 5))


def config(seed: int | None = None, **sections: Any) -> Any:
    overrides: dict[str, Any] = {"scenario": "ecommerce", "preset": "small"}
    if seed is not None:
        overrides["seed"] = seed
    if sections:
        overrides["ecommerce"] = sections
    return load_config(None, overrides, {})


class Shop:
    """One scenario instance plus cached windows of days."""

    def __init__(self, seed: int | None = None, **sections: Any) -> None:
        scenario = open_scenario(config(seed, **sections))
        assert isinstance(scenario, EcommerceScenario)
        self.scenario = scenario
        self._days: dict[tuple[date, int], dict[date, dict[str, pa.Table]]] = {}

    @property
    def reference(self) -> dict[str, pa.Table]:
        return dict(self.scenario.reference())

    def days(self, start: date, n: int) -> dict[date, dict[str, pa.Table]]:
        if (start, n) not in self._days:
            span = [start + timedelta(days=i) for i in range(n)]
            self._days[(start, n)] = dict(self.scenario.days(span, None))
        return self._days[(start, n)]

    def window(self, start: date, n: int) -> dict[str, pa.Table]:
        """Per-day tables of ``n`` consecutive days, each concatenated in day order, plus the reference tables."""
        days = self.days(start, n)
        per_day = {t: pa.concat_tables([d[t] for d in days.values()]) for t in PER_DAY_TABLES}
        return {**self.reference, **per_day}


def ints(t: pa.Table, name: str, null: int = -1) -> npt.NDArray[np.int64]:
    col = t.column(name)
    if pa.types.is_timestamp(col.type):
        col = col.cast(pa.int64())
    return np.asarray(pc.fill_null(col, null).to_numpy(), dtype=np.int64)


def strings(t: pa.Table, name: str) -> npt.NDArray[np.object_]:
    return np.asarray(t.column(name).to_numpy(zero_copy_only=False), dtype=object)


def flags(t: pa.Table, name: str) -> npt.NDArray[np.bool_]:
    return np.asarray(t.column(name).to_numpy(zero_copy_only=False), dtype=bool)


def codes(t: pa.Table, name: str) -> npt.NDArray[np.int64]:
    return np.asarray(pc.dictionary_encode(t.column(name).combine_chunks()).indices.to_numpy(), dtype=np.int64)


def human_sessions(tables: Mapping[str, pa.Table]) -> pa.Table:
    """Sessions not labelled as bots."""
    bots = tables["session_labels"].filter(tables["session_labels"].column("is_bot")).column("session_id")
    s = tables["sessions"]
    return s.filter(pc.invert(pc.is_in(s.column("session_id"), value_set=bots.combine_chunks())))


def hours(t: pa.Table, name: str) -> npt.NDArray[np.int64]:
    return (ints(t, name) // 3_600_000_000) % 24
