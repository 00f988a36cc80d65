"""Each rule of plan_rules.py (ages over enrollments, auto-renewal, amounts, failures by method) notices its breach."""

from __future__ import annotations

from decimal import Decimal

import numpy as np

from emitter.core.clock import whole_years
from emitter.scenarios.rules import lookup

from .fitness_data import (
    MEMBERS,
    MEMBERSHIPS,
    PAYMENTS,
    PLANS,
    Tables,
    assert_only,
    edit,
    first,
    ints,
    where,
)


def _plan_id(tables: Tables, name: str) -> int:
    plans = tables[PLANS]
    return int(ints(plans, "membershiptypeid")[where(plans, "typename", name)][0])


# ---- the plan fits the member's age at every enrollment -----------------------------------------------


def test_a_renewal_onto_a_plan_the_member_is_too_young_for_breaks_the_age_rule(full_fortnight: Tables) -> None:
    """Basic and Senior cost the same, so moving a later enrollment to Senior changes no price: only the age."""
    m, members = full_fortnight[MEMBERSHIPS], full_fortnight[MEMBERS]
    basic, senior = _plan_id(full_fortnight, "Basic"), _plan_id(full_fortnight, "Senior")
    born = ints(members, "dateofbirth")[lookup(ints(m, "memberid"), ints(members, "memberid"))]
    young = whole_years(born, ints(m, "startdate")) < 60
    later = where(m, "status", "Active") & (ints(m, "membershipid") % 100 > 0) & (ints(m, "membershiptypeid") == basic)
    enrollment = ints(m, "membershipid")[first(later & young)]
    rows = np.flatnonzero(ints(m, "membershipid") == enrollment)
    assert_only(
        full_fortnight,
        edit(full_fortnight, MEMBERSHIPS, "membershiptypeid", rows, senior),
        "the plan fits the member's age at startdate",
    )


# ---- auto-renewal --------------------------------------------------------------------------------------


def test_a_plan_without_autorenewal_renewed_breaks_the_renewal_rule(full_fortnight: Tables) -> None:
    """Basic made a plan without auto-renewal, its enrollments too: its Renewed rows are then wrong."""
    m = full_fortnight[MEMBERSHIPS]
    basic = _plan_id(full_fortnight, "Basic")
    on_basic = ints(m, "membershiptypeid") == basic
    assert (on_basic & where(m, "status", "Renewed")).any()
    plan_row = np.flatnonzero(ints(full_fortnight[PLANS], "membershiptypeid") == basic)
    tables = edit(full_fortnight, PLANS, "autorenewdefault", plan_row, False)
    tables = edit(tables, MEMBERSHIPS, "autorenew", np.flatnonzero(on_basic), False)
    assert_only(full_fortnight, tables, "an enrollment without autorenew never ends Renewed")


def test_an_enrollment_unlike_its_plans_autorenewal_breaks_the_default_rule(full_fortnight: Tables) -> None:
    m = full_fortnight[MEMBERSHIPS]
    row = first(where(m, "status", "Active") & np.asarray(m.column("autorenew").to_numpy(zero_copy_only=False), bool))
    assert_only(
        full_fortnight,
        edit(full_fortnight, MEMBERSHIPS, "autorenew", row, False),
        "autorenew is the plan's autorenewdefault",
    )


# ---- amounts -------------------------------------------------------------------------------------------


def test_a_plan_without_a_fee_charging_zero_breaks_the_amount_rule(full_fortnight: Tables) -> None:
    """A plan's fee made 0.00 and its registrations with it: the fee rule holds, a payment of nothing does not."""
    p, members, plans = full_fortnight[PAYMENTS], full_fortnight[MEMBERS], full_fortnight[PLANS]
    basic = _plan_id(full_fortnight, "Basic")
    on_basic = ints(members, "memberid")[ints(members, "membershiptypeid") == basic]
    fees = where(p, "paymenttype", "Registration") & np.isin(ints(p, "memberid"), on_basic)
    assert fees.any()
    no_fee = edit(
        full_fortnight, PLANS, "registrationfee", np.flatnonzero(ints(plans, "membershiptypeid") == basic), Decimal(0)
    )
    broken = edit(no_fee, PAYMENTS, "amount", np.flatnonzero(fees), Decimal("0.00"))
    assert_only(full_fortnight, broken, "every amount is above 0.00")


# ---- failures by method, cash at the desk --------------------------------------------------------------


def test_a_card_failing_for_a_bank_reason_breaks_the_reason_rule(full_fortnight: Tables) -> None:
    p = full_fortnight[PAYMENTS]
    row = first(where(p, "status", "Failed") & where(p, "paymentmethod", "Credit Card"))
    assert_only(
        full_fortnight,
        edit(full_fortnight, PAYMENTS, "failurereason", row, "Bank unavailable"),
        "a failurereason is one its paymentmethod can give",
    )


def test_a_failed_cash_payment_breaks_the_cash_rule(full_fortnight: Tables) -> None:
    """A failed charge and its retry made cash: cash cannot fail, nor give any reason."""
    p = full_fortnight[PAYMENTS]
    ids = ints(p, "paymentid")
    row = first(where(p, "status", "Failed") & (ints(p, "attempt") == 1) & ~np.isin(ids + 1, ids))
    assert_only(
        full_fortnight,
        edit(full_fortnight, PAYMENTS, "paymentmethod", row, "Cash"),
        "Cash never fails",
        "a failurereason is one its paymentmethod can give",
    )


def test_cash_taken_at_night_breaks_the_cash_rule(full_fortnight: Tables) -> None:
    p = full_fortnight[PAYMENTS]
    hour = ints(p, "paymentdate") % 86_400_000_000 // 3_600_000_000
    row = first(where(p, "paymentmethod", "Cash") & where(p, "status", "Completed") & (hour >= 9) & (hour < 19))
    at_night = edit(full_fortnight, PAYMENTS, "paymentdate", row, lambda v: v.replace(hour=21, minute=30))
    assert_only(full_fortnight, at_night, "Cash never fails")
