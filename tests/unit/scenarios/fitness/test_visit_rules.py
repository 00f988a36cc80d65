"""Each rule of visit_rules.py (attendance, active members, the door log, visit frequency) notices its own breach."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from emitter.config import load_config
from emitter.scenarios import open_scenario
from emitter.scenarios.fitness import rules
from emitter.scenarios.rules import RuleResult

from .fitness_data import (
    ACCESS,
    DEMO_DAY,
    ENROLLMENTS,
    MEMBERS,
    MEMBERSHIPS,
    PAYMENTS,
    SETTINGS,
    Tables,
    assert_only,
    day_of,
    drop,
    edit,
    epoch_day,
    failed,
    first,
    generated,
    ints,
    last_day,
    set_cells,
    where,
)

# ---- helpers -----------------------------------------------------------------------------------------


def plain_visits(a: pa.Table) -> npt.NDArray[np.bool_]:
    """Rows of visits for no class, which no booking needs."""
    return ints(a, "instanceid") < 0


def visit_rows(a: pa.Table, visit: int) -> npt.NDArray[np.int64]:
    return np.flatnonzero(ints(a, "visitid") == visit)


def later_joiners(tables: Tables) -> npt.NDArray[np.int64]:
    m = tables[MEMBERS]
    return ints(m, "memberid")[ints(m, "joindate") > last_day(tables)]


# ---- 6. attendance ------------------------------------------------------------------------------------


def test_an_attended_class_without_its_check_in_breaks_attendance(small_week: Tables) -> None:
    a = small_week[ACCESS]
    row = np.flatnonzero(ints(a, "instanceid") >= 0)[0]
    visit = visit_rows(a, int(ints(a, "visitid")[row]))
    assert_only(
        small_week,
        edit(small_week, ACCESS, "instanceid", visit, None),
        "each Attended booking has the member's check-in",
    )


def test_a_door_log_without_check_ins_breaks_attendance_instead_of_failing(small_week: Tables) -> None:
    """A stream cut early can hold bookings and only check-outs: every attended booking lacks its check-in."""
    tables = small_week
    no_check_in = drop(tables, ACCESS, where(tables[ACCESS], "accesstype", "CheckIn"))
    attended = int(where(tables[ENROLLMENTS], "status", "Attended").sum())
    assert attended > 0
    [found] = [r for r in rules.check_all(no_check_in, SETTINGS) if "each Attended booking" in r.rule]
    assert not found.ok and found.detail.startswith(f"{attended:,} of {attended:,}")


# ---- 5. only active members book and visit -------------------------------------------------------------


def test_a_booking_by_a_member_not_yet_joined_breaks_active_bookings(small_week: Tables) -> None:
    e = small_week[ENROLLMENTS]
    row = first(where(e, "status", "NoShow", "Waitlisted"))
    assert_only(
        small_week,
        edit(small_week, ENROLLMENTS, "memberid", row, int(later_joiners(small_week)[0])),
        "classenrollments: only members active",
        # booked before joining, too
        "bookedat on or after the member's joindate",
        "booked while the member holds a membership",
    )


def test_a_visit_by_a_member_not_yet_joined_breaks_active_visits(small_week: Tables) -> None:
    a = small_week[ACCESS]
    visit = visit_rows(a, int(ints(a, "visitid")[np.flatnonzero(plain_visits(a))[0]]))
    assert_only(
        small_week,
        edit(small_week, ACCESS, "memberid", visit, int(later_joiners(small_week)[0])),
        "memberaccess: only members active",
    )


def _give_visit(tables: Tables, member: int, on_or_after: int, until: int | None = None) -> Tables:
    """A plain visit of someone else on a day in [on_or_after, until] handed to ``member``."""
    a = tables[ACCESS]
    day = day_of(a, "accesstime")
    own_days = day[ints(a, "memberid") == member]
    fit = plain_visits(a) & (day >= on_or_after) & ~np.isin(day, own_days)
    if until is not None:
        fit &= day <= until
    visit = visit_rows(a, int(ints(a, "visitid")[np.flatnonzero(fit)[0]]))
    return edit(tables, ACCESS, "memberid", visit, member)


def test_a_visit_after_the_enrollment_ended_breaks_active_visits(full_fortnight: Tables) -> None:
    m = full_fortnight[MEMBERSHIPS]
    restarted = ints(m, "memberid")[where(m, "status", "Active")]
    ended = where(m, "status", "Cancelled", "Expired") & ~np.isin(ints(m, "memberid"), restarted)
    row = int(np.flatnonzero(ended)[0])
    tables = _give_visit(full_fortnight, int(ints(m, "memberid")[row]), int(day_of(m, "changedat")[row]))
    assert_only(full_fortnight, tables, "memberaccess: only members active")


def test_a_visit_on_the_sign_up_day_breaks_active_visits(full_fortnight: Tables) -> None:
    m = full_fortnight[MEMBERSHIPS]
    new = np.flatnonzero(where(m, "status", "Active") & (ints(m, "membershipid") % 100 == 0))
    row = int(new[0])
    start = int(ints(m, "startdate")[row])
    tables = _give_visit(full_fortnight, int(ints(m, "memberid")[row]), start, until=start)
    assert_only(full_fortnight, tables, "memberaccess: only members active")


def _judged(tables: Tables, rule: str) -> int:
    """How many rows ``rule`` judged: its detail reads "bad of judged what"."""
    (found,) = [r for r in rules.check_all(tables, SETTINGS) if rule in r.rule]
    assert found.ok, found.detail
    return int(found.detail.split(" of ")[1].split(" ")[0].replace(",", ""))


def test_payments_judge_the_rows_of_members_without_enrollment_rows(full_fortnight: Tables) -> None:
    """A member with no enrollment starting or ending in the window has one cover all window: a payment shows it."""
    without = {k: v for k, v in full_fortnight.items() if k != PAYMENTS}
    for rule in ("classenrollments: only members active", "memberaccess: only members active"):
        assert _judged(full_fortnight, rule) > _judged(without, rule)


def test_without_enrollments_completed_charges_judge_the_days_they_pay_for(full_fortnight: Tables) -> None:
    without = {k: v for k, v in full_fortnight.items() if k != MEMBERSHIPS}
    none = {k: v for k, v in without.items() if k != PAYMENTS}
    for rule in ("classenrollments: only members active", "memberaccess: only members active"):
        assert _judged(without, rule) > _judged(none, rule)


# ---- 5. bookings are made while the member holds a membership ------------------------------------------


def test_a_booking_before_joining_breaks_the_booking_rules(small_week: Tables) -> None:
    e, m = small_week[ENROLLMENTS], small_week[MEMBERS]
    member = int(ints(e, "memberid")[0])
    joined = m.column("joindate")[int(np.flatnonzero(ints(m, "memberid") == member)[0])].as_py()
    the_eve = datetime(joined.year, joined.month, joined.day, tzinfo=UTC) - timedelta(hours=1)
    assert_only(
        small_week,
        edit(small_week, ENROLLMENTS, "bookedat", [0], the_eve),
        "bookedat on or after the member's joindate",
        "booked while the member holds a membership",
    )


def _booking_at_sign_up(tables: Tables, after: timedelta) -> Tables:
    """A booking of a later class handed to a member joining in the window, made ``after`` their Active row."""
    m, e = tables[MEMBERSHIPS], tables[ENROLLMENTS]
    row = first(where(m, "status", "Active") & (ints(m, "membershipid") % 100 == 0))
    member, start = int(ints(m, "memberid")[row[0]]), int(ints(m, "startdate")[row[0]])
    signed_up = m.column("changedat")[row[0]].as_py()
    # no-shows and the waitlist need no visit; a class after the sign-up day is one the member may take
    booking = first(where(e, "status", "NoShow", "Waitlisted") & (day_of(e, "classstart") > start))
    tables = edit(tables, ENROLLMENTS, "memberid", booking, member)
    return edit(tables, ENROLLMENTS, "bookedat", booking, signed_up + after)


def test_a_booking_before_signing_up_breaks_the_membership_rule(small_week: Tables) -> None:
    assert_only(
        small_week,
        _booking_at_sign_up(small_week, -timedelta(minutes=1)),
        "booked while the member holds a membership",
    )


def test_a_booking_just_after_signing_up_keeps_the_rules(small_week: Tables) -> None:
    assert set(failed(_booking_at_sign_up(small_week, timedelta(minutes=1)))) <= set(failed(small_week))


def test_the_booking_rules_judge_generated_bookings(full_fortnight: Tables) -> None:
    for rule in ("bookedat on or after the member's joindate", "booked while the member holds a membership"):
        assert _judged(full_fortnight, rule) > 0


# ---- 7. the door log -----------------------------------------------------------------------------------


def test_a_missing_check_out_breaks_visit_pairs(small_week: Tables) -> None:
    a = small_week[ACCESS]
    row = np.flatnonzero(plain_visits(a) & where(a, "accesstype", "CheckOut"))[0]
    assert_only(
        small_week,
        drop(small_week, ACCESS, np.arange(a.num_rows) == row),
        "each visit is one CheckIn and one later CheckOut",
    )


def test_a_check_out_before_the_check_in_breaks_visit_pairs(small_week: Tables) -> None:
    a = small_week[ACCESS]
    visit = visit_rows(a, int(ints(a, "visitid")[np.flatnonzero(plain_visits(a))[0]]))
    times = [a.column("accesstime")[int(r)].as_py() for r in visit]
    swapped = set_cells(set_cells(a, "accesstime", visit[:1], times[1]), "accesstime", visit[1:], times[0])
    assert_only(small_week, {**small_week, ACCESS: swapped}, "each visit is one CheckIn and one later CheckOut")


def test_a_visit_before_opening_breaks_opening_hours(small_week: Tables) -> None:
    a, f = small_week[ACCESS], small_week["mdm.facilities"]
    clubs = ints(f, "facilityid")[~np.asarray(f.column("is24hours").to_pylist(), bool) & (ints(f, "weekdayopen") >= 1)]
    weekday_rows = ((day_of(a, "accesstime") + 3) % 7 < 5) & np.isin(ints(a, "facilityid"), clubs)
    visit = visit_rows(a, int(ints(a, "visitid")[np.flatnonzero(plain_visits(a) & weekday_rows)[0]]))
    club = np.flatnonzero(ints(f, "facilityid") == ints(a, "facilityid")[visit[0]])[0]
    opens = int(ints(f, "weekdayopen")[club])
    day = a.column("accesstime")[int(visit[0])].as_py().replace(hour=0, minute=0, second=0, microsecond=0)
    early = set_cells(a, "accesstime", visit[:1], day + timedelta(hours=opens) - timedelta(minutes=40))
    early = set_cells(early, "accesstime", visit[1:], day + timedelta(hours=opens) - timedelta(minutes=10))
    assert_only(small_week, {**small_week, ACCESS: early}, "visits inside the club's opening hours")


def test_two_visits_a_day_break_the_one_visit_rule(small_week: Tables) -> None:
    a = small_week[ACCESS]
    check_in = where(a, "accesstype", "CheckIn")
    day, member = day_of(a, "accesstime"), ints(a, "memberid")
    plain = np.flatnonzero(plain_visits(a) & check_in)
    row = int(plain[0])
    others = np.flatnonzero(check_in & (day == day[row]) & (member != member[row]))
    visit = visit_rows(a, int(ints(a, "visitid")[row]))
    assert_only(
        small_week,
        edit(small_week, ACCESS, "memberid", visit, int(member[others[0]])),
        "at most one visit per member per day",
    )


# ---- 9. how often members come ------------------------------------------------------------------------


def _keep_plain_visits(tables: Tables, per_week: int) -> Tables:
    """Every member's first ``per_week`` visits of each week, and every visit for a class."""
    a = tables[ACCESS]
    check_in = np.flatnonzero(where(a, "accesstype", "CheckIn"))
    week = (day_of(a, "accesstime")[check_in] + 3) // 7
    member = ints(a, "memberid")[check_in]
    order = np.lexsort((ints(a, "accesstime")[check_in], week, member))
    key = (member * 10_000 + week)[order]
    starts = np.r_[0, np.flatnonzero(key[1:] != key[:-1]) + 1]
    rank = np.empty(order.size, np.int64)
    rank[order] = np.arange(order.size) - np.repeat(starts, np.diff(np.r_[starts, order.size]))
    gone = ints(a, "visitid")[check_in][(rank >= per_week) & plain_visits(a)[check_in]]
    return drop(tables, ACCESS, np.isin(ints(a, "visitid"), gone))


