"""The small retail world the suite shares (the ``small`` preset), and windows of days generated once per session."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

import pyarrow as pa

from emitter.config import Config
from emitter.scenarios import open_scenario
from emitter.scenarios.retail import RetailScenario, RetailSettings

CATALOG = RetailScenario.catalog()
REFERENCE_TABLES = tuple(t.id for t in CATALOG.reference)
PER_DAY_TABLES = tuple(t.id for t in CATALOG.per_day)

# The small preset is a quick world: its 12 stores include no all-night store (at the default 8 % share), one
# store at the 6 % rate (Washington, DC) where exact half cents are common, and too few shoppers for Black
# Friday's first hour to show. Tests of holiday and night hours and of half-up rounding run on the preset with
# more of each: a 25 % all-night share (two of the 12 stores), the first 12 metros (three stores move to DC),
# and 4,000 member visits a day instead of 2,000.
VARIED = {"volume": {"geographies": 12, "customers_per_day": 4000}, "shares": {"store_24h": 0.25}}

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


class RetailRun:
    """One scenario instance plus cached windows of days."""

    def __init__(self, config: Config) -> None:
        self.config = config
        scenario = open_scenario(config)
        assert isinstance(scenario, RetailScenario)
        self.scenario = scenario
        self._days: dict[tuple[date, int, tuple[str, ...]], list[tuple[date, dict[str, pa.Table]]]] = {}

    @property
    def settings(self) -> RetailSettings:
        return self.scenario.settings

    @property
    def master(self) -> dict[str, pa.Table]:
        """The reference tables."""
        return self.scenario.reference()

    def days(
        self, start: date, n: int, tables: Sequence[str] = PER_DAY_TABLES
    ) -> list[tuple[date, dict[str, pa.Table]]]:
        key = (start, n, tuple(tables))
        full = (start, n, PER_DAY_TABLES)
        if key not in self._days and full in self._days:
            return [(d, {t: out[t] for t in tables}) for d, out in self._days[full]]
        if key not in self._days:
            span = [start + timedelta(days=i) for i in range(n)]
            self._days[key] = list(self.scenario.days(span, tables))
        return self._days[key]

    def window(self, start: date, n: int, tables: Sequence[str] = PER_DAY_TABLES) -> dict[str, pa.Table]:
        """Per-day tables of ``n`` consecutive days, each table concatenated in day order."""
        days = self.days(start, n, tables)
        return {t: pa.concat_tables([d[t] for _, d in days]) for t in tables}

    def with_master(self, start: date, n: int) -> dict[str, pa.Table]:
        return {**self.master, **self.window(start, n)}
