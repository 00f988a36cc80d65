"""Every member's enrollments and charges, drawn once in closed form: the history each day's rows come from.

A spell is a stretch of continuous membership: a first enrollment (or a return after a lapse), renewed
every twelve months until the member leaves. A plan without auto-renewal (Flex) expires at its term's end
instead, and a member who stays signs up again that day. Renewals move a member who outgrew an age-banded
plan (Student) to Standard. Each enrollment's charges are drawn with it; a charge whose retry fails too
suspends the enrollment and ends the spell. Charges of $0 (a waived registration fee) are not made; cash is
paid at the desk and never fails. Because the whole history is known up front, any day's enrollment
changes, payments and "who is active" are lookups, and days need no carried state.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import numpy.typing as npt

from emitter.core.arrivals import cdf_pick, shares_cdf
from emitter.core.clock import MICROS_PER_DAY, MICROS_PER_HOUR, MICROS_PER_MINUTE, MICROS_PER_SECOND, whole_years
from emitter.scenarios.fitness.settings import FitnessSettings
from emitter.scenarios.fitness.vocabulary import (
    CASH,
    FAILURE_REASONS,
    FAILURE_REASONS_BY_METHOD,
    OTHER_METHODS,
    PAYMENT_METHODS,
    PLANS,
    STANDARD,
)

I64 = npt.NDArray[np.int64]
BOOL = npt.NDArray[np.bool_]

OUTCOMES = ("Renewed", "Cancelled", "Expired", "Suspended")
RENEWED, CANCELLED, EXPIRED, SUSPENDED = range(len(OUTCOMES))
KINDS = ("Registration", "Monthly", "Annual")
REGISTRATION, MONTHLY, ANNUAL = range(len(KINDS))
OK, RETRIED, SUSPENDS = 0, 1, 2  # a charge: paid at once; failed, then paid on retry; failed twice
TERM_MONTHS = 12
MAX_ENROLLMENTS = 100  # membershipid = memberid * 100 + the enrollment's number
NIGHTLY_RUN_US = 3 * MICROS_PER_HOUR  # recurring charges and retries run from 03:00
STATUS_RUN_US = 5 * MICROS_PER_MINUTE  # renewals and lapses take effect from 00:05
SIGN_UP_HOURS = (9, 19)  # new and returning members enroll at the desk in these hours

PLAN_MONTHLY = np.array([p.monthly_cents for p in PLANS], dtype=np.int64)
PLAN_ANNUAL = np.array([p.annual_cents for p in PLANS], dtype=np.int64)
PLAN_REGISTRATION = np.array([p.registration_cents for p in PLANS], dtype=np.int64)
PLAN_DISCOUNT_BP = np.array([p.corporate_discount_bp for p in PLANS], dtype=np.int64)
PLAN_AUTORENEW = np.array([p.autorenew for p in PLANS])
PLAN_MAX_AGE = np.array([p.max_age or 1_000 for p in PLANS], dtype=np.int64)
# per method, the failure reasons it can give (indices into FAILURE_REASONS), padded to one width
_REASONS = [[FAILURE_REASONS.index(r) for r in FAILURE_REASONS_BY_METHOD[m]] or [0] for m in PAYMENT_METHODS]
REASON_COUNT = np.array([len(r) for r in _REASONS], dtype=np.int64)
REASON_OF = np.array([r + r[:1] * (int(REASON_COUNT.max()) - len(r)) for r in _REASONS], dtype=np.int8)


def add_months(days: I64, months: I64) -> I64:
    """Epoch days ``months`` calendar months after ``days``, on the same day of the month or the month's last."""
    d = np.asarray(days, dtype="datetime64[D]")
    month = d.astype("datetime64[M]")
    day_of_month = (d - month.astype("datetime64[D]")).astype(np.int64)
    target = month + np.asarray(months, dtype=np.int64)
    length = ((target + 1).astype("datetime64[D]") - target.astype("datetime64[D]")).astype(np.int64)
    out: I64 = (target.astype("datetime64[D]") + np.minimum(day_of_month, length - 1)).astype(np.int64)
    return out


def discounted(cents: I64, discount_bp: I64) -> I64:
    """A price after a discount in basis points, rounded half up to the cent."""
    return (cents * (10_000 - discount_bp) + 5_000) // 10_000


