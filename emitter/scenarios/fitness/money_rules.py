"""Fitness rules of enrollments and their charges: histories, when payments happen, amounts, retries, shares."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from emitter.scenarios.fitness.rule_columns import (
    ENDINGS,
    I64,
    MEMBERS,
    MEMBERSHIPS,
    PAYMENTS,
    PLANS,
    B,
    Tables,
    window,
)
from emitter.scenarios.fitness.settings import FitnessSettings
from emitter.scenarios.rules import RuleResult, at_rows, codes, counted, days, decimal_units, ints, is_, lookup

TOLERANCE = 0.01  # ± 1 point
# the method is drawn per charge: with 20,000 charges a 60 % share has a standard error of 0.35 points, and
# ± 1 point is about three of them; the success share is per payment row
MIN_CHARGES_FOR_METHODS = 20_000
MIN_PAYMENTS_FOR_SUCCESS = 5_000


@dataclass(frozen=True)
class Enrollments:
    """One entry per enrollment with rows at hand: who, when it covers, on what terms."""

    membershipid: I64
    memberid: I64
    start: I64  # days since 1970
    end: I64  # the actual last covered day when its ending row is at hand, else the planned term end
    renewal: B  # starts the day its predecessor was renewed (so the member's spell goes on)
    plan: I64
    annual: B
    price: I64  # cents
    discount: I64  # hundredths of a percent


def enrollments_at_hand(m: pa.Table) -> Enrollments:
    ids = ints(m, "membershipid")
    ending = is_(m, "status", *ENDINGS)
    order = np.lexsort((ending, ids))  # per enrollment its Active row first, its ending row last
    sorted_ids = ids[order]
    last = order[np.r_[sorted_ids[1:] != sorted_ids[:-1], True]] if ids.size else order
    renewed = ids[is_(m, "status", "Renewed")]
    previous = ints(m, "previousmembershipid")
    renewal_starts = ids[is_(m, "status", "Active") & np.isin(previous, renewed)]
    return Enrollments(
        membershipid=ids[last],
        memberid=ints(m, "memberid")[last],
        start=ints(m, "startdate")[last],
        end=ints(m, "enddate")[last],
        renewal=np.isin(ids[last], renewal_starts),
        plan=ints(m, "membershiptypeid")[last],
        annual=is_(m, "billing", "Annual")[last],
        price=decimal_units(m, "price")[last],
        discount=decimal_units(m, "discountpct")[last],
    )


@dataclass(frozen=True)
class Facts:
    """The run's settings, and what several rules derive from the same tables: computed once per pass."""

    tables: Tables
    settings: FitnessSettings

    @cached_property
    def window(self) -> tuple[int, int] | None:
        return window(self.tables)

    @cached_property
    def enrollments(self) -> Enrollments | None:
        return enrollments_at_hand(self.tables[MEMBERSHIPS]) if MEMBERSHIPS in self.tables else None


def histories(t: Tables) -> list[RuleResult]:
    """Each enrollment's rows tell one consistent story; a renewal hands over to its successor the same day."""
    if MEMBERSHIPS not in t:
        return []
    m = t[MEMBERSHIPS]
    n = m.num_rows
    ids, status = ints(m, "membershipid"), m.column("status")
    start, end, changed = ints(m, "startdate"), ints(m, "enddate"), days(m, "changedat")
    ending = is_(m, "status", *ENDINGS)
    previous = ints(m, "previousmembershipid")
    first_of_member = ids % 100 == 0
    wrong_previous = np.where(first_of_member, previous != -1, previous != ids - 1)
    renewed = is_(m, "status", "Renewed")
    active = is_(m, "status", "Active")
    successor = lookup(ids[renewed], np.where(active, previous, -1))
    same_day = at_rows(changed, successor, -1) == changed[renewed]
    handed_over = (successor >= 0) & same_day & (at_rows(start, successor, -1) == end[renewed] + 1)
    unknown = n - int(pc.sum(pc.is_in(status, value_set=pa.array(("Active", *ENDINGS)))).as_py() or 0)
    return [
        counted(f"{MEMBERSHIPS}: status is Active or an ending", unknown, "rows", n),
        counted(f"{MEMBERSHIPS}: startdate ≤ enddate", int(((end < start) & (end >= 0)).sum()), "rows", n),
        counted(
            f"{MEMBERSHIPS}: an ending row comes the day after its enddate",
            int((ending & (changed != end + 1)).sum()),
            "ending rows",
            int(ending.sum()),
        ),
        counted(
            f"{MEMBERSHIPS}: previousmembershipid is the member's enrollment before",
            int(wrong_previous.sum()),
            "rows",
            n,
        ),
        counted(
            f"{MEMBERSHIPS}: a Renewed row has its successor's Active row that day, starting the next day",
            int((~handed_over).sum()),
            "Renewed rows",
            int(renewed.sum()),
        ),
        counted(
            f"{MEMBERSHIPS}: Annual enrollments are never Cancelled",
            int((is_(m, "billing", "Annual") & is_(m, "status", "Cancelled")).sum()),
            "rows",
            n,
        ),
    ]


