"""Balances depend on the whole history: a day generated alone equals the same day of a run from the first."""

from __future__ import annotations

from datetime import date, timedelta

from .bank_data import LEDGER_FROM, PER_DAY_TABLES, bank, span

DAY = date(2024, 3, 2)  # two months into the ledger, past a month end and a month start


def test_a_day_alone_equals_that_day_of_a_run_from_the_ledgers_first_day() -> None:
    run = dict(bank().days(span(LEDGER_FROM, (DAY - LEDGER_FROM).days + 1), None))
    alone = dict(type(bank())(bank().seed, bank().settings).days([DAY], None))
    for table in PER_DAY_TABLES:
        assert alone[DAY][table].equals(run[DAY][table]), table


def test_a_later_day_from_a_month_start_checkpoint_equals_a_fresh_replay() -> None:
    warm = type(bank())(bank().seed, bank().settings)
    dict(warm.days([DAY], None))  # leaves checkpoints at the month starts it passed
    later = DAY + timedelta(days=12)
    fresh = type(bank())(bank().seed, bank().settings)
    assert warm.state_at(later).tolist() == fresh.state_at(later).tolist()
    got = dict(warm.days([later], None))[later]
    want = dict(fresh.days([later], None))[later]
    assert all(got[t].equals(want[t]) for t in PER_DAY_TABLES)


def test_days_before_the_ledger_have_no_transactions_but_accounts_still_open() -> None:
    early = dict(bank().days(span(date(2023, 6, 1), 30), ["accounts_db.transactions", "accounts_db.account_events"]))
    assert sum(t["accounts_db.transactions"].num_rows for t in early.values()) == 0
    assert sum(t["accounts_db.account_events"].num_rows for t in early.values()) > 0
