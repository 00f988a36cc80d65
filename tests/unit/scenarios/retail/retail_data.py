"""The small retail world the suite shares, and windows of facts generated once per session."""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any

import pyarrow as pa

from emitter.config import Config, load_config
from emitter.scenarios.retail import FACT_TABLES, RetailScenario

SMALL_VOLUME = {
    "stores": 20,
    "dcs": 3,
    "products": 300,
    "customers": 5000,
    "geographies": 12,
    "customers_per_day": 3000,
    "online_orders_per_day": 300,
    "marketing_impressions_per_day": 3000,
}

# Windows the suite shares (start, number of days).
THANKSGIVING_WEEK = (
    date(2024, 11, 25),
    9,
)  # Mon 25 Nov … Tue 3 Dec: Thanksgiving, Black Friday, Cyber Monday
CHRISTMAS_WEEK = (date(2024, 12, 20), 9)  # Fri 20 Dec … Sat 28 Dec
MONTH_END = (date(2024, 2, 26), 7)  # Mon 26 Feb … Sun 3 Mar, across the leap day and a month boundary
NOVEMBER = (date(2024, 11, 1), 30)
RULE_WINDOWS = {"thanksgiving": THANKSGIVING_WEEK, "christmas": CHRISTMAS_WEEK, "month_end": MONTH_END}

BLACK_FRIDAY = date(2024, 11, 29)
THANKSGIVING = date(2024, 11, 28)
CHRISTMAS = date(2024, 12, 25)


def make_config(volume: Mapping[str, Any] | None = None, **sections: Any) -> Config:
    """The config a user would get from flags alone: no ./config.json, no EMITTER_* variables."""
    overrides: dict[str, Any] = {"volume": {**SMALL_VOLUME, **(volume or {})}, **sections}
    with tempfile.TemporaryDirectory() as empty, contextlib.chdir(empty):
        return load_config(path=None, overrides=overrides, environ={})


class RetailRun:
    """One scenario instance plus cached windows of facts."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.scenario = RetailScenario(config)
        self._days: dict[tuple[date, int, tuple[str, ...]], list[tuple[date, dict[str, pa.Table]]]] = {}

    @property
    def master(self) -> dict[str, pa.Table]:
        return self.scenario.master()

    def days(self, start: date, n: int, tables: Sequence[str] = FACT_TABLES) -> list[tuple[date, dict[str, pa.Table]]]:
        key = (start, n, tuple(tables))
        full = (start, n, FACT_TABLES)
        if key not in self._days and full in self._days:
            return [(d, {t: out[t] for t in tables}) for d, out in self._days[full]]
        if key not in self._days:
            span = [start + timedelta(days=i) for i in range(n)]
            self._days[key] = list(self.scenario.facts(span, tables))
        return self._days[key]

    def window(self, start: date, n: int, tables: Sequence[str] = FACT_TABLES) -> dict[str, pa.Table]:
        """Facts of ``n`` consecutive days, each table concatenated in day order."""
        days = self.days(start, n, tables)
        return {t: pa.concat_tables([d[t] for _, d in days]) for t in tables}

    def with_master(self, start: date, n: int) -> dict[str, pa.Table]:
        return {**self.master, **self.window(start, n)}
