"""When money moves: salaries on paydays, bills at the month start, card spending by hour and weekday."""

from __future__ import annotations

from collections import Counter
from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from emitter.scenarios.banking.calendar import last_business_day
from emitter.scenarios.rules import days, ints, is_

from .bank_data import ACCOUNTS, TRANSACTIONS, bank, span

EPOCH = date(1970, 1, 1).toordinal()


@pytest.fixture(scope="module")
def quarter() -> pa.Table:
    """A quarter of a bank ten times the base: enough card purchases to see the shapes."""
    sc = bank(customers=12_000)
    return pa.concat_tables(t[TRANSACTIONS] for _, t in sc.days(span(date(2025, 3, 1), 91), [TRANSACTIONS]))


def _of(t: pa.Table, kind: str) -> pa.Table:
    return t.filter(pc.equal(t["transaction_type"], kind))


def test_salaries_arrive_once_a_month_or_twice_on_their_paydays(quarter: pa.Table) -> None:
    salaries = _of(quarter, "direct_deposit")
    day = days(salaries, "transaction_at")
    when = Counter(date.fromordinal(int(d) + EPOCH) for d in day)
    month_ends = {last_business_day(2025, m) for m in (3, 4, 5)}
    fridays = {d for d in when if d.weekday() == 4}
    assert month_ends <= set(when)
    assert all(d in month_ends or d in fridays or d.day in (14, 15, 13) for d in when)
    # the busiest days are the month ends: every monthly and semi-monthly salary lands then
    assert set(sorted(when, key=when.__getitem__)[-3:]) == month_ends
    # one account is paid at most twice a month (three times on a biweekly month with three Fridays)
    months = day.astype("datetime64[D]").astype("datetime64[M]")
    per_month = Counter(zip(ints(salaries, "account_id"), months, strict=True))
    assert max(per_month.values()) <= 3
    hours = ints(salaries, "transaction_at") % 86_400_000_000 // 3_600_000_000
    assert np.mean(hours < 8) > 0.8  # payroll files land overnight


def test_bills_cluster_at_the_start_of_the_month(quarter: pa.Table) -> None:
    day_of_month = np.array(
        [date.fromordinal(int(d) + EPOCH).day for d in days(_of(quarter, "bill_payment"), "transaction_at")]
    )
    first_five = np.mean(day_of_month <= 5)
    assert first_five > 0.5  # five days of thirty hold most bills
    assert np.mean(day_of_month == 1) > 3 * np.mean(day_of_month == 20)


def test_card_spending_follows_the_hour_of_day_and_the_weekday(quarter: pa.Table) -> None:
    cards = _of(quarter, "card_purchase")
    ts = ints(cards, "transaction_at")
    hour = ts % 86_400_000_000 // 3_600_000_000
    by_hour = np.bincount(hour, minlength=24)
    assert by_hour[12] > 3 * by_hour[4] and by_hour[18] > 3 * by_hour[3]  # lunch and the evening, not the night
    assert by_hour[12] > by_hour[10] and by_hour[18] > by_hour[15]
    weekday = (days(cards, "transaction_at") + 3) % 7
    per_day = np.bincount(weekday, minlength=7) / np.bincount(
        (np.unique(days(cards, "transaction_at")) + 3) % 7, minlength=7
    )
    assert per_day[4] > per_day[6] * 1.2 and per_day[5] > per_day[6] * 1.2  # Friday and Saturday over Sunday


def test_interest_is_paid_on_savings_only_and_fees_on_checking_only() -> None:
    sc = bank()
    t = pa.concat_tables(x[TRANSACTIONS] for _, x in sc.days(span(date(2024, 1, 31), 2), [TRANSACTIONS]))
    kinds = dict(
        zip(
            sc.reference()[ACCOUNTS]["account_id"].to_pylist(),
            sc.reference()[ACCOUNTS]["account_type"].to_pylist(),
            strict=True,
        )
    )
    interest = {kinds[a] for a in ints(_of(t, "interest"), "account_id")}
    fees = {kinds[a] for a in ints(_of(t, "fee"), "account_id")}
    assert interest and interest <= {"savings", "money_market", "cd"}
    assert fees == {"checking"}
    assert is_(t, "status", "posted").any()
