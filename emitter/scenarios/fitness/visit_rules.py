"""Fitness rules of the door log and class attendance: who may come, visits as pairs, hours, how often."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from emitter.core.clock import MICROS_PER_DAY, MICROS_PER_HOUR
from emitter.scenarios.fitness.calendar import HOLIDAYS
from emitter.scenarios.fitness.money_rules import Facts
from emitter.scenarios.fitness.rule_columns import (
    ACCESS,
    ENROLLMENTS,
    FACILITIES,
    I64,
    MEMBERS,
    MEMBERSHIPS,
    PAYMENTS,
    B,
    Tables,
    micros_of_day,
    not_before,
    pair,
)
from emitter.scenarios.rules import RuleResult, at_rows, counted, days, ints, is_, lookup, weekday

DAY_KEY = 1 << 20  # more days than since 1970: member * DAY_KEY + day orders by member, then day
# the fewest days a charge of each billing pays for: the shortest month, a year
SHORTEST = {"Monthly": 28, "Annual": 365}
# "most visit 2–4 times a week with a long tail", over weeks members are active all seven days: the band is
# the settings' visits a week ± 1 (2–4 by default), the tail above it; defaults give a median of 3 and over
# half the weeks in the band, while a flat 0–7 spread leaves 3/8 of them there
MIN_MEMBERS, TYPICAL_SHARE, TAIL_SHARE, MOST_A_WEEK = 1_000, 0.45, 0.01, 7


def visit_bands(per_week: float) -> tuple[tuple[int, int], int]:
    """The typical band of visits a week for the ``visits.per_week`` setting, and the count the tail is above."""
    centre = round(per_week)
    return (max(centre - 1, 0), centre + 1), centre + 2


def active_visitors(t: Tables, f: Facts) -> list[RuleResult]:
    """Bookings and visits only by members an enrollment covers that day (not on the day a spell begins)."""
    out = []
    for name, time, what in ((ENROLLMENTS, "classstart", "bookings"), (ACCESS, "accesstime", "access rows")):
        if name not in t:
            continue
        judged, covered = cover(t, f, ints(t[name], "memberid"), ints(t[name], time))
        inactive = judged & ~covered
        out.append(counted(f"{name}: only members active that day", int(inactive.sum()), what, int(judged.sum())))
    return out


def bookings_by_members(t: Tables, f: Facts) -> list[RuleResult]:
    """A class is booked on or after the member's joindate, while one of their enrollments covers the moment."""
    if ENROLLMENTS not in t:
        return []
    e = t[ENROLLMENTS]
    member, at = ints(e, "memberid"), ints(e, "bookedat")
    out = []
    if MEMBERS in t:
        m = t[MEMBERS]
        out.append(
            not_before(
                f"{ENROLLMENTS}: bookedat on or after the member's joindate",
                at // MICROS_PER_DAY,
                member,
                ints(m, "memberid"),
                ints(m, "joindate"),
                "bookings",
            )
        )
    if MEMBERSHIPS in t or PAYMENTS in t:
        judged, covered = cover(t, f, member, at, sign_up_time=True)
        out.append(
            counted(
                f"{ENROLLMENTS}: booked while the member holds a membership",
                int((judged & ~covered).sum()),
                "bookings",
                int(judged.sum()),
            )
        )
    return out


