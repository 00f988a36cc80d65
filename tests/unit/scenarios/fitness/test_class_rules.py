"""Each rule of rules.py (instructors, rooms, double bookings, class counts, members) notices its own breach."""

from __future__ import annotations

import itertools
from datetime import date

import numpy as np
import pyarrow as pa
import pytest

from emitter.scenarios.fitness import rules

from .fitness_data import (
    DAY,
    ENROLLMENTS,
    INSTANCES,
    MEMBERS,
    MEMBERSHIPS,
    PLANS,
    SCHEDULES,
    SETTINGS,
    Tables,
    assert_only,
    day_of,
    drop,
    edit,
    first,
    ints,
    strings,
    where,
)

# ---- 1. instructors, clubs and rooms -------------------------------------------------------------------


def test_an_uncertified_instructor_breaks_certification(small_week: Tables) -> None:
    i = small_week[INSTANCES]
    instructor, class_type = ints(i, "instructorid")[0], ints(i, "classtypeid")[0]
    s = small_week["mdm.staffcertifications"]
    this = (ints(s, "staffid") == instructor) & (ints(s, "classtypeid") == class_type)
    assert this.any()
    assert_only(
        small_week,
        drop(small_week, "mdm.staffcertifications", this),
        "classschedules: the instructor is certified",
        "classinstances: the instructor is certified",
    )


def test_an_instructor_of_another_club_breaks_where_they_teach(small_week: Tables) -> None:
    instructor = ints(small_week[INSTANCES], "instructorid")[0]
    staff = small_week["mdm.staff"]
    row = np.flatnonzero(ints(staff, "staffid") == instructor)
    other = next(f for f in ints(small_week["mdm.facilities"], "facilityid") if f != ints(staff, "facilityid")[row[0]])
    assert_only(
        small_week,
        edit(small_week, "mdm.staff", "facilityid", row, int(other)),
        "the instructor works at the class's club",
    )


def test_a_room_of_the_wrong_kind_breaks_the_room_rule(small_week: Tables) -> None:
    c, areas = small_week[SCHEDULES], small_week["mdm.facilityareas"]
    area = ints(c, "areaid")[0]
    a_row = int(np.flatnonzero(ints(areas, "areaid") == area)[0])
    same_club = ints(areas, "facilityid") == ints(areas, "facilityid")[a_row]
    other_kind = same_club & (strings(areas, "areatype") != strings(areas, "areatype")[a_row])
    wrong = int(ints(areas, "areaid")[np.flatnonzero(other_kind)[0]])
    assert_only(small_week, edit(small_week, SCHEDULES, "areaid", [0], wrong), "classschedules: the room is at")


def test_an_instance_unlike_its_slot_breaks_following_the_timetable(small_week: Tables) -> None:
    assert_only(small_week, edit(small_week, INSTANCES, "capacity", [0], lambda v: v + 1), "are the timetable slot's")


# ---- 1. no room and no instructor is double-booked ----------------------------------------------------


def _minutes(hhmm: str) -> int:
    return int(hhmm[:2]) * 60 + int(hhmm[3:])


def _two_slots(c: pa.Table, same: str, differ: str) -> tuple[int, int]:
    """Two timetable slots of one weekday sharing ``same`` (a room or an instructor), ``differ`` apart."""
    key = ints(c, same) * 8 + ints(c, "dayofweek")
    for a, b in itertools.combinations(range(c.num_rows), 2):
        if key[a] == key[b] and ints(c, differ)[a] != ints(c, differ)[b]:
            return a, b
    raise AssertionError(f"no two slots of a weekday share {same}")


def _slot_at_the_same_time(tables: Tables, same: str, differ: str) -> Tables:
    c = tables[SCHEDULES]
    a, b = _two_slots(c, same, differ)
    return edit(tables, SCHEDULES, "starttime", [b], c.column("starttime")[a].as_py())