def test_everyone_coming_once_a_week_breaks_the_visit_frequency(full_fortnight: Tables) -> None:
    assert_only(full_fortnight, _keep_plain_visits(full_fortnight, 1), "visits per member-week")


def test_no_long_tail_breaks_the_visit_frequency(full_fortnight: Tables) -> None:
    assert_only(full_fortnight, _keep_plain_visits(full_fortnight, 3), "visits per member-week")


def test_uniform_visits_break_the_visit_frequency(full_fortnight: Tables) -> None:
    """A door log where each member comes 0-7 times a week, uniformly: too few weeks in the 2-4 band.

    Built for members without enrollment rows at hand who came: one enrollment covers them all window.
    Bookings go, as these visits are for no class.
    """
    a, m = full_fortnight[ACCESS], full_fortnight[MEMBERSHIPS]
    members = np.setdiff1d(ints(a, "memberid"), ints(m, "memberid"))
    club = ints(a, "facilityid")[np.unique(ints(a, "memberid"), return_index=True)[1]]
    club = club[np.isin(np.unique(ints(a, "memberid")), members)]
    first = epoch_day(DEMO_DAY)  # a Monday
    rng = np.random.default_rng(7)
    days: list[int] = []
    who: list[int] = []
    where_: list[int] = []
    for week in range(2):
        for member, facility in zip(members, club, strict=True):
            chosen = rng.choice(7, size=int(rng.integers(0, 8)), replace=False)
            days += (first + 7 * week + chosen).tolist()
            who += [int(member)] * chosen.size
            where_ += [int(facility)] * chosen.size
    n = len(days)
    noon = np.array(days, np.int64) * 86_400_000_000 + 12 * 3_600_000_000
    visit = np.arange(n, dtype=np.int64)
    both = np.r_[visit, visit]
    schema = a.schema
    columns = {
        "eventid": pa.array([f"U{i}" for i in range(2 * n)]),
        "accesstime": pa.array(np.r_[noon, noon + 1_800_000_000]).cast(schema.field("accesstime").type),
        "accessid": pa.array(np.r_[visit * 2, visit * 2 + 1]),
        "visitid": pa.array(both),
        "memberid": pa.array(np.r_[who, who].astype(np.int32)),
        "facilityid": pa.array(np.r_[where_, where_].astype(np.int32)),
        "accesstype": pa.array(["CheckIn"] * n + ["CheckOut"] * n),
        "method": pa.array(["Card"] * (2 * n)),
        "instanceid": pa.nulls(2 * n, pa.int64()),
    }
    uniform = pa.table([columns[f.name].cast(f.type) for f in schema], schema=schema)
    tables = {k: v for k, v in full_fortnight.items() if k != ENROLLMENTS} | {ACCESS: uniform}
    assert_only(full_fortnight, tables, "visits per member-week")


