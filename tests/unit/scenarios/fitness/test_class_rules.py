"""Each rule of rules.py (instructors, rooms, timetables, class counts, members) notices its own breach."""

from __future__ import annotations

from datetime import date

import numpy as np

from .fitness_data import (
    DAY,
    ENROLLMENTS,
    INSTANCES,
    MEMBERS,
    MEMBERSHIPS,
    PLANS,
    SCHEDULES,
    Tables,
    assert_only,
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
