"""One day at the clubs: which active members come, where and when, and who takes, misses or waits for a class.

A member comes at most once a day. Class-goers are drawn from the day's visitors at the club, so every
attendance is a visit at the class's time; no-shows and the waitlist come from active members of the club
who stay away that day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt

from emitter.core.arrivals import cdf_pick, shares_cdf
from emitter.core.clock import MICROS_PER_DAY, MICROS_PER_MINUTE, MICROS_PER_SLOT, SLOTS_PER_DAY
from emitter.core.rng import BlockKeys
from emitter.scenarios.fitness.calendar import WEEKDAY_HOURS, WEEKEND_HOURS, hours_of, visit_factor
from emitter.scenarios.fitness.clubs import Clubs, epoch_days
from emitter.scenarios.fitness.settings import FitnessSettings
from emitter.scenarios.fitness.vocabulary import ACCESS_METHODS
from emitter.scenarios.fitness.world import FitnessWorld

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
ATTENDED, NO_SHOW, WAITLISTED = 0, 1, 2
MAX_DAILY_CHANCE = 0.95
STAY_MEDIAN_MIN, STAY_SIGMA = 62.0, 0.35
STAY_RANGE_MIN = (15, 180)  # a visit's length is clipped to this
CLASS_ARRIVE_MIN = (5, 15)  # a class-goer checks in this many minutes before the start (inclusive)
CLASS_LEAVE_MIN = (5, 30)  # and out this many after the end
LAST_ENTRY_MIN = 30  # nobody checks in later than this before closing
SLOTS_PER_HOUR = SLOTS_PER_DAY // 24
MIN_WAITLIST = 5  # places on a full class's waitlist: half its capacity, at least this


@dataclass(frozen=True)
class Classes:
    """The day's class sessions (one per timetable slot of its weekday) and their bookings."""

    schedule: I64  # index into the timetable
    start_us: I64
    end_us: I64
    booked: I64
    attended: I64
    no_show: I64
    waitlisted: I64
    booking_session: I64  # per booking: index into the sessions above
    booking_member: I64
    booking_status: I64
    booked_at_us: I64


@dataclass(frozen=True)
class Visits:
    """The day's visits; ``session`` is the class a visit is for (index into Classes), or -1."""

    member: I64
    facility: I64
    check_in_us: I64
    check_out_us: I64
    session: I64
    method: I64
    classes: Classes


def open_slot_cdfs(clubs: Clubs, weekend: bool) -> F64:
    """Per club, the cumulative share of check-ins by slot: the day's curve inside opening hours."""
    curve = WEEKEND_HOURS if weekend else WEEKDAY_HOURS
    slot = np.arange(SLOTS_PER_DAY)
    opens = clubs.opens[:, int(weekend), None] * SLOTS_PER_HOUR
    last = clubs.closes[:, int(weekend), None] * SLOTS_PER_HOUR - LAST_ENTRY_MIN // 15
    weight = curve[None, :] * ((slot >= opens) & (slot < last))
    cdf = np.cumsum(weight, axis=1) / weight.sum(axis=1, keepdims=True)
    cdf[:, -1] = 1.0
    return np.asarray(cdf, dtype=np.float64)


def _check_in_times(rng: np.random.Generator, clubs: Clubs, facility: I64, weekend: bool, midnight: int) -> I64:
    """Check-ins by each club's curve: all clubs' cdfs in one ascending array (club c's shifted by c)."""
    stacked = (open_slot_cdfs(clubs, weekend) + np.arange(clubs.size)[:, None]).ravel()
    cell = np.searchsorted(stacked, facility + rng.random(facility.size) * (1 - 1e-12), side="right")
    slot = np.minimum(cell - facility * SLOTS_PER_DAY, SLOTS_PER_DAY - 1)
    out: I64 = midnight + slot * MICROS_PER_SLOT + (rng.random(facility.size) * MICROS_PER_SLOT).astype(np.int64)
    return out


def draw_visits(world: FitnessWorld, keys: BlockKeys, settings: FitnessSettings, day: date) -> Visits:
    rng = keys.rng("visits", day)
    clubs, members = world.clubs, world.members
    v = settings.visits
    weekend = day.weekday() >= 5
    midnight = epoch_days(day) * MICROS_PER_DAY
    active, covering = members.enrollments.covering(epoch_days(day))
    chance = np.minimum(members.weekly_visits[active] / 7.0 * visit_factor(day), MAX_DAILY_CHANCE)
    member = active[rng.random(active.size) < chance]
    away = rng.random(member.size) >= v.home_share
    facility = np.where(away, members.nearby[member], members.home[member])
    check_in = _check_in_times(rng, clubs, facility, weekend, midnight)
    stay = np.clip(rng.lognormal(np.log(STAY_MEDIAN_MIN), STAY_SIGMA, member.size), *STAY_RANGE_MIN) * MICROS_PER_MINUTE
    closes = midnight + np.minimum(clubs.closes[facility, int(weekend)] * 60 * MICROS_PER_MINUTE, MICROS_PER_DAY) - 1
    check_out = np.minimum(check_in + stay.astype(np.int64), closes)
    stay_home = np.setdiff1d(active, member, assume_unique=True)
    signed_up = members.enrollments.signed_up_us[covering]
    classes, session = _classes(rng, world, settings, day, member, facility, stay_home, (active, signed_up))
    taken = session >= 0
    start = classes.start_us[session[taken]]
    arrive, leave = CLASS_ARRIVE_MIN, CLASS_LEAVE_MIN
    check_in[taken] = start - rng.integers(arrive[0], arrive[1] + 1, int(taken.sum())) * MICROS_PER_MINUTE
    check_out[taken] = (
        classes.end_us[session[taken]] + rng.integers(leave[0], leave[1] + 1, int(taken.sum())) * MICROS_PER_MINUTE
    )
    method = cdf_pick(rng, shares_cdf([m[1] for m in ACCESS_METHODS]), member.size)
    return Visits(member, facility, check_in, check_out, session, method, classes)