def _instance_at_the_same_time(tables: Tables, same: str, differ: str) -> Tables:
    """One of two classes of a day sharing ``same`` moved to the other's time (the timetable left as it is)."""
    i, c = tables[INSTANCES], tables[SCHEDULES]
    slot = np.flatnonzero(np.isin(ints(c, "scheduleid"), ints(i, "scheduleid")))
    a, b = (int(ints(c, "scheduleid")[slot[x]]) for x in _two_slots(c.take(slot), same, differ))
    day = day_of(i, "starttime")
    of_a, of_b = (np.flatnonzero(ints(i, "scheduleid") == s) for s in (a, b))
    on = np.intersect1d(day[of_a], day[of_b])[0]
    ra, rb = int(of_a[day[of_a] == on][0]), int(of_b[day[of_b] == on][0])
    moved = tables
    for column in ("starttime", "endtime"):
        moved = edit(moved, INSTANCES, column, [rb], i.column(column)[ra].as_py())
    return moved


def test_two_slots_in_one_room_at_once_break_the_room_rule(full_fortnight: Tables) -> None:
    assert_only(
        full_fortnight,
        _slot_at_the_same_time(full_fortnight, "areaid", "instructorid"),
        "classschedules: no room holds two slots",
    )


def test_an_instructor_in_two_slots_at_once_breaks_the_instructor_rule(full_fortnight: Tables) -> None:
    assert_only(
        full_fortnight,
        _slot_at_the_same_time(full_fortnight, "instructorid", "areaid"),
        "classschedules: no instructor holds two slots",
    )


def test_two_classes_in_one_room_at_once_break_the_room_rule(full_fortnight: Tables) -> None:
    assert_only(
        full_fortnight,
        _instance_at_the_same_time(full_fortnight, "areaid", "instructorid"),
        "classinstances: no room holds two classes",
    )


def test_an_instructor_in_two_classes_at_once_breaks_the_instructor_rule(full_fortnight: Tables) -> None:
    assert_only(
        full_fortnight,
        _instance_at_the_same_time(full_fortnight, "instructorid", "areaid"),
        "classinstances: no instructor teaches two classes",
    )


def test_a_class_running_into_the_next_in_its_room_breaks_the_room_rule(full_fortnight: Tables) -> None:
    """Overlap, not only the same start: a class that ends after the next one in its room begins."""
    c = full_fortnight[SCHEDULES]
    a, b = _two_slots(c, "areaid", "instructorid")
    start = [_minutes(c.column("starttime")[x].as_py()) for x in (a, b)]
    early = a if start[0] < start[1] else b
    assert start[0] != start[1]
    assert_only(
        full_fortnight,
        edit(full_fortnight, SCHEDULES, "durationminutes", [early], abs(start[1] - start[0]) + 1),
        "classschedules: no room holds two slots",
    )


# ---- 1. instructors hired and certified before they teach ---------------------------------------------


def test_an_instructor_hired_after_a_class_breaks_the_hire_rule(small_week: Tables) -> None:
    instructor, on = ints(small_week[INSTANCES], "instructorid")[0], small_week[INSTANCES].column("classdate")[0]
    staff = small_week["mdm.staff"]
    row = np.flatnonzero(ints(staff, "staffid") == instructor)
    assert_only(
        small_week,
        edit(small_week, "mdm.staff", "hiredate", row, on.as_py() + DAY),
        "the instructor was hired by the class date",
    )


def test_a_certificate_dated_after_a_class_breaks_the_certification_date_rule(small_week: Tables) -> None:
    i = small_week[INSTANCES]
    instructor, class_type, on = ints(i, "instructorid")[0], ints(i, "classtypeid")[0], i.column("classdate")[0]
    s = small_week["mdm.staffcertifications"]
    this = np.flatnonzero((ints(s, "staffid") == instructor) & (ints(s, "classtypeid") == class_type))
    assert_only(
        small_week,
        edit(small_week, "mdm.staffcertifications", "certifieddate", this, on.as_py() + DAY),
        "certified for the class type by the class date",
    )


