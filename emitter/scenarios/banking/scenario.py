"""The banking scenario: HR, CRM and core-banking databases, true balances and a card and payment stream (seed 003)."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import date, datetime
from functools import cached_property

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from emitter.plan.volume import TableVolume
from emitter.scenarios.banking.day_tables import EVENT_CODES, TableBuilder
from emitter.scenarios.banking.demo_queries import DEMO_QUERIES
from emitter.scenarios.banking.ledger import Ledger
from emitter.scenarios.banking.plan import BankingPlan
from emitter.scenarios.banking.report import figures
from emitter.scenarios.banking.rules import check_all
from emitter.scenarios.banking.settings import BankingSettings
from emitter.scenarios.banking.table_specs import TABLES
from emitter.scenarios.banking.world import BankWorld, build_world
from emitter.scenarios.contract import DayTables, DemoSpec, Scenario
from emitter.scenarios.event_tables import EventTables
from emitter.scenarios.figures import Figure
from emitter.scenarios.rules import RuleResult

Balances = npt.NDArray[np.int64]  # cents per account, at the start of a day


class BankingScenario(Scenario[BankingSettings]):
    """A bank in three databases: staff, CRM profiles, and accounts with every transaction and its balance.

    The state is every account's balance; a day alone starts from the ledger's month-start checkpoints.
    """

    name = "banking"
    title = "A bank in three databases: staff, CRM profiles, accounts with true balances, card and payment stream"
    settings_model = BankingSettings
    TABLES = TABLES
    demo = DemoSpec(
        start=datetime(2025, 1, 31, 1, 0),  # a payday: salaries land overnight, spending follows
        speed=1800.0,
        also_streams=frozenset({"accounts_db.fraud_labels"}),  # the flagged fraud a query counts
        preset="demo",
        queries=DEMO_QUERIES,
        hint=(
            "SELECT merchant_category, count(*) AS purchases, -sum(amount) AS spent FROM accounts_db.transactions "
            "WHERE transaction_type = 'card_purchase' AND status = 'posted' GROUP BY 1 ORDER BY 3 DESC"
        ),
    )

    def __init__(self, seed: int, settings: BankingSettings) -> None:
        super().__init__(seed, settings)
        self.events = EventTables(self.catalog(), self.run_tag, EVENT_CODES, id_column="event_id", prefix="BNK")

    def memory_estimate(self) -> int:
        return self.settings.volume.memory_estimate()

    @cached_property
    def world(self) -> BankWorld:
        return build_world(self.keys, self.settings, self.catalog())

    @cached_property
    def ledger(self) -> Ledger:
        w = self.world
        return Ledger(self.keys, self.settings, w.accounts, w.profile, w.places)

    @cached_property
    def builder(self) -> TableBuilder:
        w = self.world
        return TableBuilder(self.events, w.accounts, w.customers.customer_id, w.places)

    def reference(self) -> DayTables:
        return dict(self.world.tables)

    def check(self, tables: Mapping[str, pa.Table]) -> list[RuleResult]:
        return check_all(tables, self.settings)

    def figures(self, tables: Mapping[str, pa.Table]) -> list[Figure]:
        return figures(tables)

    def state_at(self, day: date) -> Balances:
        return self.ledger.balances_at(day)

    def plan_volumes(self, days: Sequence[date]) -> dict[str, TableVolume]:
        return BankingPlan(self, days).volumes()

    def generate(self, day: date, state: Balances | None, tables: Collection[str]) -> tuple[DayTables, Balances]:
        balances = self.state_at(day) if state is None else state
        posted, after = self.ledger.day(day, balances)
        wanted, b = set(tables), self.builder
        out: DayTables = {}
        if wanted & {"accounts_db.transactions", "accounts_db.fraud_labels"}:
            transactions = b.transactions(day, posted)
            out["accounts_db.transactions"] = transactions
            if "accounts_db.fraud_labels" in wanted:
                out["accounts_db.fraud_labels"] = b.fraud_labels(day, posted, transactions)
        if "accounts_db.account_events" in wanted:
            out["accounts_db.account_events"] = b.account_events(day)
        return {t: out[t] for t in tables}, after