def _chunks(rng: np.random.Generator, pool: I64, group: I64, n_groups: int, wanted: I64, owner: I64) -> tuple[I64, I64]:
    """Hand out ``pool`` rows (grouped by ``group``) to requests: ``wanted[i]`` rows of group ``owner[i]`` each.

    Requests of one group take consecutive rows of a shuffle of that group's pool until it runs out.
    Returns (granted per request, the pool rows given, in request order).
    """
    order = np.argsort(group + rng.random(pool.size))  # by group, shuffled within: one float key sorts faster
    by_group = pool[order]
    have = np.bincount(group, minlength=n_groups)
    first_row = np.cumsum(have) - have
    # requests in group order keep their own order within a group
    req = np.lexsort((np.arange(owner.size), owner))
    totals = np.bincount(owner, weights=wanted, minlength=n_groups).astype(np.int64)
    group_before = np.cumsum(wanted[req]) - wanted[req] - (np.cumsum(totals) - totals)[owner[req]]
    granted_sorted = np.clip(have[owner[req]] - group_before, 0, wanted[req])
    granted = np.empty_like(wanted)
    granted[req] = granted_sorted
    start = np.empty_like(wanted)
    start[req] = first_row[owner[req]] + np.minimum(group_before, have[owner[req]])
    rows = np.repeat(start, granted) + (np.arange(granted.sum()) - np.repeat(np.cumsum(granted) - granted, granted))
    return granted, by_group[rows]


def _classes(
    rng: np.random.Generator,
    world: FitnessWorld,
    settings: FitnessSettings,
    day: date,
    visitor: I64,
    facility: I64,
    stay_home: I64,
    signed_up: tuple[I64, I64],
) -> tuple[Classes, I64]:
    """Sessions of the day's timetable, bookings drawn from the club's demand, and each visit's class (or -1).

    ``signed_up`` is (active members ascending, when each last signed up): nobody books before that.
    """
    tt = world.timetable
    n_clubs = world.clubs.size
    # the timetable runs from the first join on: before it, nobody could book a class
    schedule = np.flatnonzero(tt.weekday == day.weekday()) if day >= settings.volume.members_from else np.zeros(0, int)
    club = tt.facility[schedule]
    midnight = epoch_days(day) * MICROS_PER_DAY
    start = midnight + tt.start_min[schedule] * MICROS_PER_MINUTE
    end = start + tt.duration_min[schedule] * MICROS_PER_MINUTE
    # demand: a share of the club's visitors want a class; popular classes at busy hours draw most of them
    hours = hours_of(day)[tt.start_min[schedule] // 15]
    weight = tt.popularity[schedule] ** 2 * hours  # a popular class draws a crowd, an unpopular one a few
    club_weight = np.bincount(club, weights=weight, minlength=n_clubs)
    visitors_at = np.bincount(facility, minlength=n_clubs)
    want = rng.poisson(settings.visits.class_share * visitors_at[club] * weight / np.maximum(club_weight[club], 1e-9))
    capacity = tt.capacity[schedule]
    booked = np.minimum(want, capacity)
    waitlisted = np.minimum(want - booked, np.maximum(capacity // 2, MIN_WAITLIST))  # the app closes the list
    no_show = rng.binomial(booked, settings.visits.no_show)
    attended, goers = _chunks(rng, np.arange(visitor.size), facility, n_clubs, booked - no_show, club)
    home_of = world.members.home[stay_home]
    absent = np.concatenate([no_show, waitlisted])
    granted_absent, absentees = _chunks(rng, stay_home, home_of, n_clubs, absent, np.concatenate([club, club]))
    no_show, waitlisted = granted_absent[: schedule.size], granted_absent[schedule.size :]
    booked = attended + no_show
    k = schedule.size
    idx = np.arange(k)
    session_of = np.concatenate([np.repeat(idx, attended), np.repeat(idx, no_show), np.repeat(idx, waitlisted)])
    status = np.repeat([0, 1, 2], [int(attended.sum()), int(no_show.sum()), int(waitlisted.sum())])
    member = np.concatenate([visitor[goers], absentees])
    lead = np.where(
        status == WAITLISTED,
        rng.integers(10, 24 * 60, status.size),
        rng.integers(30, 48 * 60, status.size),
    )
    booked_at = start[session_of] - lead * MICROS_PER_MINUTE - rng.integers(0, 60, status.size) * 1_000_000
    active, since = signed_up
    booked_at = np.maximum(booked_at, since[np.searchsorted(active, member)] + MICROS_PER_MINUTE)
    session = np.full(visitor.size, -1, dtype=np.int64)
    session[goers] = np.repeat(idx, attended)
    classes = Classes(
        schedule, start, end, booked, attended, no_show, waitlisted, session_of, member, status, booked_at
    )
    return classes, session
