"""The ledger domain itself: balances carried from the opening day, its rules, its audit threshold, its curves."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from emitter.avro.schemas import is_json
from emitter.config import load_config
from emitter.scenarios import open_scenario, register

from .accounts import Accounts
from .scenario import LedgerScenario
from .table_specs import ACCOUNTS, AUDITS, BALANCES, POSTINGS

OPENS = date(2024, 1, 1)
Tables = dict[str, pa.Table]


def ledger(**settings: Any) -> LedgerScenario:
    register(LedgerScenario)
    overrides: dict[str, Any] = {"scenario": LedgerScenario.name, "preset": "small"}
    if settings:
        overrides[LedgerScenario.name] = settings
    scenario = open_scenario(load_config(None, overrides, {}))
    assert isinstance(scenario, LedgerScenario)
    return scenario


def per_day(scenario: LedgerScenario) -> list[str]:
    return [t.id for t in scenario.catalog().per_day]


def window(scenario: LedgerScenario, first: date, n: int) -> Tables:
    """Reference tables plus ``n`` consecutive days from ``first``, concatenated by table id."""
    days = [first + timedelta(days=i) for i in range(n)]
    by_day = dict(scenario.days(days, per_day(scenario)))
    out = scenario.reference()
    for table in scenario.catalog().per_day:
        out[table.id] = pa.concat_tables([by_day[d][table.id] for d in days])
    return out


def ipc(table: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    data: bytes = sink.getvalue().to_pybytes()
    return data


def failing(scenario: LedgerScenario, tables: Tables) -> set[str]:
    return {r.rule for r in scenario.rules(tables) if not r.ok}


@pytest.fixture(scope="module")
def scenario() -> LedgerScenario:
    return ledger()


@pytest.fixture(scope="module")
def march(scenario: LedgerScenario) -> Tables:
    return window(scenario, date(2024, 3, 4), 3)


def test_state_at_equals_carrying_every_day_from_the_opening_day() -> None:
    carrier, fresh = ledger(), ledger()
    state = carrier.state_at(OPENS)
    assert np.array_equal(state.cents, carrier.accounts.opening_cents)
    probes = {date(2024, 1, 17), date(2024, 2, 1), date(2024, 2, 29), date(2024, 5, 3)}
    day = OPENS
    while day <= max(probes):
        if day in probes:
            assert np.array_equal(fresh.state_at(day).cents, state.cents), day
        _, state = carrier.generate(day, state, [BALANCES])
        day += timedelta(days=1)


def test_nothing_moves_before_the_ledger_opens(scenario: LedgerScenario) -> None:
    before = window(scenario, OPENS - timedelta(days=3), 3)
    assert all(before[t.id].num_rows == 0 for t in scenario.catalog().per_day)
    assert np.array_equal(scenario.state_at(OPENS - timedelta(days=30)).cents, scenario.accounts.opening_cents)


def test_a_day_alone_equals_the_same_day_after_a_month_end_whatever_was_asked_before() -> None:
    first = ledger()
    run = dict(first.days([date(2024, 3, 30), date(2024, 3, 31), date(2024, 4, 1)], per_day(first)))
    later_first = ledger()
    later_first.state_at(date(2024, 6, 15))  # fills checkpoints past the day asked next
    ((_, alone),) = list(later_first.days([date(2024, 4, 1)], per_day(later_first)))
    for table_id, rows in run[date(2024, 4, 1)].items():
        assert ipc(alone[table_id]) == ipc(rows), table_id


@pytest.mark.parametrize("first", [OPENS, date(2024, 3, 4)], ids=["from the opening day", "a later window"])
def test_rules_hold_on_generated_data(scenario: LedgerScenario, first: date) -> None:
    results = scenario.rules(window(scenario, first, 3))
    assert [r for r in results if not r.ok] == []
    checked = {r.rule: r.detail for r in results}
    carried = checked["core.balances start from every posting since the ledger opened"]
    # a window from the opening day needs no history; a later one starts from it
    assert (carried.startswith("0 rows differ of 0 ")) == (first == OPENS), carried


def _with(table: pa.Table, name: str, values: list[Any]) -> pa.Table:
    column = pa.array(values, type=table.schema.field(name).type)
    return table.set_column(table.schema.get_field_index(name), name, column)


def _shift_cents(table: pa.Table, name: str, row: int, cents: int) -> pa.Table:
    values = table.column(name).to_pylist()
    values[row] += type(values[row])(cents).scaleb(-2)
    return _with(table, name, values)


def _second_row_of_an_account(b: pa.Table) -> int:
    account = b.column("account_id").to_numpy()
    seen: set[int] = set()
    for row, value in enumerate(account.tolist()):
        if value in seen:
            return row
        seen.add(value)
    raise AssertionError("no account moved twice")


def _tamper_running_balance(t: Tables) -> None:
    t[BALANCES] = _shift_cents(t[BALANCES], "balance", _second_row_of_an_account(t[BALANCES]), 1)


def _tamper_first_balance(t: Tables) -> None:
    b = t[BALANCES]
    migrated = pc.less(t[ACCOUNTS].column("opened_on"), pa.scalar(OPENS, pa.date32()))
    old = pc.is_in(b.column("account_id"), value_set=t[ACCOUNTS].filter(migrated).column("account_id"))
    row = int(np.flatnonzero(old.to_numpy(zero_copy_only=False))[0])  # a first row: the first day's rows come first
    t[BALANCES] = _shift_cents(b, "balance", row, -1)


def _tamper_status(t: Tables) -> None:
    status = t[BALANCES].column("status").to_pylist()
    status[0] = "OVERDRAWN" if status[0] == "ACTIVE" else "ACTIVE"
    t[BALANCES] = _with(t[BALANCES], "status", status)


def _tamper_amount(t: Tables) -> None:
    """Change a posting of the last day on an account that moved before, so its previous row is in the window."""
    p, b = t[POSTINGS], t[BALANCES]
    last_day = pc.max(b.column("event_ts")).as_py().date()
    moved_before = b.filter(pc.less(pc.cast(b.column("event_ts"), pa.date32()), pa.scalar(last_day, pa.date32())))
    late = pc.greater_equal(pc.cast(p.column("event_ts"), pa.date32()), pa.scalar(last_day, pa.date32()))
    known = pc.is_in(p.column("account_id"), value_set=moved_before.column("account_id"))
    row = int(np.flatnonzero(pc.and_(late, known).to_numpy(zero_copy_only=False))[0])
    t[POSTINGS] = _shift_cents(p, "amount", row, 100)


def _drop_posting(t: Tables) -> None:
    t[POSTINGS] = pa.concat_tables([t[POSTINGS].slice(0, 7), t[POSTINGS].slice(8)])


def _drop_audit(t: Tables) -> None:
    t[AUDITS] = t[AUDITS].slice(1)


def _double_audit(t: Tables) -> None:
    t[AUDITS] = pa.concat_tables([t[AUDITS], t[AUDITS].slice(0, 1)])


def _audit_too_early(t: Tables) -> None:
    a = t[AUDITS]
    times = a.column("posted_at").to_pylist()
    t[AUDITS] = _with(a, "event_ts", [times[0] - timedelta(seconds=1), *a.column("event_ts").to_pylist()[1:]])


RUNNING = "core.balances.balance = previous balance + the day's postings"
CARRIED = "core.balances start from every posting since the ledger opened"
STATUS = "core.balances.status is OVERDRAWN exactly when balance < 0"
COUNTS = "core.balances.postings = the day's number of postings"
AUDITED = "every posting above the audit threshold has exactly one audit record"
AFTER = "an audit record follows its posting (posted_at = the posting's event_ts) within the review delay"
TAMPERINGS: dict[str, tuple[Callable[[Tables], None], str]] = {
    "a balance off by a cent": (_tamper_running_balance, RUNNING),
    "a first balance off history": (_tamper_first_balance, CARRIED),
    "a status flipped": (_tamper_status, STATUS),
    "a posting's amount changed": (_tamper_amount, RUNNING),
    "a posting lost": (_drop_posting, COUNTS),
    "an audit record lost": (_drop_audit, AUDITED),
    "an audit record doubled": (_double_audit, AUDITED),
    "an audit before its posting": (_audit_too_early, AFTER),
}


@pytest.mark.parametrize("tamper", TAMPERINGS, ids=list(TAMPERINGS))
def test_rules_catch_tampered_data(scenario: LedgerScenario, march: Tables, tamper: str) -> None:
    change, rule = TAMPERINGS[tamper]
    tables = dict(march)
    change(tables)
    assert rule in failing(scenario, tables)


def test_the_audit_threshold_picks_exactly_the_postings_above_it() -> None:
    day = [date(2024, 3, 8)]
    strict, lenient, none = ledger(audit_threshold="150.00"), ledger(), ledger(audit_threshold="1000000.00")
    tables = {s: dict(s.days(day, per_day(s)))[day[0]] for s in (strict, lenient, none)}
    # the threshold only selects: the postings are the same but for the run's trace ids
    assert ipc(tables[strict][POSTINGS].drop(["trace_id"])) == ipc(tables[lenient][POSTINGS].drop(["trace_id"]))
    postings = tables[strict][POSTINGS]
    above = postings.filter(pc.greater(pc.abs(postings.column("amount")), pa.scalar(150, pa.decimal128(14, 2))))
    audited = tables[strict][AUDITS].sort_by("posting_id").column("posting_id")
    assert audited.to_pylist() == sorted(above.column("posting_id").to_pylist())
    assert 0 < tables[lenient][AUDITS].num_rows < tables[strict][AUDITS].num_rows
    assert tables[none][AUDITS].num_rows == 0
    reasons = set(tables[strict][AUDITS].column("reason").to_pylist())
    assert reasons == {"LARGE_DEBIT", "LARGE_CREDIT"}


def test_audit_details_are_json_documents_or_null(march: Tables) -> None:
    audits = march[AUDITS]
    assert is_json(audits.schema.field("details"))
    details = [None if v is None else json.loads(v) for v in audits.column("details").to_pylist()]
    present = [d for d in details if d is not None]
    assert 0 < len(present) < len(details), "some reviews are waived, most are not"
    assert all(set(d) == {"checks", "escalated"} and isinstance(d["escalated"], bool) for d in present)
    assert {d["escalated"] for d in present} == {False, True}


def test_postings_follow_banking_hours_and_weekdays(scenario: LedgerScenario) -> None:
    week = window(scenario, date(2024, 4, 1), 7)[POSTINGS]  # Monday to Sunday
    ts = week.column("event_ts").cast(pa.timestamp("us")).to_numpy()
    per_day = np.bincount((ts.astype("datetime64[D]") - np.datetime64("2024-04-01")).astype(np.int64), minlength=7)
    assert per_day[:5].min() > per_day[5:].max()
    hours = (ts.astype("datetime64[h]") - ts.astype("datetime64[D]")).astype(np.int64)
    assert np.isin(hours, np.arange(10, 16)).sum() > 4 * np.isin(hours, np.arange(0, 6)).sum()


def test_accounts_live_closed_form_and_some_balances_go_negative(scenario: LedgerScenario, march: Tables) -> None:
    accounts: Accounts = scenario.accounts
    assert 100 <= accounts.size <= 1000  # the small preset: a few hundred accounts
    assert (accounts.opened_on > (OPENS - date(1970, 1, 1)).days).any(), "some accounts open after the ledger"
    assert set(march[BALANCES].column("status").to_pylist()) == {"ACTIVE", "OVERDRAWN"}


def test_the_demo_queries_run_on_the_tables_they_name(scenario: LedgerScenario, march: Tables) -> None:
    catalog = scenario.catalog()
    with duckdb.connect() as db:
        for namespace in catalog.namespaces:
            db.execute(f"CREATE SCHEMA {namespace}")
        for spec in catalog.tables:
            db.register("batch", march[spec.id])
            db.execute(f"CREATE TABLE {spec.namespace}.{spec.name} AS SELECT * FROM batch")
            db.unregister("batch")
        for title, (sql, needs) in scenario.demo.queries.items():
            assert needs <= set(catalog.ids), title
            assert db.execute(sql).fetchall(), title
        assert db.execute(scenario.demo.hint).fetchall()