def payment_windows(t: Tables, f: Facts) -> list[RuleResult]:
    """A payment falls inside its enrollment and is the enrollment's member's (enrollments at hand)."""
    e = f.enrollments
    if PAYMENTS not in t or e is None:
        return []
    p = t[PAYMENTS]
    row = lookup(ints(p, "membershipid"), e.membershipid)
    known = row >= 0
    day = days(p, "paymentdate")
    outside = known & ((day < at_rows(e.start, row, -1)) | (day > at_rows(e.end, row, -1)))
    stranger = known & (ints(p, "memberid") != at_rows(e.memberid, row, -1))
    of = int(known.sum())
    return [
        counted(f"{PAYMENTS}: only while the enrollment covers the day", int(outside.sum()), "payments", of),
        counted(f"{PAYMENTS}: the member is the enrollment's", int(stranger.sum()), "payments", of),
    ]


def payment_amounts(t: Tables, f: Facts) -> list[RuleResult]:
    """Registration = the plan's fee; a period's charge = the enrollment's price = the plan's price less discount."""
    if PLANS not in t:
        return []
    plans = t[PLANS]
    plan_ids = ints(plans, "membershiptypeid")
    fee, monthly, annual = (decimal_units(plans, c) for c in ("registrationfee", "monthlyprice", "annualprice"))
    corporate = decimal_units(plans, "corporatediscountpct")
    out = []
    e = f.enrollments
    if e is not None:
        row = lookup(e.plan, plan_ids)
        known = row >= 0
        list_price = np.where(e.annual, at_rows(annual, row, 0), at_rows(monthly, row, 0))
        # half up to the cent: discount in hundredths of a percent, so the factor is (10,000 − d) / 10,000
        due = (2 * list_price * (10_000 - e.discount) + 10_000) // 20_000
        of = int(known.sum())
        out += [
            counted(
                f"{MEMBERSHIPS}: price = the plan's price for the billing × (1 − discountpct), half up",
                int((known & (e.price != due)).sum()),
                "enrollments",
                of,
            ),
            counted(
                f"{MEMBERSHIPS}: discountpct = the plan's corporatediscountpct",
                int((known & (e.discount != at_rows(corporate, row, 0))).sum()),
                "enrollments",
                of,
            ),
        ]
    if PAYMENTS not in t:
        return out
    p = t[PAYMENTS]
    amount = decimal_units(p, "amount")
    registration = is_(p, "paymenttype", "Registration")
    if MEMBERS in t:
        # a registration is paid once, at the member's first enrollment, whose plan is the member's
        m = t[MEMBERS]
        member = lookup(ints(p, "memberid"), ints(m, "memberid"))
        plan = at_rows(lookup(ints(m, "membershiptypeid"), plan_ids), member, -1)
        judged = registration & (plan >= 0)
        wrong = judged & (amount != at_rows(fee, plan, 0))
        out.append(
            counted(
                f"{PAYMENTS}: Registration = the plan's registrationfee",
                int(wrong.sum()),
                "registrations",
                int(judged.sum()),
            )
        )
    if e is not None:
        row = lookup(ints(p, "membershipid"), e.membershipid)
        period = ~registration & (row >= 0)
        billing = is_(p, "paymenttype", "Annual") != at_rows(e.annual, row, False)
        wrong = period & ((amount != at_rows(e.price, row, 0)) | billing)
        out.append(
            counted(
                f"{PAYMENTS}: Monthly and Annual charges = the enrollment's price for its billing",
                int(wrong.sum()),
                "charges",
                int(period.sum()),
            )
        )
    return out


