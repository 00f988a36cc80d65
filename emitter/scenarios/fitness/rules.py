"""Business rules of the fitness domain as executable checks over generated tables.

``emitter validate`` runs these on backfill output and the tests run them on fresh batches. Each check sees
whole tables (reference tables plus any number of consecutive days) and skips what needs a table that is
absent. Rows that refer to something outside the tables at hand (a payment whose enrollment began before the
first day) are skipped, never counted as breaches. Declared foreign keys are checked elsewhere.
Here: classes and members; ``money_rules.py``: enrollments and payments; ``plan_rules.py``: what a plan and a
payment method allow; ``visit_rules.py``: the door log. Rules that judge a share or a gap against a setting
take the run's settings, so ``emitter validate`` judges output by the settings its manifest records.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from emitter.core.clock import MINUTES_PER_DAY, whole_years
from emitter.scenarios.fitness.money_rules import (
    Facts,
    histories,
    payment_amounts,
    payment_shares,
    payment_windows,
    retries,
)
from emitter.scenarios.fitness.plan_rules import autorenewal, charge_amounts, enrollment_ages, failures_by_method
from emitter.scenarios.fitness.rule_columns import (
    AREAS,
    CERTIFICATIONS,
    CLASS_TYPES,
    ENROLLMENTS,
    I64,
    INSTANCES,
    MEMBERS,
    MEMBERSHIPS,
    PLANS,
    SCHEDULES,
    STAFF,
    Tables,
    misfit_plans,
    not_before,
    pair,
)
from emitter.scenarios.fitness.settings import FitnessSettings
from emitter.scenarios.fitness.visit_rules import (
    active_visitors,
    attended_visits,
    bookings_by_members,
    visit_frequency,
    visits,
)
from emitter.scenarios.rules import RuleResult, at_rows, codes, counted, ints, is_, lookup

MEMBER_STATUSES = ("Active", "Suspended", "Inactive")
ENROLLMENT_STATUS_COUNTS = (
    ("Attended", "actualparticipants"),
    ("NoShow", "noshowcount"),
    ("Waitlisted", "waitlistcount"),
)


def teaching(t: Tables) -> list[RuleResult]:
    """Instructors teach what they are certified for at their own club; rooms are the club's, of the right kind."""
    out = []
    for name in (SCHEDULES, INSTANCES):
        if name not in t:
            continue
        c = t[name]
        what = "timetable slots" if name == SCHEDULES else "class instances"
        instructor, class_type, facility = ints(c, "instructorid"), ints(c, "classtypeid"), ints(c, "facilityid")
        if CERTIFICATIONS in t:
            s = t[CERTIFICATIONS]
            certified = np.isin(pair(instructor, class_type), pair(ints(s, "staffid"), ints(s, "classtypeid")))
            out.append(
                counted(f"{name}: the instructor is certified for the class", int((~certified).sum()), what, c.num_rows)
            )
        if STAFF in t:
            s = t[STAFF]
            row = lookup(instructor, ints(s, "staffid"))
            known = row >= 0
            away = known & (at_rows(ints(s, "facilityid"), row, -1) != facility)
            out.append(
                counted(f"{name}: the instructor works at the class's club", int(away.sum()), what, int(known.sum()))
            )
    if SCHEDULES in t and AREAS in t and CLASS_TYPES in t:
        out.append(_rooms(t[SCHEDULES], t[AREAS], t[CLASS_TYPES]))
    if SCHEDULES in t and INSTANCES in t:
        out.append(_instances_follow_schedule(t[SCHEDULES], t[INSTANCES]))
    return out


def _rooms(c: pa.Table, areas: pa.Table, class_types: pa.Table) -> RuleResult:
    room = lookup(ints(c, "areaid"), ints(areas, "areaid"))
    kind = lookup(ints(c, "classtypeid"), ints(class_types, "classtypeid"))
    known = (room >= 0) & (kind >= 0)
    area_type, needed = codes(areas.column("areatype"), class_types.column("areatype"))
    elsewhere = at_rows(ints(areas, "facilityid"), room, -1) != ints(c, "facilityid")
    wrong = known & (elsewhere | (at_rows(area_type, room, -1) != at_rows(needed, kind, -1)))
    return counted(
        f"{SCHEDULES}: the room is at the slot's club and of the class type's area type",
        int(wrong.sum()),
        "timetable slots",
        int(known.sum()),
    )


