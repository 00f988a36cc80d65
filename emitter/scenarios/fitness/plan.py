"""Fitness's capacity estimate: expected rows per table and slot from the model's own curves, without generating.

Enrollments and charges are drawn once with the world (``lifecycle``), so their rows over a range are what
the world schedules in it: the plan counts them where the day tables would look them up. Visits are the
expectation of the daily draw: each covered member's chance of coming, split between the home and the
nearby club, at each club's check-in curve; classes are the day's timetable, bookings a capped Poisson of
the club's class-goers, and class-goers check in and out around their class instead of by the curve.
Row sizes take each field's typical value: ids from the range's days and counters, the lifecycle's from
its rows in the range, visits and classes from the shares expected.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from emitter.core.clock import MICROS_PER_SLOT, MINUTES_PER_DAY, SLOT_MINUTES, SLOTS_PER_DAY, yyyymmdd
from emitter.plan.avro_size import Hint, Maybe, record_bytes
from emitter.plan.expectations import capped_poisson_mean, normal_sf
from emitter.plan.volume import TableVolume, reference_volumes
from emitter.scenarios.fitness.calendar import hours_of, visit_factor
from emitter.scenarios.fitness.clubs import epoch_days
from emitter.scenarios.fitness.day_tables import (
    ACCESS_TYPES,
    BILLING,
    ENROLLMENT_FACTOR,
    ENROLLMENT_STATUSES,
    INSTANCE_FACTOR,
    PAYMENT_FACTOR,
    PAYMENT_STATUSES,
    SESSION_STATUS,
    STATUSES,
    VISIT_FACTOR,
)
from emitter.scenarios.fitness.lifecycle import KINDS, OK, SUSPENDS
from emitter.scenarios.fitness.visits import (
    CLASS_ARRIVE_MIN,
    CLASS_LEAVE_MIN,
    MAX_DAILY_CHANCE,
    MIN_WAITLIST,
    STAY_MEDIAN_MIN,
    STAY_RANGE_MIN,
    STAY_SIGMA,
    open_slot_cdfs,
)
from emitter.scenarios.fitness.vocabulary import ACCESS_METHODS, FAILURE_REASONS, PAYMENT_METHODS

if TYPE_CHECKING:
    from emitter.scenarios.fitness.scenario import FitnessScenario

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Sessions:
    """The range's class sessions (timetable rows per day) and their expected bookings."""

    day: I64  # index into the range
    schedule: I64  # index into the timetable
    booked: F64  # holding a place: attended or no-show
    rows: F64  # bookings, the waitlist included