def test_the_christmas_lull_is_not_judged_against_ordinary_weeks() -> None:
    """Two weeks around Christmas at full scale: the quiet holiday week is left out, the ordinary one judged."""
    _, tables = generated("full-scale", date(2025, 12, 15), 14)  # Monday 15 to Sunday 28 December
    (frequency,) = [r for r in rules.check_all(tables, SETTINGS) if "visits per member-week" in r.rule]
    assert frequency.ok, frequency.detail
    weeks, members = (
        int(x.replace(",", "")) for x in re.findall(r"of ([\d,]+) weeks of ([\d,]+) members", frequency.detail)[0]
    )
    assert 0 < weeks <= members, frequency.detail  # one week judged per member: the holiday week is not
    # the week of Christmas alone has nothing ordinary to judge (in it, few members come more than five times)
    _, tables = generated("full-scale", date(2025, 12, 20), 12)
    (frequency,) = [r for r in rules.check_all(tables, SETTINGS) if "visits per member-week" in r.rule]
    assert frequency.ok, frequency.detail


def test_the_visit_frequency_is_judged_by_the_runs_visits_a_week() -> None:
    """Members who come five times a week: typical for that setting, far too often by the default's 2–4."""
    sc = open_scenario(load_config(None, {"scenario": "fitness", "fitness": {"visits": {"per_week": 5.0}}}, {}))
    span = [date(2024, 9, 2) + timedelta(days=i) for i in range(28)]
    by_day = dict(sc.days(span, None))
    tables = {**sc.reference(), **{n: pa.concat_tables([by_day[d][n] for d in span]) for n in by_day[span[0]]}}

    def frequency(settings: object) -> RuleResult:
        (found,) = [r for r in rules.check_all(tables, settings) if "visits per member-week" in r.rule]
        return found

    assert frequency(sc.settings).ok, frequency(sc.settings).detail
    assert "median in 4–6" in frequency(sc.settings).rule
    assert not frequency(SETTINGS).ok, frequency(SETTINGS).detail
