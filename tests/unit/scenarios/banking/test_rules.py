"""Every banking rule holds on generated data, and each one fails when the data breaks it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from emitter.scenarios.rules import RuleResult, ints

from .bank_data import ACCOUNTS, CUSTOMERS, EMPLOYEES, LABELS, LEDGER_FROM, PROFILES, TRANSACTIONS, bank, generated

Tables = dict[str, pa.Table]
# from the ledger's first day past a month end and the first of the next month: carried-in balances, interest,
# fees and every payday schedule
START, DAYS = LEDGER_FROM, 36


@pytest.fixture(scope="module")
def tables() -> Tables:
    return dict(generated(START, DAYS))


def _results(t: Tables) -> dict[str, RuleResult]:
    return {r.rule: r for r in bank().rules(t)}


def test_every_rule_holds_and_judges_rows(tables: Tables) -> None:
    results = _results(tables)
    broken = [f"{r.rule}: {r.detail}" for r in results.values() if not r.ok]
    assert not broken
    # nothing is vacuous: each counted rule saw rows of its kind
    assert [r.rule for r in results.values() if r.detail.startswith("0 of 0 ")] == []


def test_rules_hold_from_a_day_in_the_middle_of_the_history() -> None:
    results = bank().rules(generated(date(2025, 6, 28), 6))
    assert [r.rule for r in results if not r.ok] == []


def test_closing_accounts_are_emptied_on_their_last_day() -> None:
    """Ten times the bank, to see closings: the last row of a closing day leaves nothing."""
    t = generated(date(2025, 3, 1), 20, customers=12_000)
    rule = {r.rule: r for r in bank(customers=12_000).rules(t)}[
        "an account closing ends with its closing withdrawal, empty"
    ]
    assert rule.ok and not rule.detail.startswith("0 of 0"), rule.detail


def _with(t: pa.Table, column: str, row: int, value: Any) -> pa.Table:
    values = t.column(column).to_pylist()
    values[row] = value
    return t.set_column(t.schema.get_field_index(column), column, pa.array(values, type=t.schema.field(column).type))


def _first(mask: np.ndarray) -> int:
    rows = np.flatnonzero(mask)
    assert rows.size, "no row of that kind to break"
    return int(rows[0])


def _is(t: pa.Table, column: str, value: str) -> np.ndarray:
    return np.asarray(pc.equal(t[column], value).fill_null(False).to_numpy(zero_copy_only=False))


def _break_balance(t: Tables) -> None:
    tx = t[TRANSACTIONS]
    row = tx.num_rows - 1  # late in the window: not an account's first row
    t[TRANSACTIONS] = _with(tx, "balance_after", row, tx["balance_after"][row].as_py() + 1)


def _break_decline(t: Tables) -> None:
    tx = t[TRANSACTIONS]
    last_declined = int(np.flatnonzero(_is(tx, "status", "declined"))[-1])  # late: not an account's first row
    t[TRANSACTIONS] = _with(tx, "status", last_declined, "posted")


def _break_flow(t: Tables) -> None:
    tx = t[TRANSACTIONS]
    t[TRANSACTIONS] = _with(tx, "flow", _first(_is(tx, "transaction_type", "card_purchase")), "income")


def _break_payday(t: Tables) -> None:
    tx = t[TRANSACTIONS]
    row = _first(_is(tx, "transaction_type", "direct_deposit"))
    t[TRANSACTIONS] = _with(tx, "transaction_at", row, pa.scalar(date(2024, 1, 9)).cast(pa.timestamp("us", "UTC")))


def _break_interest(t: Tables) -> None:
    tx = t[TRANSACTIONS]
    row = _first(_is(tx, "transaction_type", "interest"))
    t[TRANSACTIONS] = _with(tx, "transaction_at", row, tx["transaction_at"][0].as_py())


def _break_opening(t: Tables) -> None:
    """An account opens after its first transaction."""
    first = ints(t[TRANSACTIONS], "account_id")[0]
    accounts = t[ACCOUNTS]
    row = int(np.flatnonzero(ints(accounts, "account_id") == first)[0])
    t[ACCOUNTS] = _with(accounts, "opened_date", row, date(2024, 1, 20))


def _break_carried(t: Tables) -> None:
    accounts = t[ACCOUNTS]
    row = _first((ints(accounts, "opened_date") < 19_000) & _is(accounts, "status", "active"))
    t[ACCOUNTS] = _with(accounts, "balance", row, accounts["balance"][row].as_py() + 5)


def _break_floor(t: Tables) -> None:
    tx = t[TRANSACTIONS]
    row = tx.num_rows - 1
    t[TRANSACTIONS] = _with(tx, "balance_after", row, -(10**9))


def _break_manager_tree(t: Tables) -> None:
    e = t[EMPLOYEES]
    head = _first(pc.is_null(e["manager_id"]).to_numpy(zero_copy_only=False))
    report = _first(np.asarray(pc.equal(e["manager_id"], e["employee_id"][head]).fill_null(False)))
    t[EMPLOYEES] = _with(e, "manager_id", head, e["employee_id"][report].as_py())


def _break_termination(t: Tables) -> None:
    e = t[EMPLOYEES]
    row = _first(_is(e, "status", "terminated"))
    t[EMPLOYEES] = _with(e, "termination_date", row, e["hire_date"][row].as_py())


def _break_profiles(t: Tables) -> None:
    p = t[PROFILES]
    t[PROFILES] = pa.concat_tables([p, p.slice(0, 1)])


def _break_fraud_kind(t: Tables) -> None:
    labels, tx = t[LABELS], t[TRANSACTIONS]
    salary = tx["transaction_id"][_first(_is(tx, "transaction_type", "direct_deposit"))].as_py()
    t[LABELS] = _with(labels, "transaction_id", _first(_is(labels, "pattern", "card_testing")), salary)


def _break_declined_but_affordable(t: Tables) -> None:
    """A declined row asks for a cent: the balance could have covered it."""
    tx = t[TRANSACTIONS]
    t[TRANSACTIONS] = _with(tx, "amount", int(np.flatnonzero(_is(tx, "status", "declined"))[-1]), Decimal("-0.01"))


def _break_closing(t: Tables) -> None:
    """The closing withdrawal goes missing."""
    tx = t[TRANSACTIONS]
    t[TRANSACTIONS] = tx.filter(pc.invert(pc.equal(tx["transaction_type"], "account_closure")))


def _break_interest_amount(t: Tables) -> None:
    tx = t[TRANSACTIONS]
    row = _first(_is(tx, "transaction_type", "interest"))
    t[TRANSACTIONS] = _with(tx, "amount", row, tx["amount"][row].as_py() + 1)


def _break_fee_day(t: Tables) -> None:
    tx = t[TRANSACTIONS]
    row = _first(_is(tx, "transaction_type", "fee"))
    t[TRANSACTIONS] = _with(tx, "transaction_at", row, tx["transaction_at"][row].as_py() + timedelta(days=3))


def _break_merchant(t: Tables) -> None:
    tx = t[TRANSACTIONS]
    t[TRANSACTIONS] = _with(tx, "merchant_name", _first(_is(tx, "transaction_type", "card_purchase")), None)


def _break_overdraft_type(t: Tables) -> None:
    a = t[ACCOUNTS]
    t[ACCOUNTS] = _with(a, "overdraft_limit", _first(_is(a, "account_type", "savings")), 500)


def _break_status(t: Tables) -> None:
    a = t[ACCOUNTS]
    t[ACCOUNTS] = _with(a, "status", _first(_is(a, "status", "active")), "closed")


def _break_age(t: Tables) -> None:
    c = t[CUSTOMERS]
    t[CUSTOMERS] = _with(c, "date_of_birth", 0, date(2015, 1, 1))


def _break_adult(t: Tables) -> None:
    c = t[CUSTOMERS]
    born = c["date_of_birth"][0].as_py()
    t[CUSTOMERS] = _with(c, "customer_since", 0, born + timedelta(days=365 * 10))


def _break_agent(t: Tables) -> None:
    e, p = t[EMPLOYEES], t[PROFILES]
    gone = e["employee_id"][_first(_is(e, "status", "terminated"))].as_py()
    t[PROFILES] = _with(p, "assigned_agent_id", _first(pc.is_valid(p["assigned_agent_id"]).to_numpy()), gone)


def _break_abroad(t: Tables) -> None:
    labels, tx = t[LABELS], t[TRANSACTIONS]
    taken = labels["transaction_id"][_first(_is(labels, "pattern", "account_takeover"))].as_py()
    row = _first(np.asarray(pc.equal(tx["transaction_id"], taken)))
    t[TRANSACTIONS] = _with(tx, "country", row, "US")


BREAKS: dict[str, tuple[Callable[[Tables], None], str]] = {
    "balance": (_break_balance, "a row's balance is the one before it plus what it posted"),
    "decline": (_break_decline, "a row's balance is the one before it plus what it posted"),
    "flow": (_break_flow, "income is positive and spending negative"),
    "payday": (_break_payday, "salaries arrive on paydays"),
    "interest": (_break_interest, "interest is paid on the last day of the month"),
    "opening": (_break_opening, "no transaction before its account opened or after it closed"),
    "carried": (_break_carried, "an account's first row starts from accounts.balance"),
    "floor": (_break_floor, "no balance goes below minus its overdraft limit"),
    "manager": (_break_manager_tree, "the manager tree has no cycles"),
    "termination": (_break_termination, "an employee leaves after being hired"),
    "profiles": (_break_profiles, "each customer has exactly one profile"),
    "fraud": (_break_fraud_kind, "card testing and impossible travel are card purchases"),
    "declined": (_break_declined_but_affordable, "a declined row is a debit the balance and limit could not cover"),
    "closing": (_break_closing, "an account closing ends with its closing withdrawal, empty"),
    "interest amount": (_break_interest_amount, "interest is the balance times the rate over twelve"),
    "fee day": (_break_fee_day, "fees are charged on the first of the month"),
    "merchant": (_break_merchant, "card purchases carry a merchant and a category"),
    "overdraft type": (_break_overdraft_type, "only checking accounts have an overdraft limit"),
    "status": (_break_status, "closed accounts, and only they, have a closing date"),
    "age": (_break_age, "customers are 18 to 85"),
    "adult": (_break_adult, "customers join as adults"),
    "agent": (_break_agent, "assigned agents are active employees"),
    "abroad": (_break_abroad, "takeovers and impossible travel happen abroad"),
}
SMALL = {"fraud", "abroad"}  # need the small bank's fraud
BIG = {"closing"}  # needs closings: ten times the base bank


@pytest.mark.parametrize("name", BREAKS)
def test_a_rule_fails_when_its_data_is_broken(tables: Tables, name: str) -> None:
    if name in SMALL:
        sc, broken = bank("small"), dict(generated(date(2025, 2, 3), 10, preset="small"))
    elif name in BIG:
        sc, broken = bank(customers=12_000), dict(generated(date(2025, 3, 1), 20, customers=12_000))
    else:
        sc, broken = bank(), dict(tables)
    breaker, rule = BREAKS[name]
    breaker(broken)
    failed = [r.rule for r in sc.rules(broken) if not r.ok]
    assert any(f.startswith(rule) for f in failed), failed
