"""The fashion scenario: a European retailer's ERP and webshop, with stock, returns and campaigns (seed 004)."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import date, datetime, timedelta
from functools import cached_property

import pyarrow as pa

from emitter.scenarios.contract import DayTables, DemoSpec, Scenario
from emitter.scenarios.event_tables import EventTables
from emitter.scenarios.fashion.day_tables import EVENT_CODES
from emitter.scenarios.fashion.day_tables import DayTables as Tables
from emitter.scenarios.fashion.demo_queries import DEMO_QUERIES
from emitter.scenarios.fashion.followups import Pending
from emitter.scenarios.fashion.rules import check_all
from emitter.scenarios.fashion.settings import FashionSettings
from emitter.scenarios.fashion.table_specs import TABLES
from emitter.scenarios.fashion.trading import FashionState, trade
from emitter.scenarios.fashion.world import FashionWorld, build_world
from emitter.scenarios.rules import RuleResult

CHECKPOINTS = 6  # month starts kept in memory: a few months back is all a worker revisits


class FashionScenario(Scenario[FashionSettings]):
    """An ERP (orders, stock, returns, campaigns) and a webshop whose every row references it.

    The state is the stock at every location and the returns and reviews not yet due; a day alone replays
    from the first trading day, through the nearest month-start checkpoint.
    """

    name = "fashion"
    title = "A European fashion retailer: ERP and webshop, stock, returns, campaigns, A/B tests, six currencies"
    settings_model = FashionSettings
    TABLES = TABLES
    demo = DemoSpec(
        start=datetime(2025, 1, 2, 7, 0),  # the January sale's first working morning
        speed=1200.0,
        preset="demo",
        queries=DEMO_QUERIES,
        hint=(
            "SELECT p.category, count(*) AS lines, sum(l.discount) AS discounts FROM operational.order_lines l "
            "JOIN operational.products p USING (product_id) GROUP BY 1 ORDER BY 2 DESC"
        ),
    )

    def __init__(self, seed: int, settings: FashionSettings) -> None:
        super().__init__(seed, settings)
        self.events = EventTables(self.catalog(), self.run_tag, EVENT_CODES, prefix="FSH")
        self._checkpoints: dict[date, FashionState] = {}

    def memory_estimate(self) -> int:
        return self.settings.volume.memory_estimate()

    @cached_property
    def world(self) -> FashionWorld:
        return build_world(self.keys, self.settings, self.catalog())

    @cached_property
    def tables(self) -> Tables:
        return Tables(self.keys, self.events, self.world)

    def reference(self) -> DayTables:
        return dict(self.world.tables)

    def check(self, tables: Mapping[str, pa.Table]) -> list[RuleResult]:
        return check_all(tables, self.settings)

    def _opening(self) -> FashionState:
        return FashionState(self.world.opening_stock.copy(), Pending.empty())

    def state_at(self, day: date) -> FashionState:
        start = self.settings.volume.start
        if day <= start:
            return self._opening()
        known = [d for d in self._checkpoints if d <= day]
        at = max(known) if known else start
        state = self._checkpoints[at] if known else self._opening()
        while at < day:
            state = self._advance(at, state)
            at += timedelta(days=1)
        return state

    def _advance(self, day: date, state: FashionState) -> FashionState:
        _, after = trade(self.keys, self.world, day, state)
        self._remember(day + timedelta(days=1), after)
        return after

    def _remember(self, day: date, state: FashionState) -> None:
        """Keep the state at a month start (states are never changed in place, so no copy is needed)."""
        if day.day == 1 and day not in self._checkpoints:
            self._checkpoints[day] = state
            while len(self._checkpoints) > CHECKPOINTS:
                del self._checkpoints[min(self._checkpoints)]

    def generate(
        self, day: date, state: FashionState | None, tables: Collection[str]
    ) -> tuple[DayTables, FashionState]:
        current = self.state_at(day) if state is None else state
        if day < self.settings.volume.start:  # before trading starts: nothing happens
            return {t: self.catalog().arrow(self.catalog().get(t)).empty_table() for t in tables}, current
        traded, after = trade(self.keys, self.world, day, current)
        self._remember(day + timedelta(days=1), after)
        out = self.tables.build(day, traded, set(tables))
        return {t: out[t] for t in tables}, after