def retries(t: Tables, f: Facts) -> list[RuleResult]:
    """A failed first attempt is retried once, the run's ``retry_days`` later; a failed retry suspends."""
    if PAYMENTS not in t or not t[PAYMENTS].num_rows:
        return []
    p = t[PAYMENTS]
    span = f.window
    assert span is not None
    first, last = span
    gap = f.settings.payments.retry_days
    ids, attempt, day = ints(p, "paymentid"), ints(p, "attempt"), days(p, "paymentdate")
    failed = is_(p, "status", "Failed")
    reason = ~np.asarray(p.column("failurereason").is_null().to_numpy(zero_copy_only=False), bool)
    out = [
        counted(
            f"{PAYMENTS}: failurereason set exactly when Failed", int((failed != reason).sum()), "payments", p.num_rows
        )
    ]
    first_attempt, second = attempt == 1, attempt == 2
    to_retry = lookup(ids + 1, ids)
    retry_attempt = at_rows(attempt, to_retry, -1)
    due = first_attempt & failed & (day + gap <= last)
    missing = due & ((to_retry < 0) | (retry_attempt != 2) | (at_rows(day, to_retry, -1) != day + gap))
    back = lookup(ids - 1, ids)
    no_charge = (
        (at_rows(attempt, back, -1) != 1) | ~at_rows(failed, back, False) | (at_rows(day, back, -1) != day - gap)
    )
    orphan = second & (day - gap >= first) & ((back < 0) | no_charge)
    stray = ~(first_attempt | second) | (first_attempt & ~failed & (retry_attempt == 2))
    out.append(
        counted(
            f"{PAYMENTS}: a failed first attempt is retried once, {gap} days later",
            int(missing.sum() + orphan.sum() + stray.sum()),
            "payments",
            p.num_rows,
        )
    )
    if MEMBERSHIPS in t:
        m = t[MEMBERSHIPS]
        suspended = is_(m, "status", "Suspended")
        row = lookup(ints(p, "membershipid"), ints(m, "membershipid")[suspended])
        # a sentinel row after the Suspended ones, for payments without one
        changed, ended = (np.r_[v[suspended], -1] for v in (days(m, "changedat"), ints(m, "enddate")))
        due_suspension = second & failed & (day + 1 <= last)
        found = (changed[row] == day + 1) & (ended[row] == day)
        out.append(
            counted(
                f"{PAYMENTS}: a failed retry suspends the enrollment (its Suspended row the next day)",
                int((due_suspension & ~found).sum()),
                "failed retries",
                int(due_suspension.sum()),
            )
        )
    return out


def payment_shares(t: Tables, f: Facts) -> list[RuleResult]:
    """How charges are paid and how often they succeed, within a point of the run's settings (given enough)."""
    if PAYMENTS not in t:
        return []
    p = t[PAYMENTS]
    n = p.num_rows
    s = f.settings.payments
    other = 1.0 - s.credit_card - s.debit_card
    method_shares = {"Credit Card": s.credit_card, "Debit Card": s.debit_card, "other": other}
    out = []
    success_rule = f"{PAYMENTS}: {s.success:.0%} Completed, ± 1 point"
    if n < MIN_PAYMENTS_FOR_SUCCESS:
        out.append(RuleResult(success_rule, True, f"too few payments to judge ({n:,})"))
    else:
        share = float(is_(p, "status", "Completed").mean())
        out.append(RuleResult(success_rule, abs(share - s.success) <= TOLERANCE, f"{share:.2%} of {n:,} payments"))
    method_rule = (
        f"{PAYMENTS}: methods of charges " + "/".join(f"{v:.0%}" for v in method_shares.values()) + ", ± 1 point"
    )
    ids, attempt = ints(p, "paymentid"), ints(p, "attempt")
    (method,) = codes(p.column("paymentmethod"))
    # a retry goes to the card its charge went to
    retry = np.flatnonzero(attempt == 2)
    where = lookup(ids[retry] - 1, ids)
    seen = where >= 0
    out.append(
        counted(
            f"{PAYMENTS}: a retry uses its charge's method",
            int((method[retry[seen]] != method[where[seen]]).sum()),
            "retries",
            int(seen.sum()),
        )
    )
    first = np.flatnonzero(attempt == 1)  # retries repeat their charge's method, so charges are counted once
    if first.size < MIN_CHARGES_FOR_METHODS:
        out.append(RuleResult(method_rule, True, f"too few charges to judge ({first.size:,})"))
        return out
    pick = p.take(pa.array(first))
    shares = {
        "Credit Card": float(is_(pick, "paymentmethod", "Credit Card").mean()),
        "Debit Card": float(is_(pick, "paymentmethod", "Debit Card").mean()),
    }
    shares["other"] = 1.0 - shares["Credit Card"] - shares["Debit Card"]
    off = {k: v for k, v in shares.items() if abs(v - method_shares[k]) > TOLERANCE}
    detail = ", ".join(f"{k} {v:.2%}" for k, v in shares.items()) + f" of {first.size:,} charges"
    out.append(RuleResult(method_rule, not off, detail))
    return out
