"""Payments: a registration fee once, monthly charges every month, method and success shares, retries, suspension.

The structure is checked on the small chain's whole history (2022-2025); the shares on the full-scale chain's
history, whose 10,000 members and some 300,000 payment rows keep the noise well inside a point.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from .fitness_data import HISTORY, money_history


class History:
    def __init__(self, preset: str | None) -> None:
        self.scenario, self.memberships, self.payments = money_history(preset or "full-scale")
        self.settings = self.scenario.settings
        self.reference = dict(self.scenario.reference())


@pytest.fixture(scope="module")
def small() -> History:
    return History("small")


@pytest.fixture(scope="module")
def full() -> History:
    return History(None)


@pytest.fixture(scope="module")
def full_year(full: History) -> pa.Table:
    """Payments of 2024 at full scale: ~36,000, so a 60 % share has a standard error of 0.26 points."""
    ts = full.payments.column("paymentdate")
    start, end = (datetime(2024, 1, 1, tzinfo=UTC), datetime(2025, 1, 1, tzinfo=UTC))
    keep = pc.and_(pc.greater_equal(ts, pa.scalar(start, ts.type)), pc.less(ts, pa.scalar(end, ts.type)))
    return full.payments.filter(keep)


@pytest.fixture(scope="module")
def small_rows(small: History) -> tuple[dict[int, dict[str, Any]], dict[int, dict[str, Any]], list[dict[str, Any]]]:
    """Active rows and closing rows by membership id, and every payment row."""
    opened, closed = {}, {}
    for r in small.memberships.to_pylist():
        (opened if r["status"] == "Active" else closed)[r["membershipid"]] = r
    return opened, closed, small.payments.to_pylist()


def _months_after(day: date, months: int) -> date:
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    return min(date(year, month, 1) + timedelta(days=day.day - 1), nxt - timedelta(days=1))


def test_registration_fee_once_at_a_members_first_enrollment(small: History, small_rows: Any) -> None:
    opened, _, payments = small_rows
    plans = {p["membershiptypeid"]: p for p in small.reference["mdm.membershiptypes"].to_pylist()}
    members = {m["memberid"]: m for m in small.reference["mdm.members"].to_pylist()}
    first = defaultdict(list)
    for p in payments:
        if p["paymenttype"] == "Registration" and p["attempt"] == 1:
            first[p["memberid"]].append(p)
    waived = {i for i, m in members.items() if plans[m["membershiptypeid"]]["registrationfee"] == 0}
    assert waived and waived < set(members)
    # every member pays the registration fee (and only members do), unless their plan waives it
    assert set(first) == set(members) - waived
    assert all(p["amount"] > 0 for p in payments)
    for member_id, rows in first.items():
        assert len(rows) == 1, rows
        (p,) = rows
        m = members[member_id]
        assert p["membershipid"] == member_id * 100, p
        assert p["paymentdate"].date() == m["joindate"] == opened[p["membershipid"]]["startdate"]
        assert p["amount"] == plans[m["membershiptypeid"]]["registrationfee"]


def test_monthly_enrollments_are_charged_every_calendar_month_while_covered(small: History, small_rows: Any) -> None:
    """A first attempt on the start date and on the same day of every later month up to the last covered day."""
    opened, closed, payments = small_rows
    end = HISTORY[1]
    due: dict[int, list[date]] = defaultdict(list)
    for p in payments:
        if p["attempt"] == 1 and p["paymenttype"] in ("Monthly", "Annual"):
            due[p["membershipid"]].append(p["paymentdate"].date())
    wrong: list[tuple[int, str, date, date, list[date], list[date]]] = []
    monthly = 0
    for mid, r in opened.items():
        last = min(closed[mid]["enddate"] if mid in closed else end, end)
        charges = due.get(mid, [])
        if r["billing"] == "Annual":
            expected = [r["startdate"]]
        else:
            monthly += 1
            expected, k = [], 0
            while (d := _months_after(r["startdate"], k)) <= last:
                expected.append(d)
                k += 1
        if charges != expected:
            status = closed[mid]["status"] if mid in closed else "running"
            wrong.append((mid, status, r["startdate"], last, charges, expected))
    assert monthly > 200
    assert not wrong, (
        f"{len(wrong)} of {len(opened)} enrollments are not charged once per covered month "
        f"(id, how it ended, start, last covered day, charged, expected): {wrong[:4]}"
    )


def test_recurring_charges_cost_the_enrollments_price(small_rows: Any) -> None:
    opened, _, payments = small_rows
    for p in payments:
        if p["paymenttype"] != "Registration":
            assert p["amount"] == opened[p["membershipid"]]["price"], p
            assert p["paymenttype"] == opened[p["membershipid"]]["billing"], p


def test_failed_charges_are_retried_after_retry_days_at_night(small: History, small_rows: Any) -> None:
    _, _, payments = small_rows
    retry_days = small.settings.payments.retry_days
    by_id = {p["paymentid"]: p for p in payments}
    last_day = HISTORY[1]
    failed_first = [p for p in payments if p["attempt"] == 1 and p["status"] == "Failed"]
    assert len(failed_first) > 20
    for p in failed_first:
        assert p["failurereason"], p
        if p["paymentdate"].date() + timedelta(days=retry_days) > last_day:
            continue
        retry = by_id.get(p["paymentid"] + 1)
        assert retry is not None and retry["attempt"] == 2, f"no retry of {p}"
        assert retry["paymentdate"].date() == p["paymentdate"].date() + timedelta(days=retry_days), (p, retry)
        assert time(3) <= retry["paymentdate"].time() < time(4), retry
        assert (retry["membershipid"], retry["amount"], retry["paymenttype"]) == (
            p["membershipid"],
            p["amount"],
            p["paymenttype"],
        )
    for p in payments:
        if p["attempt"] == 2:
            assert by_id[p["paymentid"] - 1]["status"] == "Failed", f"a retry of a charge that went through: {p}"
        if p["status"] == "Completed":
            assert p["failurereason"] is None, p


def test_a_failed_retry_suspends_the_enrollment(small: History, small_rows: Any) -> None:
    _, closed, payments = small_rows
    last_day = HISTORY[1]
    failed_retries = {
        p["membershipid"]: p["paymentdate"].date() for p in payments if p["attempt"] == 2 and p["status"] == "Failed"
    }
    assert len(failed_retries) > 5
    for mid, day in failed_retries.items():
        if day >= last_day:
            continue  # its Suspended row comes the next day, after the history
        r = closed.get(mid)
        assert r is not None and r["status"] == "Suspended", (mid, day, r)
        assert r["enddate"] == day and r["changedat"].date() == day + timedelta(days=1), (day, r)
    suspended = {mid for mid, r in closed.items() if r["status"] == "Suspended"}
    assert suspended == {mid for mid, day in failed_retries.items() if day < last_day}
    # nothing is charged after a suspension
    for p in payments:
        r = closed.get(p["membershipid"])
        if r is not None:
            assert p["paymentdate"].date() <= r["enddate"], (p, r)


def _method_shares(methods: Counter[str], p: Any) -> dict[str, tuple[float, float]]:
    """(seen, expected) share of Credit Card, Debit Card and the other methods together."""
    total = sum(methods.values())
    other = total - methods["Credit Card"] - methods["Debit Card"]
    return {
        "Credit Card": (methods["Credit Card"] / total, p.credit_card),
        "Debit Card": (methods["Debit Card"] / total, p.debit_card),
        "other": (other / total, 1 - p.credit_card - p.debit_card),
    }


def test_a_retry_goes_to_the_card_its_charge_went_to(full: History) -> None:
    """The method is the charge's: its retry uses the same one, while one member's charges may use several."""
    p = full.payments
    method = dict(zip(p.column("paymentid").to_pylist(), p.column("paymentmethod").to_pylist(), strict=True))
    retries = [
        i for i, a in zip(p.column("paymentid").to_pylist(), p.column("attempt").to_pylist(), strict=True) if a == 2
    ]
    checked = [i for i in retries if i - 1 in method]
    assert len(checked) > 100
    assert all(method[i] == method[i - 1] for i in checked)
    per_member: dict[int, set[str]] = defaultdict(set)
    for member, m in zip(p.column("memberid").to_pylist(), p.column("paymentmethod").to_pylist(), strict=True):
        per_member[member].add(m)
    assert set().union(*per_member.values()) == {"Credit Card", "Debit Card", "Bank Transfer", "Digital Wallet", "Cash"}


def test_payment_method_shares_of_payments(full_year: pa.Table, full: History) -> None:
    """Over the rows of a year at full scale."""
    methods = Counter(full_year.column("paymentmethod").to_pylist())
    total = sum(methods.values())
    for name, (seen, expected) in _method_shares(methods, full.settings.payments).items():
        assert abs(seen - expected) <= 0.01, f"{name}: {seen:.2%} of {total:,} payments, expected {expected:.0%}"


def test_payment_success_share(full_year: pa.Table, full: History) -> None:
    status = Counter(full_year.column("status").to_pylist())
    total = sum(status.values())
    success = status["Completed"] / total
    # ~12,000 independent attempts: the share's noise is 0.2 point
    assert abs(success - full.settings.payments.success) <= 0.01, f"{success:.2%} of {total:,} payments completed"
    assert set(status) == {"Completed", "Failed"}
    whole = Counter(full.payments.column("status").to_pylist())
    overall = whole["Completed"] / sum(whole.values())
    assert abs(overall - full.settings.payments.success) <= 0.01, f"{overall:.2%} over the whole history"


def test_payments_fall_inside_their_enrollment(small_rows: Any) -> None:
    opened, closed, payments = small_rows
    for p in payments:
        r = opened[p["membershipid"]]
        day = p["paymentdate"].date()
        assert r["startdate"] <= day, (p, r)
        assert day <= (closed[p["membershipid"]]["enddate"] if p["membershipid"] in closed else r["enddate"]), p
        assert p["memberid"] == r["memberid"]
        assert isinstance(p["paymentdate"], datetime)