def cover(t: Tables, f: Facts, member: I64, at: I64, sign_up_time: bool = False) -> tuple[B, B]:
    """Which (member, moment) rows can be judged, and whether an enrollment of the member covers the moment.

    On the day a spell begins the member is signing up: not covered at all, or with ``sign_up_time`` from the
    time its Active row is stamped. Evidence, strongest first:

    - A member's enrollments at hand show all their cover over the window: enrollments do not overlap, so
      one that began earlier and ran past the window would leave no room for rows of another. Outside the
      window they show cover where one of them reaches.
    - A member without enrollment rows at hand had no enrollment start or end in the window, so their cover
      is the same every day of it: a payment at hand shows it is there.
    - Without the enrollments, a completed first charge shows cover from the day after it was due (its day
      may be a sign-up) for at least the shortest month, or year when annual.
    - Before joining nobody is covered; a member who joins in or after the window has no earlier cover.
    """
    day = at // MICROS_PER_DAY
    judged, covered = np.zeros(member.size, bool), np.zeros(member.size, bool)
    span = f.window
    first, last = span if span else (0, -1)
    in_window = (day >= first) & (day <= last)
    joined = np.full(member.size, -1, np.int64)
    if MEMBERS in t:
        m = t[MEMBERS]
        row = lookup(member, ints(m, "memberid"))
        joined = at_rows(ints(m, "joindate"), row, -1)
    e = f.enrollments
    if e is not None:
        with_rows = np.isin(member, e.memberid)
        keys = e.memberid * DAY_KEY + e.start
        order = np.argsort(keys, kind="stable")
        found = np.searchsorted(keys[order], member * DAY_KEY + day, side="right") - 1
        o = at_rows(order, found, -1)  # the member's latest enrollment by then, -1 before any
        inside = (o >= 0) & (at_rows(e.memberid, o, -1) == member) & (day <= at_rows(e.end, o, -1))
        signing_up = inside & (day == at_rows(e.start, o, -1)) & ~at_rows(e.renewal, o, False)
        if sign_up_time:
            signing_up &= at < _opened_at(t[MEMBERSHIPS], at_rows(e.membershipid, o, -1))
        inside &= ~signing_up
        judged |= with_rows & (in_window | inside)
        covered |= with_rows & inside
        # joining in the window brings rows: without them, a member who joins later has no cover yet
        judged |= ~with_rows & in_window & (joined >= first)
        if PAYMENTS in t:
            steady = ~with_rows & in_window & (joined < first) & np.isin(member, ints(t[PAYMENTS], "memberid"))
            judged |= steady
            covered |= steady
    elif PAYMENTS in t:
        paid = _paid_cover(t[PAYMENTS], member, day)
        judged |= paid
        covered |= paid
    before = day < joined
    return judged | before, covered & ~before


def _opened_at(m: pa.Table, membership: I64) -> I64:
    """The time each enrollment's Active row is stamped (after any time when its row is not at hand)."""
    active = is_(m, "status", "Active")
    row = lookup(membership, ints(m, "membershipid")[active])
    # a sentinel after the Active rows, for enrollments without one
    opened: I64 = np.r_[ints(m, "changedat")[active], np.iinfo(np.int64).max][row]
    return opened


def _paid_cover(p: pa.Table, member: I64, day: I64) -> B:
    """Rows on a day a completed first charge of the member covers: (due, due + SHORTEST[billing]).

    A charge that fails twice suspends its enrollment a few days on; so may a failed charge due beside it
    (a registration fee), so the member's charges of a day with a failure show nothing.
    """
    due, who = days(p, "paymentdate"), ints(p, "memberid")
    first_try = ints(p, "attempt") == 1
    failing = first_try & is_(p, "status", "Failed")
    failed_days = np.unique(who[failing] * DAY_KEY + due[failing])
    charge = first_try & is_(p, "status", "Completed") & is_(p, "paymenttype", *SHORTEST)
    charge &= ~np.isin(who * DAY_KEY + due, failed_days)
    length = np.where(is_(p, "paymenttype", "Annual"), SHORTEST["Annual"], SHORTEST["Monthly"])[charge]
    keys = who[charge] * DAY_KEY + due[charge]
    order = np.argsort(keys, kind="stable")
    # the interval reaching furthest among those due before the row: as keys lead with the member, one of
    # an earlier member never reaches the row
    reach = np.r_[-1, np.maximum.accumulate((keys + length)[order])]
    before = np.searchsorted(keys[order], member * DAY_KEY + day, side="left")
    paid: B = member * DAY_KEY + day < reach[before]
    return paid


