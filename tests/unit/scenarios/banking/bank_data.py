"""The banks the tests share: windows of days generated once per test session."""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache
from typing import Any

import pyarrow as pa

from emitter.config import load_config
from emitter.scenarios import open_scenario
from emitter.scenarios.banking.scenario import BankingScenario

CATALOG = BankingScenario.catalog()
PER_DAY_TABLES = tuple(t.id for t in CATALOG.per_day)
TRANSACTIONS, LABELS, EVENTS = "accounts_db.transactions", "accounts_db.fraud_labels", "accounts_db.account_events"
ACCOUNTS, CUSTOMERS, PROFILES = "accounts_db.accounts", "accounts_db.customers", "customer_db.customer_profiles"
EMPLOYEES = "employees_db.employees"
LEDGER_FROM = date(2024, 1, 1)  # the default ledger's first day


@cache
def bank(preset: str | None = None, **volume: Any) -> BankingScenario:
    overrides: dict[str, Any] = {"scenario": "banking"}
    if preset:
        overrides["preset"] = preset
    if volume:
        overrides["banking"] = {"volume": volume}
    sc = open_scenario(load_config(None, overrides, {}))
    assert isinstance(sc, BankingScenario)
    return sc


def span(start: date, days: int) -> list[date]:
    return [start + timedelta(days=i) for i in range(days)]


@cache
def generated(start: date, days: int, preset: str | None = None, **volume: Any) -> dict[str, pa.Table]:
    """Reference tables plus ``days`` consecutive days of every per-day table from ``start``, in day order."""
    sc = bank(preset, **volume)
    by_day = dict(sc.days(span(start, days), None))
    per_day = {t: pa.concat_tables([by_day[d][t] for d in span(start, days)]) for t in PER_DAY_TABLES}
    return {**sc.reference(), **per_day}
