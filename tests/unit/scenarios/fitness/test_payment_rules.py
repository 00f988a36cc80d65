"""Each rule of money_rules.py (enrollment histories, payments, retries, shares) notices its own breach."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import numpy as np
import pyarrow as pa

from emitter.backfill.runner import run_backfill
from emitter.backfill.validate import load_output, validate_output
from emitter.config import load_config
from emitter.scenarios.fitness import rules
from emitter.scenarios.fitness.scenario import FitnessScenario
from emitter.scenarios.fitness.settings import FitnessSettings, Payments

from .fitness_data import (
    ACCESS,
    DAY,
    ENROLLMENTS,
    MEMBERSHIPS,
    PAYMENTS,
    PLANS,
    Tables,
    assert_only,
    day_of,
    drop,
    edit,
    first,
    ints,
    last_day,
    scenario,
    strings,
    where,
)

# ---- 11. enrollment histories --------------------------------------------------------------------------


def test_an_enrollment_ending_before_it_starts_breaks_its_dates(full_fortnight: Tables) -> None:
    m, p, a, e = (
        full_fortnight[MEMBERSHIPS],
        full_fortnight[PAYMENTS],
        full_fortnight[ACCESS],
        full_fortnight[ENROLLMENTS],
    )
    seen = np.union1d(ints(a, "memberid"), ints(e, "memberid"))
    ids = ints(m, "membershipid")
    alone = np.isin(ids, ids[where(m, "status", "Active")], invert=True)  # its Active row came before the window
    quiet = where(m, "status", "Cancelled", "Expired") & alone
    quiet &= ~np.isin(ints(m, "memberid"), seen) & ~np.isin(ids, ints(p, "membershipid"))
    row = first(quiet)
    end = m.column("enddate")[int(row[0])].as_py()
    assert_only(full_fortnight, edit(full_fortnight, MEMBERSHIPS, "startdate", row, end + DAY), "startdate ≤ enddate")


def test_an_ending_row_a_day_late_breaks_its_timing(full_fortnight: Tables) -> None:
    m = full_fortnight[MEMBERSHIPS]
    row = first(where(m, "status", "Cancelled", "Expired") & (day_of(m, "changedat") < last_day(full_fortnight)))
    assert_only(
        full_fortnight,
        edit(full_fortnight, MEMBERSHIPS, "changedat", row, lambda v: v + DAY),
        "an ending row comes the day after",
    )


def test_a_first_enrollment_with_a_predecessor_breaks_the_chain(full_fortnight: Tables) -> None:
    m = full_fortnight[MEMBERSHIPS]
    row = first((ints(m, "membershipid") % 100 == 0) & where(m, "status", "Active"))
    stranger = int(ints(m, "membershipid")[row[0]]) + 7
    assert_only(
        full_fortnight,
        edit(full_fortnight, MEMBERSHIPS, "previousmembershipid", row, stranger),
        "previousmembershipid is the member's",
    )


def test_a_renewal_a_day_late_breaks_the_handover(full_fortnight: Tables) -> None:
    m = full_fortnight[MEMBERSHIPS]
    renewed = ints(m, "membershipid")[
        where(m, "status", "Renewed") & (day_of(m, "changedat") < last_day(full_fortnight))
    ]
    row = first(where(m, "status", "Active") & np.isin(ints(m, "previousmembershipid"), renewed))
    assert_only(
        full_fortnight,
        edit(full_fortnight, MEMBERSHIPS, "changedat", row, lambda v: v + DAY),
        "a Renewed row has its successor's",
    )


def test_a_cancelled_annual_enrollment_breaks_the_annual_rule(full_fortnight: Tables) -> None:
    m = full_fortnight[MEMBERSHIPS]
    row = first(where(m, "billing", "Annual") & where(m, "status", "Expired"))
    assert_only(
        full_fortnight,
        edit(full_fortnight, MEMBERSHIPS, "status", row, "Cancelled"),
        "Annual enrollments are never Cancelled",
    )


# ---- 2-3. payments inside their enrollment, amounts ----------------------------------------------------


def _charge_at_hand(tables: Tables, *types: str) -> int:
    """A completed first attempt of a charge whose enrollment started inside the window, on its start day."""
    p, m = tables[PAYMENTS], tables[MEMBERSHIPS]
    active = where(m, "status", "Active") & (ints(m, "startdate") > int(day_of(p, "paymentdate").min()))
    order = np.argsort(ints(m, "membershipid")[active])
    ids, starts = ints(m, "membershipid")[active][order], ints(m, "startdate")[active][order]
    at = np.searchsorted(ids, ints(p, "membershipid")).clip(0, max(ids.size - 1, 0))
    on_start = (ids[at] == ints(p, "membershipid")) & (starts[at] == day_of(p, "paymentdate"))
    fit = on_start & where(p, "paymenttype", *types) & where(p, "status", "Completed") & (ints(p, "attempt") == 1)
    return first(fit)[0]


def test_a_payment_before_its_enrollment_breaks_the_payment_window(full_fortnight: Tables) -> None:
    row = _charge_at_hand(full_fortnight, "Monthly", "Annual")
    assert_only(
        full_fortnight,
        edit(full_fortnight, PAYMENTS, "paymentdate", [row], lambda v: v - DAY),
        "only while the enrollment covers",
    )


def test_a_payment_by_another_member_breaks_whose_it_is(full_fortnight: Tables) -> None:
    row = _charge_at_hand(full_fortnight, "Monthly", "Annual")
    assert_only(
        full_fortnight,
        edit(full_fortnight, PAYMENTS, "memberid", [row], lambda v: v + 1),
        "the member is the enrollment's",
    )


def test_a_registration_a_cent_off_breaks_the_fee(full_fortnight: Tables) -> None:
    row = first(where(full_fortnight[PAYMENTS], "paymenttype", "Registration"))
    bump = edit(full_fortnight, PAYMENTS, "amount", row, lambda v: v + Decimal("0.01"))
    assert_only(full_fortnight, bump, "Registration = the plan's registrationfee")


def test_a_charge_a_cent_off_breaks_the_charge_amount(full_fortnight: Tables) -> None:
    row = _charge_at_hand(full_fortnight, "Monthly", "Annual")
    bump = edit(full_fortnight, PAYMENTS, "amount", [row], lambda v: v + Decimal("0.01"))
    assert_only(full_fortnight, bump, "Monthly and Annual charges = the enrollment's price")


def test_a_plan_price_a_cent_off_breaks_the_enrollment_price(full_fortnight: Tables) -> None:
    m, plans = full_fortnight[MEMBERSHIPS], full_fortnight[PLANS]
    plan = ints(m, "membershiptypeid")[where(m, "billing", "Monthly")][0]
    row = np.flatnonzero(ints(plans, "membershiptypeid") == plan)
    bump = edit(full_fortnight, PLANS, "monthlyprice", row, lambda v: v + Decimal("0.01"))
    assert_only(full_fortnight, bump, "price = the plan's price for the billing")


def test_a_plan_discount_unlike_the_enrollments_breaks_the_discount(full_fortnight: Tables) -> None:
    m, plans = full_fortnight[MEMBERSHIPS], full_fortnight[PLANS]
    row = np.flatnonzero(ints(plans, "membershiptypeid") == ints(m, "membershiptypeid")[0])
    assert_only(
        full_fortnight,
        edit(full_fortnight, PLANS, "corporatediscountpct", row, lambda v: v + Decimal("1.00")),
        "discountpct = the plan's",
    )


# ---- 4. retries and suspension -------------------------------------------------------------------------


def test_a_retry_a_day_late_breaks_the_retry_rule(full_fortnight: Tables) -> None:
    p = full_fortnight[PAYMENTS]
    first_at_hand = np.isin(ints(p, "paymentid") - 1, ints(p, "paymentid"))
    row = first((ints(p, "attempt") == 2) & where(p, "status", "Completed") & first_at_hand)
    assert_only(
        full_fortnight,
        edit(full_fortnight, PAYMENTS, "paymentdate", row, lambda v: v + DAY),
        "a failed first attempt is retried once",
    )


def test_a_missing_retry_breaks_the_retry_rule(full_fortnight: Tables) -> None:
    p = full_fortnight[PAYMENTS]
    retried = np.isin(ints(p, "paymentid") - 1, ints(p, "paymentid")[where(p, "status", "Failed")])
    row = (ints(p, "attempt") == 2) & retried & where(p, "status", "Completed")
    assert row.any()
    assert_only(
        full_fortnight,
        drop(full_fortnight, PAYMENTS, np.isin(np.arange(p.num_rows), first(row))),
        "a failed first attempt is retried once",
    )


def test_a_failed_retry_without_suspension_breaks_the_suspension_rule(full_fortnight: Tables) -> None:
    p, m = full_fortnight[PAYMENTS], full_fortnight[MEMBERSHIPS]
    failed_retry = (
        (ints(p, "attempt") == 2) & where(p, "status", "Failed") & (day_of(p, "paymentdate") < last_day(full_fortnight))
    )
    enrollment = ints(p, "membershipid")[failed_retry][:1]
    assert enrollment.size
    suspended = where(m, "status", "Suspended") & np.isin(ints(m, "membershipid"), enrollment)
    assert_only(full_fortnight, drop(full_fortnight, MEMBERSHIPS, suspended), "a failed retry suspends the enrollment")


def test_a_failure_reason_on_a_completed_payment_breaks_the_reason_rule(small_week: Tables) -> None:
    row = first(where(small_week[PAYMENTS], "status", "Completed"))
    assert_only(
        small_week, edit(small_week, PAYMENTS, "failurereason", row, "Insufficient funds"), "failurereason set exactly"
    )


# ---- 8. shares -----------------------------------------------------------------------------------------

SHARE_RULES = ("Completed, ±", "methods of charges", "a failed first attempt is retried once")


def test_shares_and_the_retry_gap_are_judged_by_the_run_settings() -> None:
    """A year paid by other shares, with another retry gap, holds by its own settings and fails by the defaults."""
    run = FitnessSettings(payments=Payments(success=0.9, retry_days=5, credit_card=0.4, debit_card=0.3))
    sc = FitnessScenario(scenario("full-scale").seed, run)
    span = [date(2024, 1, 1) + i * DAY for i in range(365)]
    year = {**sc.reference(), PAYMENTS: pa.concat_tables([day[PAYMENTS] for _, day in sc.days(span, [PAYMENTS])])}
    own = [r for r in sc.check(year) if any(f in r.rule for f in SHARE_RULES)]
    assert len(own) == len(SHARE_RULES)
    assert all(r.ok and "too few" not in r.detail for r in own), [f"{r.rule}: {r.detail}" for r in own if not r.ok]
    by_defaults = [r for r in rules.check_all(year, FitnessSettings()) if any(f in r.rule for f in SHARE_RULES)]
    assert not any(r.ok for r in by_defaults), [r.rule for r in by_defaults if r.ok]


def test_validate_judges_output_by_the_settings_its_manifest_records(tmp_path: Path) -> None:
    """Two weeks of payments retried after 5 days hold by validate; by the default 3 days their retries fail."""
    overrides = {"scenario": "fitness", "preset": "full-scale", "fitness": {"payments": {"retry_days": 5}}}
    run_backfill(load_config(None, overrides, {}), date(2025, 1, 13), date(2025, 1, 26), tmp_path, tables=[PAYMENTS])
    (retry,) = [r for r in validate_output(tmp_path) if "a failed first attempt is retried once" in r.rule]
    assert retry.ok and "5 days later" in retry.rule, f"{retry.rule}: {retry.detail}"
    by_defaults = rules.check_all(load_output(tmp_path), FitnessSettings())
    assert [r.ok for r in by_defaults if "a failed first attempt is retried once" in r.rule] == [False]


def test_no_failed_payments_breaks_the_success_share(year_of_payments: Tables) -> None:
    p = year_of_payments[PAYMENTS]
    assert_only(
        year_of_payments,
        drop(year_of_payments, PAYMENTS, where(p, "status", "Failed") | (ints(p, "attempt") == 2)),
        "Completed, ±",
    )


def test_credit_cards_paid_by_debit_card_break_the_method_shares(year_of_payments: Tables) -> None:
    """Every credit card payment made by debit card: both fail for the same reasons, and a retry follows its charge."""
    p = year_of_payments[PAYMENTS]
    credit = where(p, "paymentmethod", "Credit Card")
    assert credit.any()
    debit = pa.array(np.where(credit, "Debit Card", strings(p, "paymentmethod")).tolist(), type=pa.string())
    tables = {
        **year_of_payments,
        PAYMENTS: p.set_column(p.schema.get_field_index("paymentmethod"), "paymentmethod", debit),
    }
    assert_only(year_of_payments, tables, "methods of charges")


def test_a_retry_on_another_card_breaks_the_retry_method_rule(full_fortnight: Tables) -> None:
    """A paid retry moved between credit and debit card, which fail for the same reasons and are never cash."""
    p = full_fortnight[PAYMENTS]
    ids = ints(p, "paymentid")
    retry = (ints(p, "attempt") == 2) & np.isin(ids - 1, ids) & where(p, "status", "Completed")
    row = first(retry & where(p, "paymentmethod", "Credit Card", "Debit Card"))
    other = "Debit Card" if strings(p, "paymentmethod")[row[0]] == "Credit Card" else "Credit Card"
    assert_only(
        full_fortnight, edit(full_fortnight, PAYMENTS, "paymentmethod", row, other), "a retry uses its charge's method"
    )