@dataclass(frozen=True)
class Enrollments:
    """One row per enrollment, in rounds: every member's first, then the second of those who go on, and so on.

    Members and numbers count from 0; a member's id is its index + 1.
    """

    member: I64
    number: I64
    plan: I64
    annual: BOOL
    start: I64  # epoch day of the first day covered
    end: I64  # epoch day of the first day not covered
    outcome: I64
    spell_start: BOOL  # a first enrollment or a return (or a Flex sign-up again), as opposed to a renewal
    signed_up_us: I64  # when the member last signed up at the desk, up to this enrollment (µs since 1970)
    opened_us: I64  # time of day its Active row is stamped
    closed_us: I64  # time of day its closing row is stamped (on ``end``)

    @cached_property
    def ids(self) -> I64:
        return (self.member + 1) * MAX_ENROLLMENTS + self.number

    @cached_property
    def discount_bp(self) -> I64:
        return PLAN_DISCOUNT_BP[self.plan]

    @cached_property
    def price_cents(self) -> I64:
        """Charged per billing period, after the plan's discount."""
        return discounted(np.where(self.annual, PLAN_ANNUAL[self.plan], PLAN_MONTHLY[self.plan]), self.discount_bp)

    @cached_property
    def _by_start(self) -> tuple[I64, I64]:
        order = np.argsort(self.start, kind="stable")
        return order, self.start[order]

    @cached_property
    def _by_end(self) -> tuple[I64, I64]:
        order = np.argsort(self.end, kind="stable")
        return order, self.end[order]

    def starting(self, day: int) -> I64:
        """Indices of the enrollments whose first day is ``day`` (epoch day)."""
        return _on(*self._by_start, day)

    def ending(self, day: int) -> I64:
        """Indices of the enrollments whose first uncovered day is ``day``."""
        return _on(*self._by_end, day)

    @cached_property
    def _longest(self) -> int:
        return int((self.end - self.start).max(initial=0))

    def covering(self, day: int) -> tuple[I64, I64]:
        """Members covered on ``day``, ascending, and the enrollment covering each; those who (re)join that day
        are signing up, not yet in. A member's enrollments never overlap, so each member appears once."""
        order, starts = self._by_start
        lo, hi = np.searchsorted(starts, [day - self._longest, day + 1])  # only these can cover the day
        found = order[lo:hi]
        found = found[(self.end[found] > day) & ~(self.spell_start[found] & (self.start[found] == day))]
        found = found[np.argsort(self.member[found], kind="stable")]
        return self.member[found], found


@dataclass(frozen=True)
class Charges:
    """Every charge ever due, ordered by due day and time; a failed one is retried ``retry_days`` later."""

    due: I64  # epoch day of the first attempt
    at_us: I64  # its time of day
    retry_us: I64  # the retry's time of day
    enrollment: I64  # index into Enrollments
    number: npt.NDArray[np.int16]  # 0, 1, ... within its enrollment
    kind: npt.NDArray[np.int8]
    amount_cents: npt.NDArray[np.int32]
    outcome: npt.NDArray[np.int8]
    reason: npt.NDArray[np.int8]  # index into FAILURE_REASONS (failed attempts only)
    method: npt.NDArray[np.int8]  # index into PAYMENT_METHODS
    retry_days: int

    @cached_property
    def retried(self) -> I64:
        """Indices of the charges with a retry, ordered by the retry's day and time."""
        failed = np.flatnonzero(self.outcome != OK)
        return failed[np.lexsort((self.retry_us[failed], self.due[failed]))]

    def first_attempts(self, day: int) -> I64:
        lo, hi = np.searchsorted(self.due, [day, day + 1])
        return np.arange(lo, hi, dtype=np.int64)

    @cached_property
    def _retried_due(self) -> I64:
        return self.due[self.retried]

    def retries(self, day: int) -> I64:
        lo, hi = np.searchsorted(self._retried_due, [day - self.retry_days, day - self.retry_days + 1])
        return self.retried[lo:hi]


def _on(order: I64, ordered: I64, day: int) -> I64:
    lo, hi = np.searchsorted(ordered, [day, day + 1])
    return np.sort(order[lo:hi])


