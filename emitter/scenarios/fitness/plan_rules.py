"""Fitness rules of what a plan and a payment method allow: who may hold a plan, renewal, amounts, failures."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from emitter.core.clock import MICROS_PER_HOUR, whole_years
from emitter.scenarios.fitness.lifecycle import SIGN_UP_HOURS
from emitter.scenarios.fitness.money_rules import Facts
from emitter.scenarios.fitness.rule_columns import (
    ENDINGS,
    MEMBERS,
    MEMBERSHIPS,
    PAYMENTS,
    PLANS,
    B,
    Tables,
    micros_of_day,
    misfit_plans,
    pair,
)
from emitter.scenarios.fitness.vocabulary import CASH, FAILURE_REASONS_BY_METHOD, PAYMENT_METHODS
from emitter.scenarios.rules import RuleResult, at_rows, codes, counted, decimal_units, ints, is_, lookup

DESK_HOURS = SIGN_UP_HOURS  # cash is taken at the front desk, in the hours members sign up


def enrollment_ages(t: Tables, f: Facts) -> list[RuleResult]:
    """Every enrollment's plan fits the member's age on the day it starts (a renewal as much as a first one)."""
    e = f.enrollments
    if e is None or MEMBERS not in t or PLANS not in t:
        return []
    m = t[MEMBERS]
    member = lookup(e.memberid, ints(m, "memberid"))
    age = whole_years(at_rows(ints(m, "dateofbirth"), member, 0), e.start)
    plan_known, misfit = misfit_plans(t[PLANS], e.plan, age)
    known = plan_known & (member >= 0)
    misfit &= member >= 0
    return [
        counted(
            f"{MEMBERSHIPS}: the plan fits the member's age at startdate",
            int(misfit.sum()),
            "enrollments",
            int(known.sum()),
        )
    ]


def autorenewal(t: Tables) -> list[RuleResult]:
    """An enrollment renews only on a plan with auto-renewal; without it the enrollment expires (or is cancelled)."""
    if MEMBERSHIPS not in t:
        return []
    m = t[MEMBERSHIPS]
    renews = _flag(m, "autorenew")
    ending = is_(m, "status", *ENDINGS)
    out = [
        counted(
            f"{MEMBERSHIPS}: an enrollment without autorenew never ends Renewed",
            int((is_(m, "status", "Renewed") & ~renews).sum()),
            "ending rows without autorenew",
            int((ending & ~renews).sum()),
        )
    ]
    if PLANS in t:
        p = t[PLANS]
        row = lookup(ints(m, "membershiptypeid"), ints(p, "membershiptypeid"))
        known = row >= 0
        differ = known & (renews != at_rows(_flag(p, "autorenewdefault"), row, False))
        rule = f"{MEMBERSHIPS}: autorenew is the plan's autorenewdefault"
        out.append(counted(rule, int(differ.sum()), "rows", int(known.sum())))
    return out


def charge_amounts(t: Tables) -> list[RuleResult]:
    """No payment is of 0.00 (or less): a plan without a registration fee charges none."""
    if PAYMENTS not in t:
        return []
    p = t[PAYMENTS]
    return [
        counted(
            f"{PAYMENTS}: every amount is above 0.00",
            int((decimal_units(p, "amount") <= 0).sum()),
            "payments",
            p.num_rows,
        )
    ]


def failures_by_method(t: Tables) -> list[RuleResult]:
    """A failure reason is one the payment method can give; cash never fails and is paid at the desk."""
    if PAYMENTS not in t:
        return []
    p = t[PAYMENTS]
    failed = is_(p, "status", "Failed")
    allowed = [(m, r) for m, reasons in FAILURE_REASONS_BY_METHOD.items() for r in reasons]
    method, reason, allowed_method, allowed_reason = codes(
        p.column("paymentmethod"),
        p.column("failurereason"),
        pa.array([m for m, _ in allowed], pa.string()),
        pa.array([r for _, r in allowed], pa.string()),
    )
    # codes are shared across the four columns, so a (method, reason) pair is one key in both; a method
    # outside the mapping has no pair at all
    fits = np.isin(pair(method + 1, reason + 1), pair(allowed_method + 1, allowed_reason + 1))
    cash = is_(p, "paymentmethod", PAYMENT_METHODS[CASH])
    clock = micros_of_day(p, "paymentdate")
    opens, closes = (h * MICROS_PER_HOUR for h in DESK_HOURS)
    off_desk = (clock < opens) | (clock > closes)
    return [
        counted(
            f"{PAYMENTS}: a failurereason is one its paymentmethod can give",
            int((failed & ~fits).sum()),
            "failed payments",
            int(failed.sum()),
        ),
        counted(
            f"{PAYMENTS}: {PAYMENT_METHODS[CASH]} never fails and is taken at the desk, "
            f"{DESK_HOURS[0]:02d}:00–{DESK_HOURS[1]:02d}:00",
            int((cash & (failed | off_desk)).sum()),
            "cash payments",
            int(cash.sum()),
        ),
    ]


def _flag(t: pa.Table, name: str) -> B:
    return np.asarray(t.column(name).to_numpy(zero_copy_only=False), bool)