@pytest.mark.parametrize(
    "rule",
    [
        "classschedules: no room holds two slots",
        "classschedules: no instructor holds two slots",
        "classinstances: no room holds two classes",
        "classinstances: no instructor teaches two classes",
        "the instructor was hired by the class date",
        "certified for the class type by the class date",
    ],
)
def test_the_timetable_and_staffing_rules_judge_generated_classes(full_fortnight: Tables, rule: str) -> None:
    (found,) = [r for r in rules.check_all(full_fortnight, SETTINGS) if rule in r.rule]
    assert found.ok and not found.detail.startswith("0 of 0"), found.detail


# ---- 6. class counts and attendance --------------------------------------------------------------------


def test_more_participants_than_capacity_breaks_capacity(small_week: Tables) -> None:
    i = small_week[INSTANCES]
    booked, schedule = ints(i, "bookedcount"), ints(i, "scheduleid")
    slot = schedule[np.argmax(booked)]
    most = int(booked[schedule == slot].max())
    assert most >= 1
    tables = edit(small_week, INSTANCES, "capacity", np.flatnonzero(schedule == slot), most - 1)
    c = tables[SCHEDULES]
    tables = edit(tables, SCHEDULES, "capacity", np.flatnonzero(ints(c, "scheduleid") == slot), most - 1)
    assert_only(small_week, tables, "participants ≤ capacity")


def test_a_booking_miscounted_breaks_bookedcount(small_week: Tables) -> None:
    i = small_week[INSTANCES]
    row = first(ints(i, "bookedcount") < ints(i, "capacity"))
    assert_only(
        small_week, edit(small_week, INSTANCES, "bookedcount", row, lambda v: v + 1), "bookedcount = actualparticipants"
    )


def test_an_enrollment_of_another_status_breaks_the_instance_counts(small_week: Tables) -> None:
    e = small_week[ENROLLMENTS]
    row = first(where(e, "status", "Attended"))
    assert_only(
        small_week, edit(small_week, ENROLLMENTS, "status", row, "NoShow"), "attended, no-show and waitlist counts"
    )


def test_a_day_whose_bookings_are_lost_breaks_the_instance_counts(small_week: Tables) -> None:
    """A day with instances and no bookings is judged too: its counts must then be zero."""
    i, e = small_week[INSTANCES], small_week[ENROLLMENTS]
    busy = day_of(i, "starttime")[ints(i, "bookedcount") > 0][0]
    assert_only(
        small_week,
        drop(small_week, ENROLLMENTS, day_of(e, "classstart") == busy),
        "attended, no-show and waitlist counts",
    )


# ---- 10. members ---------------------------------------------------------------------------------------


def test_a_member_too_old_for_their_plan_breaks_the_age_rule(small_week: Tables) -> None:
    m, plans = small_week[MEMBERS], small_week[PLANS]
    banded = ints(plans, "membershiptypeid")[(ints(plans, "maxage") >= 0) | (ints(plans, "minage") >= 0)]
    row = int(np.flatnonzero(np.isin(ints(m, "membershiptypeid"), banded))[0])
    plan = np.flatnonzero(ints(plans, "membershiptypeid") == ints(m, "membershiptypeid")[row])[0]
    joined = m.column("joindate")[row].as_py()
    low, high = ints(plans, "minage")[plan], ints(plans, "maxage")[plan]
    age = high + 5 if high >= 0 else low - 10
    born = date(joined.year - int(age), 1, 1)
    assert_only(small_week, edit(small_week, MEMBERS, "dateofbirth", [row], born), "the plan fits the age at joindate")


def test_a_join_date_unlike_the_first_enrollment_breaks_the_join_rule(small_week: Tables) -> None:
    m = small_week[MEMBERSHIPS]
    joiner = ints(m, "memberid")[where(m, "status", "Active") & (ints(m, "membershipid") % 100 == 0)][0]
    row = np.flatnonzero(ints(small_week[MEMBERS], "memberid") == joiner)
    assert_only(
        small_week,
        edit(small_week, MEMBERS, "joindate", row, lambda v: v + DAY),
        "joindate and plan are the first enrollment's",
    )


def test_an_unknown_member_status_breaks_the_status_rule(small_week: Tables) -> None:
    assert_only(small_week, edit(small_week, MEMBERS, "memberstatus", [0], "Frozen"), "memberstatus is Active")