def attended_visits(t: Tables) -> list[RuleResult]:
    """Who attended a class came through the door for it, before it started."""
    if ENROLLMENTS not in t or ACCESS not in t:
        return []
    e, a = t[ENROLLMENTS], t[ACCESS]
    attended = is_(e, "status", "Attended") & np.isin(days(e, "classstart"), days(a, "accesstime"))
    check_in = is_(a, "accesstype", "CheckIn") & (ints(a, "instanceid") >= 0)
    # one check-in per member and class: key by (class, member)
    _, classes = np.unique(np.r_[ints(a, "instanceid")[check_in], ints(e, "instanceid")], return_inverse=True)
    door, booked = classes[: int(check_in.sum())], classes[int(check_in.sum()) :]
    row = lookup(pair(booked, ints(e, "memberid")), pair(door, ints(a, "memberid")[check_in]))
    # a stream cut early may hold bookings and no check-in yet
    came = (row >= 0) & (at_rows(ints(a, "facilityid")[check_in], row, -1) == ints(e, "facilityid"))
    came &= at_rows(ints(a, "accesstime")[check_in], row, -1) < ints(e, "classstart")
    return [
        counted(
            f"{ENROLLMENTS}: each Attended booking has the member's check-in for it before the start",
            int((attended & ~came).sum()),
            "attended bookings",
            int(attended.sum()),
        )
    ]


def visits(t: Tables) -> list[RuleResult]:
    """A visit is a check-in and a later check-out of one member at one club, in opening hours, once a day."""
    if ACCESS not in t:
        return []
    a = t[ACCESS]
    n = a.num_rows
    _, group = np.unique(ints(a, "visitid"), return_inverse=True)
    groups = int(group.max()) + 1 if n else 0
    check_in, check_out = is_(a, "accesstype", "CheckIn"), is_(a, "accesstype", "CheckOut")
    ins, outs = np.bincount(group[check_in], minlength=groups), np.bincount(group[check_out], minlength=groups)
    member, facility, time = ints(a, "memberid"), ints(a, "facilityid"), ints(a, "accesstime")
    who = pair(member, facility)
    one_who = np.zeros(groups, np.int64)
    one_who[group] = who  # some row's (member, club) per visit: every row must match it
    mixed = np.bincount(group[who != one_who[group]], minlength=groups) > 0
    t_in, t_out = np.zeros(groups, np.int64), np.zeros(groups, np.int64)
    t_in[group[check_in]], t_out[group[check_out]] = time[check_in], time[check_out]
    paired = (ins == 1) & (outs == 1)
    bad_pairs = ~paired | mixed | (paired & (t_out <= t_in))
    day = days(a, "accesstime")
    per_day = np.unique(member[check_in] * DAY_KEY + day[check_in], return_counts=True)[1]
    out = [
        counted(
            f"{ACCESS}: each visit is one CheckIn and one later CheckOut, same member and club",
            int(bad_pairs.sum()),
            "visits",
            groups,
        ),
        counted(
            f"{ACCESS}: at most one visit per member per day",
            int((per_day > 1).sum()),
            "member-days",
            int(per_day.size),
        ),
    ]
    if FACILITIES in t:
        out.append(_opening_hours(a, t[FACILITIES], facility, day))
    return out


def _opening_hours(a: pa.Table, f: pa.Table, facility: I64, day: I64) -> RuleResult:
    row = lookup(facility, ints(f, "facilityid"))
    weekend = weekday(day) >= 5

    def hour(name: str) -> I64:
        return at_rows(ints(f, name), row, 0) * MICROS_PER_HOUR

    opens = np.where(weekend, hour("weekendopen"), hour("weekdayopen"))
    closes = np.where(weekend, hour("weekendclose"), hour("weekdayclose"))
    always = at_rows(np.asarray(f.column("is24hours").to_numpy(zero_copy_only=False), bool), row, False)
    clock = micros_of_day(a, "accesstime")
    judged = (row >= 0) & ~always
    closed = judged & ((clock < opens) | (clock > closes))
    return counted(
        f"{ACCESS}: visits inside the club's opening hours",
        int(closed.sum()),
        "rows at clubs with hours",
        int(judged.sum()),
    )