def _instances_follow_schedule(c: pa.Table, i: pa.Table) -> RuleResult:
    row = lookup(ints(i, "scheduleid"), ints(c, "scheduleid"))
    known = row >= 0
    differ = np.zeros(i.num_rows, bool)
    for col in ("facilityid", "classtypeid", "instructorid", "capacity"):
        differ |= ints(i, col) != at_rows(ints(c, col), row, -1)
    return counted(
        f"{INSTANCES}: club, class type, instructor and capacity are the timetable slot's",
        int((known & differ).sum()),
        "class instances",
        int(known.sum()),
    )


def double_bookings(t: Tables) -> list[RuleResult]:
    """No room and no instructor holds two classes at once, in the weekly timetable or on a day."""
    out = []
    if SCHEDULES in t:
        c = t[SCHEDULES]
        minute = np.array([int(h) * 60 + int(m) for h, m in (v.split(":") for v in c.column("starttime").to_pylist())])
        start = (ints(c, "dayofweek") - 1) * MINUTES_PER_DAY + minute
        end = start + ints(c, "durationminutes")
        for what, who in (("room", ints(c, "areaid")), ("instructor", ints(c, "instructorid"))):
            out.append(
                counted(
                    f"{SCHEDULES}: no {what} holds two slots of a weekday at once",
                    _overlapping(who, start, end),
                    "timetable slots",
                    c.num_rows,
                )
            )
    if INSTANCES in t:
        i = t[INSTANCES]
        start, end = ints(i, "starttime"), ints(i, "endtime")
        out.append(
            counted(
                f"{INSTANCES}: no instructor teaches two classes at once",
                _overlapping(ints(i, "instructorid"), start, end),
                "class instances",
                i.num_rows,
            )
        )
        if SCHEDULES in t:
            c = t[SCHEDULES]
            row = lookup(ints(i, "scheduleid"), ints(c, "scheduleid"))
            known = row >= 0
            area = ints(c, "areaid")[row[known]]
            out.append(
                counted(
                    f"{INSTANCES}: no room holds two classes at once",
                    _overlapping(area, start[known], end[known]),
                    "class instances",
                    int(known.sum()),
                )
            )
    return out


def _overlapping(who: I64, start: I64, end: I64) -> int:
    """How many intervals [start, end) begin before the previous one (by start) of the same ``who`` ends.

    Zero exactly when no two intervals of one owner overlap: if one begins before an earlier one ends, so
    does the interval right after that earlier one, so neighbours by start suffice.
    """
    order = np.lexsort((start, who))
    w, s, e = who[order], start[order], end[order]
    return int(((w[1:] == w[:-1]) & (s[1:] < e[:-1])).sum())


def taught_when_qualified(t: Tables) -> list[RuleResult]:
    """An instructor was hired, and certified for the class type, on or before each class they teach."""
    if INSTANCES not in t:
        return []
    i = t[INSTANCES]
    instructor, class_date = ints(i, "instructorid"), ints(i, "classdate")
    out = []
    if STAFF in t:
        s = t[STAFF]
        out.append(
            not_before(
                f"{INSTANCES}: the instructor was hired by the class date",
                class_date,
                instructor,
                ints(s, "staffid"),
                ints(s, "hiredate"),
                "class instances",
            )
        )
    if CERTIFICATIONS in t:
        s = t[CERTIFICATIONS]
        out.append(
            not_before(
                f"{INSTANCES}: the instructor was certified for the class type by the class date",
                class_date,
                pair(instructor, ints(i, "classtypeid")),
                pair(ints(s, "staffid"), ints(s, "classtypeid")),
                ints(s, "certifieddate"),
                "class instances",
            )
        )
    return out


