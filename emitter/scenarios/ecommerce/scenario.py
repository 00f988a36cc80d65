"""The e-commerce scenario: shoppers, their sessions and clicks, orders, stock and reviews (seed 001)."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cached_property

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from emitter.plan.volume import TableVolume
from emitter.scenarios.contract import DayTables, DemoSpec, Scenario
from emitter.scenarios.ecommerce.clicks import Sessions, render
from emitter.scenarios.ecommerce.day_tables import EVENT_CODES, TableBuilder
from emitter.scenarios.ecommerce.demo_queries import SAMPLE_QUERIES
from emitter.scenarios.ecommerce.orders import LOOKBACK_DAYS, Orders, place_orders
from emitter.scenarios.ecommerce.pages import Pages
from emitter.scenarios.ecommerce.plan import EcommercePlan
from emitter.scenarios.ecommerce.plans import Plan, plan_sessions
from emitter.scenarios.ecommerce.report import figures
from emitter.scenarios.ecommerce.review_text import review_pools
from emitter.scenarios.ecommerce.rules import check_all
from emitter.scenarios.ecommerce.settings import EcommerceSettings
from emitter.scenarios.ecommerce.stock import Policy, simulate_stock, stock_policy, week_start
from emitter.scenarios.ecommerce.table_specs import TABLES
from emitter.scenarios.ecommerce.visits import draw_visits
from emitter.scenarios.ecommerce.world import SUBCATEGORIES, EcommerceWorld, build_world
from emitter.scenarios.event_tables import EventTables
from emitter.scenarios.figures import Figure
from emitter.scenarios.rules import RuleResult

I64 = npt.NDArray[np.int64]
# what the stock policy expects per session and per order (measured on the default settings)
ORDERS_PER_SESSION = 0.02
UNITS_PER_ORDER = 1.7


@dataclass
class _Carry:
    """Stock at the start of ``day``, and the orders of the weeks before it (still shipping, returning, reviewed)."""

    day: date
    opening: I64
    orders: dict[date, Orders] = field(default_factory=dict)


class EcommerceScenario(Scenario[EcommerceSettings]):
    """A web shop: customers, catalogue, sessions, clickstream, orders, stock movements and reviews (seed 001)."""

    name = "ecommerce"
    title = "A web shop: sessions and clickstream with funnels and bots, orders, stock, reviews"
    settings_model = EcommerceSettings
    TABLES = TABLES
    demo = DemoSpec(
        start=datetime(2024, 11, 29, 18, 0),  # Black Friday evening
        speed=600.0,
        queries=SAMPLE_QUERIES,
        hint=(
            "SELECT event_type, count(DISTINCT session_id) AS sessions FROM ecommerce.clickstream "
            "GROUP BY 1 ORDER BY 2 DESC"
        ),
    )

    def __init__(self, seed: int, settings: EcommerceSettings) -> None:
        super().__init__(seed, settings)
        self.events = EventTables(self.catalog(), self.run_tag, EVENT_CODES, id_column="event_id", prefix="EVT")

    def memory_estimate(self) -> int:
        return self.settings.volume.memory_estimate()

    @cached_property
    def world(self) -> EcommerceWorld:
        return build_world(self.keys, self.settings, self.catalog())

    @cached_property
    def pages(self) -> Pages:
        return Pages.of(self.world.products)

    @cached_property
    def policy(self) -> Policy:
        return stock_policy(self.world, self.settings.volume.sessions_per_day, ORDERS_PER_SESSION, UNITS_PER_ORDER)

    @cached_property
    def builder(self) -> TableBuilder:
        return TableBuilder(self.events, self.world, self.pages, review_pools(SUBCATEGORIES))

    def reference(self) -> DayTables:
        return dict(self.world.tables)

    def check(self, tables: Mapping[str, pa.Table]) -> list[RuleResult]:
        return check_all(tables)

    def figures(self, tables: Mapping[str, pa.Table]) -> list[Figure]:
        return figures(tables)

    def plan_volumes(self, days: Sequence[date]) -> dict[str, TableVolume]:
        return EcommercePlan(self, days).volumes()

    # ---- simulation -----------------------------------------------------------------------------
    def plan(self, day: date) -> Plan:
        """What every session of ``day`` will do (numeric)."""
        visits = draw_visits(self.world, self.keys, self.settings, day)
        return plan_sessions(visits, self.world.products, self.keys, self.settings, day)

    def sessions(self, plan: Plan, day: date) -> Sessions:
        """The sessions of ``plan`` with every click (numeric)."""
        return render(plan, self.world.products, self.pages, self.keys, day)

    def _orders(self, day: date, plan: Plan | None = None) -> Orders:
        return place_orders(self.world, self.keys, self.settings, day, plan or self.plan(day))

    def _fill(self, orders: dict[date, Orders], first: date, last: date) -> None:
        """Keep the orders placed from ``first`` to ``last`` in ``orders``, drawing the missing days."""
        for stale in [d for d in orders if d < first]:
            del orders[stale]
        d = first
        while d <= last:
            if d not in orders:
                orders[d] = self._orders(d)
            d += timedelta(days=1)

    def _recent(self, orders: dict[date, Orders], day: date) -> list[Orders]:
        return [orders[day - timedelta(days=b)] for b in range(LOOKBACK_DAYS, -1, -1)]

    def state_at(self, day: date) -> _Carry:
        """Replay the stock from the Monday before ``day`` (its count resets every product to par)."""
        monday = week_start(day)
        orders: dict[date, Orders] = {}
        self._fill(orders, monday - timedelta(days=LOOKBACK_DAYS), day - timedelta(days=1))
        opening = self.policy.par.copy()
        d = monday
        while d < day:
            _, opening = simulate_stock(self.policy, opening, d, self._recent(orders, d))
            d += timedelta(days=1)
        self._fill(orders, day - timedelta(days=LOOKBACK_DAYS), day - timedelta(days=1))
        return _Carry(day, opening, orders)

    def generate(self, day: date, state: _Carry, tables: Collection[str]) -> tuple[DayTables, _Carry]:
        wanted = set(tables)
        orders = state.orders
        self._fill(orders, day - timedelta(days=LOOKBACK_DAYS), day - timedelta(days=1))
        plan = self.plan(day)
        today = orders[day] = self._orders(day, plan)
        sessions = self.sessions(plan, day)
        recent = self._recent(orders, day)
        movements, closing = simulate_stock(self.policy, state.opening, day, recent)
        b = self.builder
        out: DayTables = {}
        if "sessions" in wanted:
            out["sessions"] = b.sessions(day, sessions, today)
        if "session_labels" in wanted:
            out["session_labels"] = b.labels(day, sessions)
        if "clickstream" in wanted:
            out["clickstream"] = b.clickstream(day, sessions, today)
        if "orders" in wanted:
            out["orders"] = b.orders(day, recent)
        if "order_items" in wanted:
            out["order_items"] = b.order_items(day, today)
        if "inventory" in wanted:
            out["inventory"] = b.inventory(day, movements)
        if "reviews" in wanted:
            out["reviews"] = b.reviews(day, recent)
        return out, _Carry(day + timedelta(days=1), closing, orders)