def _tenure_months(rng: np.random.Generator, n: int, settings: FitnessSettings) -> I64:
    """Months a spell is meant to last: a share leave within three months, the rest churn at a monthly rate."""
    m = settings.memberships
    early = rng.random(n) < m.early_churn
    return np.where(early, rng.integers(1, 4, n), 3 + rng.geometric(m.monthly_churn, n)).astype(np.int64)


def _time_in(rng: np.random.Generator, n: int, start_us: int, width_us: int) -> I64:
    return start_us + (rng.random(n) * width_us).astype(np.int64)


def _at_the_desk(rng: np.random.Generator, n: int) -> I64:
    """A time in desk hours, two minutes clear of closing: the payments of a sign-up follow it by a minute."""
    lo, hi = SIGN_UP_HOURS
    return _time_in(rng, n, lo * MICROS_PER_HOUR, (hi - lo) * MICROS_PER_HOUR - 2 * MICROS_PER_MINUTE)


def draw_lifecycles(
    rng: np.random.Generator, join: I64, born: I64, plan: I64, settings: FitnessSettings
) -> tuple[Enrollments, Charges]:
    """Enrollments and charges of members born on ``born`` who join on ``join`` (epoch days) with ``plan``.

    Each round places one more enrollment for every member still in the game: a renewal, a return after a
    lapse, or nothing once they leave for good.
    """
    p = settings.payments
    n = join.size
    other = 1.0 - p.credit_card - p.debit_card
    shares = [p.credit_card, p.debit_card, *(other * w for _, w in OTHER_METHODS)]
    methods = shares_cdf(shares)
    # cash never fails, so the other methods fail a little more often for all payments to succeed at the setting
    fail, retry_fail = min(p.first_failure / max(1.0 - shares[CASH], 1e-9), 1.0), p.retry_failure
    members = np.arange(n, dtype=np.int64)
    start = join.astype(np.int64)
    months_left = _tenure_months(rng, n, settings)
    annual = rng.random(n) < settings.memberships.annual_share
    spell_start = np.ones(n, dtype=bool)
    first_ever = np.ones(n, dtype=bool)
    sign_up_us = _at_the_desk(rng, n)
    signed_up = start * MICROS_PER_DAY + sign_up_us
    current_plan = plan.astype(np.int64)
    rounds: list[dict[str, npt.NDArray[np.generic]]] = []
    charges: list[dict[str, npt.NDArray[np.generic]]] = []
    placed = 0
    for number in range(MAX_ENROLLMENTS):
        if members.size == 0:
            break
        k = members.size
        current_plan = np.where(whole_years(born[members], start) > PLAN_MAX_AGE[current_plan], STANDARD, current_plan)
        plan_of = current_plan  # this round's plans, one per member still in the game
        autorenew = PLAN_AUTORENEW[plan_of]
        months_left = np.where(annual, -(-months_left // TERM_MONTHS) * TERM_MONTHS, months_left)
        term = np.minimum(months_left, TERM_MONTHS)
        renews = months_left > TERM_MONTHS
        if number == MAX_ENROLLMENTS - 1:
            renews[:] = False
        # the charges of this enrollment: a registration fee first ever, then monthly, or one annual
        periods = np.where(annual, 1, term)
        count = periods + first_ever
        owner = np.repeat(np.arange(k), count)
        local = np.arange(owner.size) - np.repeat(np.cumsum(count) - count, count)
        kind = np.where(first_ever[owner] & (local == 0), REGISTRATION, np.where(annual[owner], ANNUAL, MONTHLY))
        period = local - first_ever[owner]
        due = add_months(start[owner], np.maximum(period, 0))
        fee = PLAN_REGISTRATION[plan_of][owner]
        price = discounted(np.where(annual, PLAN_ANNUAL[plan_of], PLAN_MONTHLY[plan_of]), PLAN_DISCOUNT_BP[plan_of])[
            owner
        ]
        amount = np.where(kind == REGISTRATION, fee, price)
        # the card (or account) a charge is made to; its retry goes to the same one
        method = cdf_pick(rng, methods, owner.size)
        cash = method == CASH
        u = rng.random(owner.size)
        outcome = np.where(u < fail * retry_fail, SUSPENDS, np.where(u < fail, RETRIED, OK))
        outcome[cash | (amount == 0)] = OK
        first_bad = np.minimum.reduceat(np.where(outcome == SUSPENDS, local, owner.size), np.cumsum(count) - count)
        suspended = first_bad < owner.size
        at_desk = spell_start[owner] & (due == start[owner])
        at_us = np.where(
            at_desk,
            sign_up_us[owner] + (local + 1) * 30 * MICROS_PER_SECOND,
            np.where(cash, _at_the_desk(rng, owner.size), _time_in(rng, owner.size, NIGHTLY_RUN_US, MICROS_PER_HOUR)),
        )
        suspended_on = np.zeros(k, dtype=np.int64)
        suspended_on[suspended] = due[np.cumsum(count)[suspended] - count[suspended] + first_bad[suspended]]
        end = np.where(
            suspended, suspended_on + p.retry_days + 1, add_months(start, np.where(annual, TERM_MONTHS, term))
        )
        renews &= ~suspended
        # a suspension drops the charges after the failed one, except those due the same day (the first month's
        # price beside a registration fee): they were attempted before the retry failed
        keep = ((local <= first_bad[owner]) | (due <= suspended_on[owner])) & (amount > 0)
        reason = REASON_OF[method, (rng.random(owner.size) * REASON_COUNT[method]).astype(np.int64)]
        charges.append(
            {
                "due": due[keep],
                "at_us": at_us[keep],
                "retry_us": _time_in(rng, owner.size, NIGHTLY_RUN_US, MICROS_PER_HOUR)[keep],
                "enrollment": (placed + owner)[keep],
                "number": local[keep].astype(np.int16),
                "kind": kind[keep].astype(np.int8),
                "amount_cents": amount[keep].astype(np.int32),
                "outcome": outcome[keep].astype(np.int8),
                "reason": reason[keep],
                "method": method.astype(np.int8)[keep],
            }
        )
        closed_us = _time_in(rng, k, STATUS_RUN_US, 10 * MICROS_PER_MINUTE)
        rounds.append(
            {
                "member": members,
                "number": np.full(k, number, dtype=np.int64),
                "plan": plan_of,
                "annual": annual,
                "start": start,
                "end": end,
                "outcome": np.where(
                    suspended,
                    SUSPENDED,
                    # a term that runs out without auto-renewal expires, whether or not the member stays
                    np.where(
                        renews & autorenew,
                        RENEWED,
                        np.where(annual | renews | (~autorenew & (term == TERM_MONTHS)), EXPIRED, CANCELLED),
                    ),
                ),
                "spell_start": spell_start,
                "signed_up_us": signed_up,
                "opened_us": sign_up_us,  # a renewal's: just after its predecessor closes
                "closed_us": closed_us,
            }
        )
        placed += k
        # who goes on: renewals at once, a share of the others after a few months away
        back = ~renews & (rng.random(k) < settings.memberships.rejoin)
        gap = rng.integers(30, 366, k)
        fresh = _tenure_months(rng, k, settings)
        go_on = renews | back
        # a member staying on a plan without auto-renewal signs up again at the desk, the day it expires
        again = (renews & ~autorenew) | back
        months_left = np.where(renews, months_left - TERM_MONTHS, fresh)[go_on]
        annual = np.where(renews, annual, rng.random(k) < settings.memberships.annual_share)[go_on]
        next_start = np.where(renews, end, end + gap)
        sign_up = np.where(again, _at_the_desk(rng, k), closed_us + MICROS_PER_SECOND)
        signed_up = np.where(again, next_start * MICROS_PER_DAY + sign_up, signed_up)[go_on]
        start = next_start[go_on]
        sign_up_us = sign_up[go_on]
        spell_start = again[go_on]
        current_plan = current_plan[go_on]
        first_ever = np.zeros(go_on.sum(), dtype=bool)
        members = members[go_on]
    enrollments = _enrollments(rounds)
    return enrollments, _charges(charges, p.retry_days)


def _enrollments(rounds: list[dict[str, npt.NDArray[np.generic]]]) -> Enrollments:
    return Enrollments(**{name: np.concatenate([r[name] for r in rounds]) for name in rounds[0]})


def _charges(parts: list[dict[str, npt.NDArray[np.generic]]], retry_days: int) -> Charges:
    cols = {name: np.concatenate([c[name] for c in parts]) for name in parts[0]}
    order = np.argsort(cols["due"] * MICROS_PER_DAY + cols["at_us"], kind="stable")  # one key sorts faster than two
    return Charges(**{name: col[order] for name, col in cols.items()}, retry_days=retry_days)