def visit_frequency(t: Tables, f: Facts) -> list[RuleResult]:
    """Most members visit two to four times a week, a few far more: judged over the window's full weeks,
    except weeks with a holiday in them (the holiday lull is meant to be quiet)."""
    if ACCESS not in t:
        return []
    (low, high), tail_above = visit_bands(f.settings.visits.per_week)
    # nobody comes more than once a day: with a band reaching six, there is no room for a tail to judge
    judge_tail = tail_above < MOST_A_WEEK
    rule = f"{ACCESS}: visits per member-week: median in {low}–{high}, ≥ {TYPICAL_SHARE:.0%} in that band" + (
        f", ≥ {TAIL_SHARE:.0%} above {tail_above}" if judge_tail else ""
    )
    span = f.window
    first, last = span if span else (0, -1)
    monday = first + (7 - (first + 3) % 7) % 7  # the first Monday on or after the first day
    weeks = (last + 1 - monday) // 7
    if weeks < 1:
        return [RuleResult(rule, True, f"too few days to judge ({last - first + 1})")]
    a = t[ACCESS]
    day = days(a, "accesstime")
    inside = is_(a, "accesstype", "CheckIn") & (day >= monday) & (day < monday + 7 * weeks)
    member = ints(a, "memberid")[inside]
    week = (day[inside] - monday) // 7
    active = _active_weeks(f, member, monday, weeks)
    active = active[~_holiday_weeks(monday, weeks)[active % weeks]]
    visits_in = lookup(member * weeks + week, active)
    counts = np.bincount(visits_in[visits_in >= 0], minlength=active.size)
    members_judged = np.unique(active // weeks).size
    if members_judged < MIN_MEMBERS:
        return [RuleResult(rule, True, f"too few active members to judge ({members_judged:,})")]
    median = float(np.median(counts))
    typical = float(((counts >= low) & (counts <= high)).mean())
    tail = float((counts > tail_above).mean())
    ok = low <= median <= high and typical >= TYPICAL_SHARE and (tail >= TAIL_SHARE or not judge_tail)
    detail = (
        f"median {median:g}, {typical:.1%} in the band, {tail:.1%} above {tail_above}, "
        f"of {active.size:,} weeks of {members_judged:,} members active all week"
    )
    return [RuleResult(rule, ok, detail)]


def _holiday_weeks(monday: int, weeks: int) -> B:
    """Per full week from ``monday`` (days since 1970), whether one of its days is a holiday."""
    every_day = (np.datetime64("1970-01-01") + np.arange(monday, monday + 7 * weeks)).astype(object)
    holiday = np.array([(d.month, d.day) in HOLIDAYS for d in every_day], dtype=bool)
    return np.asarray(holiday.reshape(weeks, 7).any(axis=1), dtype=bool)


def _active_weeks(f: Facts, visitor: I64, monday: int, weeks: int) -> I64:
    """Keys member × weeks + week of the full weeks (from ``monday``) each member is active every day.

    Members with enrollments at hand: the weeks those cover entirely. Members without: one enrollment that
    began earlier covers the whole window if it covers any day, so those who visit are active every week.
    """
    e = f.enrollments
    known = e.memberid if e is not None else np.zeros(0, np.int64)
    unknown = np.setdiff1d(visitor, known)
    keys = [(unknown[:, None] * weeks + np.arange(weeks)).ravel()]
    if e is not None and e.memberid.size:
        start = np.clip(e.start - monday, 0, 7 * weeks)
        end = np.clip(e.end - monday + 1, 0, 7 * weeks)  # exclusive
        spanned = np.maximum((end + 6) // 7 - start // 7, 0)
        which = np.repeat(np.arange(e.memberid.size), spanned)
        week = np.repeat(start // 7, spanned) + np.arange(which.size) - np.repeat(np.cumsum(spanned) - spanned, spanned)
        covered = np.minimum(end[which], 7 * week + 7) - np.maximum(start[which], 7 * week)
        member_week = e.memberid[which] * weeks + week
        # a week can be covered by two enrollments, one renewed into the next
        uniq, inverse = np.unique(member_week, return_inverse=True)
        keys.append(uniq[np.bincount(inverse, weights=covered, minlength=uniq.size) >= 7])
    return np.unique(np.concatenate(keys))