def class_counts(t: Tables) -> list[RuleResult]:
    """Bookings fit the room, and an instance's counts are its enrollments by status."""
    if INSTANCES not in t:
        return []
    i = t[INSTANCES]
    n = i.num_rows
    booked, attended, no_show = (ints(i, c) for c in ("bookedcount", "actualparticipants", "noshowcount"))
    out = [
        counted(f"{INSTANCES}: participants ≤ capacity", int((booked > ints(i, "capacity")).sum()), "instances", n),
        counted(
            f"{INSTANCES}: bookedcount = actualparticipants + noshowcount",
            int((booked != attended + no_show).sum()),
            "instances",
            n,
        ),
    ]
    if ENROLLMENTS not in t:
        return out
    e = t[ENROLLMENTS]
    row = lookup(ints(e, "instanceid"), ints(i, "instanceid"))
    # every instance is judged: the enrollments span the same days, so a day without bookings is a day
    # whose instances count none
    wrong = np.zeros(n, bool)
    for status, column in ENROLLMENT_STATUS_COUNTS:
        mine = (row >= 0) & is_(e, "status", status)
        wrong |= np.bincount(row[mine], minlength=n) != ints(i, column)
    out.append(
        counted(
            f"{INSTANCES}: attended, no-show and waitlist counts = its enrollments by status",
            int(wrong.sum()),
            "instances",
            n,
        )
    )
    return out


def members(t: Tables) -> list[RuleResult]:
    """Plans with an age band fit the member's age at joining; the status is one of the three."""
    if MEMBERS not in t:
        return []
    m = t[MEMBERS]
    n = m.num_rows
    unknown = n - int(pc.sum(pc.is_in(m.column("memberstatus"), value_set=pa.array(MEMBER_STATUSES))).as_py() or 0)
    out = [counted(f"{MEMBERS}: memberstatus is Active, Suspended or Inactive", unknown, "members", n)]
    if PLANS in t:
        age = whole_years(ints(m, "dateofbirth"), ints(m, "joindate"))
        known, misfit = misfit_plans(t[PLANS], ints(m, "membershiptypeid"), age)
        out.append(
            counted(f"{MEMBERS}: the plan fits the age at joindate", int(misfit.sum()), "members", int(known.sum()))
        )
    if MEMBERSHIPS in t:
        e = t[MEMBERSHIPS]
        first = is_(e, "status", "Active") & (ints(e, "membershipid") % 100 == 0)
        row = lookup(ints(e, "memberid")[first], ints(m, "memberid"))
        known = row >= 0
        differ = (at_rows(ints(m, "joindate"), row, -1) != ints(e, "startdate")[first]) | (
            at_rows(ints(m, "membershiptypeid"), row, -1) != ints(e, "membershiptypeid")[first]
        )
        out.append(
            counted(
                f"{MEMBERS}: joindate and plan are the first enrollment's",
                int((known & differ).sum()),
                "first enrollments",
                int(known.sum()),
            )
        )
    return out


# checks that need only the tables
CHECKS: Sequence[Callable[[Tables], list[RuleResult]]] = (
    teaching,
    double_bookings,
    taught_when_qualified,
    class_counts,
    attended_visits,
    members,
    histories,
    autorenewal,
    charge_amounts,
    failures_by_method,
    visits,
)
# checks that also need the run's settings or what several checks derive from the tables (``Facts``)
FACT_CHECKS: Sequence[Callable[[Tables, Facts], list[RuleResult]]] = (
    enrollment_ages,
    payment_windows,
    payment_amounts,
    retries,
    payment_shares,
    active_visitors,
    bookings_by_members,
    visit_frequency,
)


def check_all(tables: Tables, settings: FitnessSettings) -> list[RuleResult]:
    """Every fitness rule whose tables are present, judged by the settings the tables were generated with."""
    facts = Facts(tables, settings)
    return [
        *(found for check in CHECKS for found in check(tables)),
        *(found for check in FACT_CHECKS for found in check(tables, facts)),
    ]