class FitnessPlan:
    """The estimate for one scenario instance over a list of days."""

    def __init__(self, scenario: FitnessScenario, days: Sequence[date]) -> None:
        self.s, self.w = scenario, scenario.world
        self.days = list(days)
        self.day_numbers = np.array([epoch_days(d) for d in self.days], dtype=np.int64)

    def volumes(self) -> dict[str, TableVolume]:
        visitors, sessions = self._visits_and_sessions()
        access = self._access(visitors, sessions)
        start_slot = self.w.timetable.start_min[sessions.schedule] // SLOT_MINUTES
        instances = self._grid(sessions.day, start_slot, np.ones(sessions.day.size))
        enrollments = self._grid(sessions.day, start_slot, sessions.rows)
        memberships, opening, closing = self._memberships()
        payments, first, retry = self._payments()
        sizes = _row_bytes(self.s, self.days, sessions, opening, closing, first, retry, visitors)
        out = {
            "ods.membermemberships": TableVolume.per_day(memberships, sizes["ods.membermemberships"]),
            "ods.memberpayments": TableVolume.per_day(payments, sizes["ods.memberpayments"]),
            "ods.classinstances": TableVolume.per_day(instances, sizes["ods.classinstances"]),
            "ods.classenrollments": TableVolume.per_day(enrollments, sizes["ods.classenrollments"]),
            "ods.memberaccess": TableVolume.per_day(access, sizes["ods.memberaccess"]),
        }
        reference = reference_volumes(self.s.catalog(), self.w.tables)
        return {spec.id: {**reference, **out}[spec.id] for spec in self.s.catalog().tables}

    # ---- the lifecycle's rows: scheduled by the world -------------------------------------------
    def _memberships(self) -> tuple[F64, I64, I64]:
        """Rows per (day, slot): enrollments starting in the range (Active) and those ending in it."""
        e = self.w.members.enrollments
        opening = np.flatnonzero(self._inside(e.start))
        closing = np.flatnonzero(self._inside(e.end))
        grid = self._stamped(e.start[opening], e.opened_us[opening])
        grid += self._stamped(e.end[closing], e.closed_us[closing])
        return grid, opening, closing

    def _payments(self) -> tuple[F64, I64, I64]:
        """Rows per (day, slot): charges due in the range, and retries of those that failed ``retry_days`` before."""
        c = self.w.members.charges
        first = np.flatnonzero(self._inside(c.due))
        retry = c.retried[self._inside(c.due[c.retried] + c.retry_days)]
        grid = self._stamped(c.due[first], c.at_us[first])
        grid += self._stamped(c.due[retry] + c.retry_days, c.retry_us[retry])
        return grid, first, retry

    # ---- visits and classes: expectations of the daily draw -------------------------------------
    def _visits_and_sessions(self) -> tuple[F64, Sessions]:
        """Expected visitors per (day, club), and the range's sessions with their expected bookings."""
        w, v = self.w, self.s.settings.visits
        tt, members = w.timetable, w.members
        n_clubs = w.clubs.size
        visitors = np.zeros((len(self.days), n_clubs))
        parts: list[tuple[I64, I64, F64, F64]] = []
        for i, d in enumerate(self.days):
            active, _ = members.enrollments.covering(int(self.day_numbers[i]))
            chance = np.minimum(members.weekly_visits[active] / 7.0 * visit_factor(d), MAX_DAILY_CHANCE)
            visitors[i] = np.bincount(members.home[active], chance * v.home_share, n_clubs) + np.bincount(
                members.nearby[active], chance * (1.0 - v.home_share), n_clubs
            )
            if d < self.s.settings.volume.members_from:  # no timetable before the first join
                continue
            schedule = np.flatnonzero(tt.weekday == d.weekday())
            club = tt.facility[schedule]
            weight = tt.popularity[schedule] ** 2 * hours_of(d)[tt.start_min[schedule] // SLOT_MINUTES]
            club_weight = np.bincount(club, weights=weight, minlength=n_clubs)
            want = v.class_share * visitors[i, club] * weight / np.maximum(club_weight[club], 1e-9)
            capacity = tt.capacity[schedule]
            booked = capped_poisson_mean(want, capacity)
            rows = capped_poisson_mean(want, capacity + np.maximum(capacity // 2, MIN_WAITLIST))
            parts.append((np.full(schedule.size, i), schedule, booked, rows))
        day, schedule, booked, rows = (np.concatenate(p) for p in zip(*parts, strict=True)) if parts else _none()
        return visitors, Sessions(day.astype(np.int64), schedule.astype(np.int64), booked, rows)

    def _access(self, visitors: F64, sessions: Sessions) -> F64:
        """Two rows per visit: by each club's curves, except class-goers, who come and go around their class."""
        clubs, tt = self.w.clubs, self.w.timetable
        attended = sessions.booked * (1.0 - self.s.settings.visits.no_show)
        by_class = np.zeros_like(visitors)
        np.add.at(by_class, (sessions.day, tt.facility[sessions.schedule]), attended)
        on_floor = np.maximum(visitors - by_class, 0.0)
        stay = _stay_minutes()
        weekend = np.array([d.weekday() >= 5 for d in self.days])
        grid = np.zeros((len(self.days), SLOTS_PER_DAY))
        for flag in (False, True):
            check_in = np.diff(open_slot_cdfs(clubs, flag), axis=1, prepend=0.0)  # (clubs, slots)
            closes = np.minimum(clubs.closes[:, int(flag)] * 60, MINUTES_PER_DAY)
            both = check_in + _check_out_shares(check_in, stay, closes)
            grid[weekend == flag] = on_floor[weekend == flag] @ both
        for lead, offset in ((CLASS_ARRIVE_MIN, -1), (CLASS_LEAVE_MIN, 1)):
            anchor = tt.start_min + (tt.duration_min if offset > 0 else 0)
            for minutes in range(lead[0], lead[1] + 1):
                at = np.clip(anchor[sessions.schedule] + offset * minutes, 0, MINUTES_PER_DAY - 1)
                share = attended / (lead[1] - lead[0] + 1)
                np.add.at(grid, (sessions.day, at // SLOT_MINUTES), share)
        return grid

    # ---- slot grids ------------------------------------------------------------------------------
    def _index(self, day_number: I64) -> I64:
        """Range index of each epoch day (-1 outside the range)."""
        at = np.clip(np.searchsorted(self.day_numbers, day_number), 0, len(self.days) - 1)
        return np.where(self.day_numbers[at] == day_number, at, -1)

    def _inside(self, day_number: I64) -> npt.NDArray[np.bool_]:
        return self._index(day_number) >= 0

    def _stamped(self, day_number: I64, us_of_day: I64) -> F64:
        """Rows per (day, slot) of rows stamped on ``day_number`` at ``us_of_day``."""
        slot = np.clip(us_of_day // MICROS_PER_SLOT, 0, SLOTS_PER_DAY - 1)
        return self._grid(self._index(day_number), slot, np.ones(day_number.size))

    def _grid(self, day: I64, slot: I64, rows: F64) -> F64:
        grid = np.zeros((len(self.days), SLOTS_PER_DAY))
        np.add.at(grid, (day, slot), rows)
        return grid


def _none() -> tuple[I64, I64, F64, F64]:
    empty = np.zeros(0)
    return empty.astype(np.int64), empty.astype(np.int64), empty, empty


def _stay_minutes() -> F64:
    """P(a visit lasts k to k + 1 minutes), k = 0 .. longest: the clipped lognormal of ``draw_visits``."""
    low, high = STAY_RANGE_MIN
    edges = np.arange(low, high + 1, dtype=np.float64)
    below = 1.0 - normal_sf((np.log(edges) - math.log(STAY_MEDIAN_MIN)) / STAY_SIGMA)  # P(stay < edge)
    pmf = np.zeros(high + 1)
    pmf[low:high] = np.diff(below)
    pmf[low] += below[0]  # clipped up to the shortest stay
    pmf[high] = 1.0 - below[-1]  # and down to the longest
    return pmf


def _check_out_shares(check_in: F64, stay: F64, closes_min: I64) -> F64:
    """Per club, the share of check-outs by slot: check-in (uniform inside its slot) plus the stay, capped at closing.

    Args:
        check_in: per club, the share of check-ins by slot.
        stay: the stay's pmf by whole minutes (``_stay_minutes``).
        closes_min: per club, the closing minute of the day (at most midnight).
    """
    by_minute = np.repeat(check_in / SLOT_MINUTES, SLOT_MINUTES, axis=1)
    # a minute of arrival plus a minute of stay spans two minutes of leaving, half in each
    kernel = np.convolve(stay, [0.5, 0.5])
    out = np.array([np.convolve(row, kernel) for row in by_minute])
    minute = np.arange(out.shape[1])
    late = minute[None, :] >= closes_min[:, None]
    cut = np.where(late, out, 0.0).sum(axis=1)
    out = np.where(late, 0.0, out)
    out[np.arange(out.shape[0]), closes_min - 1] += cut  # everyone out by closing
    return np.asarray(out[:, :MINUTES_PER_DAY].reshape(out.shape[0], SLOTS_PER_DAY, SLOT_MINUTES).sum(axis=2))


# ---- bytes ------------------------------------------------------------------------------------
def _typical(values: npt.ArrayLike) -> float:
    """The median: a varint's size follows the common magnitude, which a mean of mixed sizes would blur."""
    v = np.asarray(values, dtype=np.float64)
    return float(np.median(v)) if v.size else 0.0


def _mean_len(
    words: Sequence[str], picks: npt.ArrayLike | None = None, weights: Sequence[float] | None = None
) -> float:
    """Mean length of ``words[picks]`` (every word once when None), optionally weighted."""
    lengths = np.array([len(w) for w in words], dtype=np.float64)
    chosen = lengths if picks is None else lengths[np.asarray(picks, dtype=np.int64)]
    return float(np.average(chosen, weights=weights)) if chosen.size else float(lengths.mean())


def _row_bytes(
    scenario: FitnessScenario,
    days: Sequence[date],
    sessions: Sessions,
    opening: I64,
    closing: I64,
    first: I64,
    retry: I64,
    visitors: F64,
) -> dict[str, float]:
    """Expected Avro bytes of one row of each per-day table.

    Args:
        sessions: the range's sessions and their expected bookings.
        opening, closing: enrollments starting, and ending, in the range (indices into the world's).
        first, retry: charges first attempted, and retried, in the range (indices into the world's).
        visitors: expected visitors per (day, club).
    """
    w, settings = scenario.world, scenario.settings
    tt = w.timetable
    middle = yyyymmdd(days[len(days) // 2])
    members = settings.volume.members / 2  # member ids: 1 .. members, any of them
    hints: dict[str, dict[str, Hint]] = {
        "ods.membermemberships": _membership_hints(scenario, opening, closing),
        "ods.memberpayments": _payment_hints(scenario, first, retry),
    }

    s = sessions.schedule if sessions.schedule.size else np.arange(tt.size)
    booked = sessions.booked.sum()
    attended = booked * (1.0 - settings.visits.no_show)
    instance = middle * INSTANCE_FACTOR + _typical(s + 1)
    per_session = max(sessions.day.size, 1)
    hints["ods.classinstances"] = {
        "instanceid": instance,
        "scheduleid": _typical(s + 1),
        "facilityid": _typical(tt.facility[s] + 1),
        "classtypeid": _typical(tt.class_type[s] + 1),
        "instructorid": _typical(tt.instructor[s] + 1),
        "capacity": _typical(tt.capacity[s]),
        "bookedcount": booked / per_session,
        "actualparticipants": attended / per_session,
        "noshowcount": (booked - attended) / per_session,
        "waitlistcount": (sessions.rows.sum() - booked) / per_session,
        "status": len(SESSION_STATUS),
    }
    statuses = [attended, booked - attended, sessions.rows.sum() - booked]
    hints["ods.classenrollments"] = {
        "enrollmentid": instance * ENROLLMENT_FACTOR + booked / per_session / 2,
        "instanceid": instance,
        "memberid": members,
        "facilityid": _typical(tt.facility[s] + 1),
        "status": _mean_len(ENROLLMENT_STATUSES, weights=statuses if sum(statuses) > 0 else None),
    }
    visit = middle * VISIT_FACTOR + visitors.sum(axis=1).mean() / 2
    hints["ods.memberaccess"] = {
        "accessid": visit * 10,
        "visitid": visit,
        "memberid": members,
        "facilityid": (w.clubs.size + 1) / 2,
        "accesstype": _mean_len(ACCESS_TYPES),
        "method": _mean_len([m[0] for m in ACCESS_METHODS], weights=[m[1] for m in ACCESS_METHODS]),
        "instanceid": Maybe(instance, attended / max(float(visitors.sum()), 1e-9)),
    }
    catalog = scenario.catalog()
    return {
        table: record_bytes(
            catalog.avro(catalog.get(table)), {"eventid": scenario.events.id_length(table), **table_hints}
        )
        for table, table_hints in hints.items()
    }


def _membership_hints(scenario: FitnessScenario, opening: I64, closing: I64) -> dict[str, Hint]:
    e = scenario.world.members.enrollments
    if opening.size + closing.size == 0:  # a quiet range: the typical enrollment of the whole history
        opening = closing = np.arange(e.member.size)
    rows = np.concatenate([opening, closing])
    status = np.concatenate([np.zeros(opening.size, dtype=np.int64), 1 + e.outcome[closing]])
    follows = e.number[rows] > 0
    return {
        "membershipid": _typical(e.ids[rows]),
        "memberid": _typical(e.member[rows] + 1),
        "membershiptypeid": _typical(e.plan[rows] + 1),
        "billing": _mean_len(BILLING, e.annual[rows]),
        "enddate": Maybe(_typical(e.end[rows]), 1.0),
        "status": _mean_len(STATUSES, status),
        "price": _typical(e.price_cents[rows]),
        "discountpct": _typical(e.discount_bp[rows]),
        "previousmembershipid": Maybe(_typical(e.ids[rows][follows] - 1), float(follows.mean())),
    }


def _payment_hints(scenario: FitnessScenario, first: I64, retry: I64) -> dict[str, Hint]:
    c, e = scenario.world.members.charges, scenario.world.members.enrollments
    if first.size + retry.size == 0:
        first, retry = np.arange(c.due.size), c.retried
    rows = np.concatenate([first, retry])
    attempt = np.repeat([1, 2], [first.size, retry.size])
    failed = np.where(attempt == 1, c.outcome[rows] != OK, c.outcome[rows] == SUSPENDS)
    membership = e.ids[c.enrollment[rows]]
    return {
        "paymentid": _typical(membership * PAYMENT_FACTOR + c.number[rows] * 2 + attempt - 1),
        "memberid": _typical(e.member[c.enrollment[rows]] + 1),
        "membershipid": _typical(membership),
        "paymenttype": _mean_len(KINDS, c.kind[rows]),
        "amount": _typical(c.amount_cents[rows]),
        "paymentmethod": _mean_len(PAYMENT_METHODS, c.method[rows]),
        "status": _mean_len(PAYMENT_STATUSES, failed),
        "attempt": 1,
        "failurereason": Maybe(_mean_len(FAILURE_REASONS, c.reason[rows][failed]), float(failed.mean())),
    }
