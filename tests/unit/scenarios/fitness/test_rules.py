"""Every fitness rule holds on generated data, and each one notices its own breach (and only that rule fails)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pytest

from emitter.config import load_config
from emitter.scenarios import open_scenario
from emitter.scenarios.fitness import rules
from emitter.scenarios.fitness.money_rules import MIN_CHARGES_FOR_METHODS, MIN_PAYMENTS_FOR_SUCCESS

from .fitness_data import (
    CATALOG,
    DEMO_DAY,
    day_of,
    drop,
    edit,
    epoch_day,
    first,
    generated,
    ints,
    set_cells,
    strings,
    where,
)

Tables = dict[str, pa.Table]
SCHEDULES, INSTANCES, ENROLLMENTS, ACCESS = (
    "ods.classschedules",
    "ods.classinstances",
    "ods.classenrollments",
    "ods.memberaccess",
)
MEMBERSHIPS, PAYMENTS, MEMBERS, PLANS = (
    "ods.membermemberships",
    "ods.memberpayments",
    "mdm.members",
    "mdm.membershiptypes",
)
DAY = timedelta(days=1)
RULE_FAMILIES = (
    "classschedules: the instructor is certified",
    "classinstances: the instructor is certified",
    "classschedules: the instructor works at the class's club",
    "classinstances: the instructor works at the class's club",
    "classschedules: the room is at the slot's club",
    "classinstances: club, class type, instructor and capacity are the timetable slot's",
    "classinstances: participants ≤ capacity",
    "classinstances: bookedcount = actualparticipants + noshowcount",
    "classinstances: attended, no-show and waitlist counts",
    "classenrollments: each Attended booking has the member's check-in",
    "members: memberstatus is",
    "members: the plan fits the age",
    "members: joindate and plan are the first enrollment's",
    "membermemberships: status is Active or an ending",
    "membermemberships: startdate ≤ enddate",
    "membermemberships: an ending row comes the day after",
    "membermemberships: previousmembershipid",
    "membermemberships: a Renewed row has its successor's Active row",
    "membermemberships: Annual enrollments are never Cancelled",
    "membermemberships: price = the plan's price",
    "membermemberships: discountpct",
    "memberpayments: only while the enrollment covers the day",
    "memberpayments: the member is the enrollment's",
    "memberpayments: Registration = the plan's registrationfee",
    "memberpayments: Monthly and Annual charges",
    "memberpayments: failurereason",
    "memberpayments: a failed first attempt is retried once",
    "memberpayments: a failed retry suspends",
    "memberpayments: 95% Completed",
    "memberpayments: methods of charges",
    "memberpayments: a retry uses its charge's method",
    "classenrollments: only members active that day",
    "memberaccess: only members active that day",
    "memberaccess: each visit is one CheckIn and one later CheckOut",
    "memberaccess: at most one visit per member per day",
    "memberaccess: visits inside the club's opening hours",
    "memberaccess: visits per member-week",
)


@pytest.fixture(scope="module")
def small() -> Tables:
    return generated("small", DEMO_DAY, 7)[1]


@pytest.fixture(scope="module")
def full() -> Tables:
    """Two weeks of the full-scale chain: enough rows to find every kind of row a breach needs."""
    return generated("full-scale", DEMO_DAY, 14)[1]


@pytest.fixture(scope="module")
def big_payments() -> Tables:
    """A year of payments at full scale: more charges than the method rule needs to judge shares."""
    config = load_config(None, {"scenario": "fitness", "preset": "full-scale"}, {})
    sc = open_scenario(config)
    span = [date(2024, 1, 1) + i * DAY for i in range(365)]
    by_day = dict(sc.days(span, [PAYMENTS]))
    return {**sc.reference(), PAYMENTS: pa.concat_tables([by_day[d][PAYMENTS] for d in span])}


# ---- helpers -----------------------------------------------------------------------------------------


def failed(tables: Tables) -> list[str]:
    return [r.rule for r in rules.check_all(tables) if not r.ok]


def assert_only(base: Tables, broken: Tables, *fragments: str) -> None:
    """Exactly the rules named by ``fragments`` fail on ``broken`` that hold on ``base`` (each fragment naming one).

    Measured against ``base``, so that a rule the generated data itself breaks (reported by the tests above)
    does not hide what a breach does.
    """
    before = set(failed(base))
    assert not any(f in r for f in fragments for r in before), f"already failing before the breach: {before}"
    bad = [r for r in failed(broken) if r not in before]
    assert bad, f"no rule failed; expected {fragments}"
    strays = [r for r in bad if not any(f in r for f in fragments)]
    assert not strays, f"other rules failed too: {strays}"
    for f in fragments:
        assert any(f in r for r in bad), f"{f} did not fail; failed: {bad}"


def last_day(tables: Tables) -> int:
    return int(
        max(day_of(tables[name], time).max() for name, time in ((ACCESS, "accesstime"), (PAYMENTS, "paymentdate")))
    )


def plain_visits(a: pa.Table) -> npt.NDArray[np.bool_]:
    """Rows of visits for no class, which no booking needs."""
    return ints(a, "instanceid") < 0


def visit_rows(a: pa.Table, visit: int) -> npt.NDArray[np.int64]:
    return np.flatnonzero(ints(a, "visitid") == visit)


def later_joiners(tables: Tables) -> npt.NDArray[np.int64]:
    m = tables[MEMBERS]
    return ints(m, "memberid")[ints(m, "joindate") > last_day(tables)]


# ---- the rules hold on generated data ------------------------------------------------------------------


@pytest.mark.parametrize("window", ["small", "full"])
def test_every_rule_holds_on_generated_data(window: str, request: pytest.FixtureRequest) -> None:
    tables = request.getfixturevalue(window)
    results = rules.check_all(tables)
    bad = [r for r in results if not r.ok]
    assert not bad, "\n".join(f"{r.rule}: {r.detail}" for r in bad)
    names = [r.rule for r in results]
    assert len(set(names)) == len(names)
    for family in RULE_FAMILIES:
        assert any(family in n for n in names), family


def test_the_visit_frequency_is_judged_at_full_scale(full: Tables) -> None:
    (frequency,) = [r for r in rules.check_all(full) if "per member-week" in r.rule]
    assert frequency.ok and "too few" not in frequency.detail, frequency.detail


def test_shares_are_judged_and_hold_on_a_large_chain(big_payments: Tables) -> None:
    shares = [r for r in rules.check_all(big_payments) if "Completed, ±" in r.rule or "methods of charges" in r.rule]
    assert len(shares) == 2
    for r in shares:
        assert r.ok and "too few" not in r.detail, f"{r.rule}: {r.detail}"


def test_shares_are_not_judged_on_few_payments(small: Tables) -> None:
    assert small[PAYMENTS].num_rows < MIN_PAYMENTS_FOR_SUCCESS
    assert int((ints(small[PAYMENTS], "attempt") == 1).sum()) < MIN_CHARGES_FOR_METHODS
    shares = [r for r in rules.check_all(small) if "Completed, ±" in r.rule or "methods of charges" in r.rule]
    assert [r.ok for r in shares] == [True, True] and all("too few" in r.detail for r in shares)


def test_the_domain_checks_repeat_no_foreign_key(small: Tables) -> None:
    sc = generated("small", DEMO_DAY, 7)[0]
    own = sc.check(small)
    assert not any(r.rule.startswith("fk ") for r in own)
    assert len(sc.rules(small)) == len(own) + sum(
        1 for t in CATALOG.tables for fk in t.foreign_keys if t.id in small and fk.table in small
    )


@pytest.mark.parametrize("table", [t.id for t in CATALOG.tables])
def test_rules_skip_what_is_absent(small: Tables, table: str) -> None:
    """Without one table the others' checks still run and hold; a lone table is checked on its own."""
    without = {k: v for k, v in small.items() if k != table}
    holding = set(failed(small))  # empty unless the generated data breaks a rule (reported above)
    assert set(failed(without)) <= holding
    assert set(failed({table: small[table]})) <= holding
    assert len(rules.check_all(without)) <= len(rules.check_all(small))


def test_an_empty_window_breaks_nothing(small: Tables) -> None:
    empty = {k: v.slice(0, 0) if k.startswith("ods.") and k != SCHEDULES else v for k, v in small.items()}
    assert set(failed(empty)) <= set(failed(small))


# ---- 1. instructors, clubs and rooms -------------------------------------------------------------------


def test_an_uncertified_instructor_breaks_certification(small: Tables) -> None:
    i = small[INSTANCES]
    instructor, class_type = ints(i, "instructorid")[0], ints(i, "classtypeid")[0]
    s = small["mdm.staffcertifications"]
    this = (ints(s, "staffid") == instructor) & (ints(s, "classtypeid") == class_type)
    assert this.any()
    assert_only(
        small,
        drop(small, "mdm.staffcertifications", this),
        "classschedules: the instructor is certified",
        "classinstances: the instructor is certified",
    )


def test_an_instructor_of_another_club_breaks_where_they_teach(small: Tables) -> None:
    instructor = ints(small[INSTANCES], "instructorid")[0]
    staff = small["mdm.staff"]
    row = np.flatnonzero(ints(staff, "staffid") == instructor)
    other = next(f for f in ints(small["mdm.facilities"], "facilityid") if f != ints(staff, "facilityid")[row[0]])
    assert_only(
        small, edit(small, "mdm.staff", "facilityid", row, int(other)), "the instructor works at the class's club"
    )


def test_a_room_of_the_wrong_kind_breaks_the_room_rule(small: Tables) -> None:
    c, areas = small[SCHEDULES], small["mdm.facilityareas"]
    area = ints(c, "areaid")[0]
    a_row = int(np.flatnonzero(ints(areas, "areaid") == area)[0])
    same_club = ints(areas, "facilityid") == ints(areas, "facilityid")[a_row]
    other_kind = same_club & (strings(areas, "areatype") != strings(areas, "areatype")[a_row])
    wrong = int(ints(areas, "areaid")[np.flatnonzero(other_kind)[0]])
    assert_only(small, edit(small, SCHEDULES, "areaid", [0], wrong), "classschedules: the room is at")


def test_an_instance_unlike_its_slot_breaks_following_the_timetable(small: Tables) -> None:
    assert_only(small, edit(small, INSTANCES, "capacity", [0], lambda v: v + 1), "are the timetable slot's")


# ---- 6. class counts and attendance --------------------------------------------------------------------


def test_more_participants_than_capacity_breaks_capacity(small: Tables) -> None:
    i = small[INSTANCES]
    booked, schedule = ints(i, "bookedcount"), ints(i, "scheduleid")
    slot = schedule[np.argmax(booked)]
    most = int(booked[schedule == slot].max())
    assert most >= 1
    tables = edit(small, INSTANCES, "capacity", np.flatnonzero(schedule == slot), most - 1)
    c = tables[SCHEDULES]
    tables = edit(tables, SCHEDULES, "capacity", np.flatnonzero(ints(c, "scheduleid") == slot), most - 1)
    assert_only(small, tables, "participants ≤ capacity")


def test_a_booking_miscounted_breaks_bookedcount(small: Tables) -> None:
    i = small[INSTANCES]
    row = first(ints(i, "bookedcount") < ints(i, "capacity"))
    assert_only(small, edit(small, INSTANCES, "bookedcount", row, lambda v: v + 1), "bookedcount = actualparticipants")


def test_an_enrollment_of_another_status_breaks_the_instance_counts(small: Tables) -> None:
    e = small[ENROLLMENTS]
    row = first(where(e, "status", "Attended"))
    assert_only(small, edit(small, ENROLLMENTS, "status", row, "NoShow"), "attended, no-show and waitlist counts")


def test_an_attended_class_without_its_check_in_breaks_attendance(small: Tables) -> None:
    a = small[ACCESS]
    row = np.flatnonzero(ints(a, "instanceid") >= 0)[0]
    visit = visit_rows(a, int(ints(a, "visitid")[row]))
    assert_only(
        small, edit(small, ACCESS, "instanceid", visit, None), "each Attended booking has the member's check-in"
    )


# ---- 10. members ---------------------------------------------------------------------------------------


def test_a_member_too_old_for_their_plan_breaks_the_age_rule(small: Tables) -> None:
    m, plans = small[MEMBERS], small[PLANS]
    banded = ints(plans, "membershiptypeid")[(ints(plans, "maxage") >= 0) | (ints(plans, "minage") >= 0)]
    row = int(np.flatnonzero(np.isin(ints(m, "membershiptypeid"), banded))[0])
    plan = np.flatnonzero(ints(plans, "membershiptypeid") == ints(m, "membershiptypeid")[row])[0]
    joined = m.column("joindate")[row].as_py()
    low, high = ints(plans, "minage")[plan], ints(plans, "maxage")[plan]
    age = high + 5 if high >= 0 else low - 10
    born = date(joined.year - int(age), 1, 1)
    assert_only(small, edit(small, MEMBERS, "dateofbirth", [row], born), "the plan fits the age at joindate")


def test_a_join_date_unlike_the_first_enrollment_breaks_the_join_rule(small: Tables) -> None:
    m = small[MEMBERSHIPS]
    joiner = ints(m, "memberid")[where(m, "status", "Active") & (ints(m, "membershipid") % 100 == 0)][0]
    row = np.flatnonzero(ints(small[MEMBERS], "memberid") == joiner)
    assert_only(
        small, edit(small, MEMBERS, "joindate", row, lambda v: v + DAY), "joindate and plan are the first enrollment's"
    )


def test_an_unknown_member_status_breaks_the_status_rule(small: Tables) -> None:
    assert_only(small, edit(small, MEMBERS, "memberstatus", [0], "Frozen"), "memberstatus is Active")


# ---- 11. enrollment histories --------------------------------------------------------------------------


def test_an_enrollment_ending_before_it_starts_breaks_its_dates(full: Tables) -> None:
    m, p, a, e = full[MEMBERSHIPS], full[PAYMENTS], full[ACCESS], full[ENROLLMENTS]
    seen = np.union1d(ints(a, "memberid"), ints(e, "memberid"))
    ids = ints(m, "membershipid")
    alone = np.isin(ids, ids[where(m, "status", "Active")], invert=True)  # its Active row came before the window
    quiet = where(m, "status", "Cancelled", "Expired") & alone
    quiet &= ~np.isin(ints(m, "memberid"), seen) & ~np.isin(ids, ints(p, "membershipid"))
    row = first(quiet)
    end = m.column("enddate")[int(row[0])].as_py()
    assert_only(full, edit(full, MEMBERSHIPS, "startdate", row, end + DAY), "startdate ≤ enddate")


def test_an_ending_row_a_day_late_breaks_its_timing(full: Tables) -> None:
    m = full[MEMBERSHIPS]
    row = first(where(m, "status", "Cancelled", "Expired") & (day_of(m, "changedat") < last_day(full)))
    assert_only(full, edit(full, MEMBERSHIPS, "changedat", row, lambda v: v + DAY), "an ending row comes the day after")


def test_a_first_enrollment_with_a_predecessor_breaks_the_chain(full: Tables) -> None:
    m = full[MEMBERSHIPS]
    row = first((ints(m, "membershipid") % 100 == 0) & where(m, "status", "Active"))
    stranger = int(ints(m, "membershipid")[row[0]]) + 7
    assert_only(
        full, edit(full, MEMBERSHIPS, "previousmembershipid", row, stranger), "previousmembershipid is the member's"
    )


def test_a_renewal_a_day_late_breaks_the_handover(full: Tables) -> None:
    m = full[MEMBERSHIPS]
    renewed = ints(m, "membershipid")[where(m, "status", "Renewed") & (day_of(m, "changedat") < last_day(full))]
    row = first(where(m, "status", "Active") & np.isin(ints(m, "previousmembershipid"), renewed))
    assert_only(full, edit(full, MEMBERSHIPS, "changedat", row, lambda v: v + DAY), "a Renewed row has its successor's")


def test_a_cancelled_annual_enrollment_breaks_the_annual_rule(full: Tables) -> None:
    m = full[MEMBERSHIPS]
    row = first(where(m, "billing", "Annual") & where(m, "status", "Expired"))
    assert_only(full, edit(full, MEMBERSHIPS, "status", row, "Cancelled"), "Annual enrollments are never Cancelled")


# ---- 2-3. payments inside their enrollment, amounts ----------------------------------------------------


def _charge_at_hand(tables: Tables, *types: str) -> int:
    """A completed first attempt of a charge whose enrollment started inside the window, on its start day."""
    p, m = tables[PAYMENTS], tables[MEMBERSHIPS]
    active = where(m, "status", "Active") & (ints(m, "startdate") > int(day_of(p, "paymentdate").min()))
    order = np.argsort(ints(m, "membershipid")[active])
    ids, starts = ints(m, "membershipid")[active][order], ints(m, "startdate")[active][order]
    at = np.searchsorted(ids, ints(p, "membershipid")).clip(0, max(ids.size - 1, 0))
    on_start = (ids[at] == ints(p, "membershipid")) & (starts[at] == day_of(p, "paymentdate"))
    fit = on_start & where(p, "paymenttype", *types) & where(p, "status", "Completed") & (ints(p, "attempt") == 1)
    return first(fit)[0]


def test_a_payment_before_its_enrollment_breaks_the_payment_window(full: Tables) -> None:
    row = _charge_at_hand(full, "Monthly", "Annual")
    assert_only(full, edit(full, PAYMENTS, "paymentdate", [row], lambda v: v - DAY), "only while the enrollment covers")


def test_a_payment_by_another_member_breaks_whose_it_is(full: Tables) -> None:
    row = _charge_at_hand(full, "Monthly", "Annual")
    assert_only(full, edit(full, PAYMENTS, "memberid", [row], lambda v: v + 1), "the member is the enrollment's")


def test_a_registration_a_cent_off_breaks_the_fee(full: Tables) -> None:
    row = first(where(full[PAYMENTS], "paymenttype", "Registration"))
    bump = edit(full, PAYMENTS, "amount", row, lambda v: v + Decimal("0.01"))
    assert_only(full, bump, "Registration = the plan's registrationfee")


def test_a_charge_a_cent_off_breaks_the_charge_amount(full: Tables) -> None:
    row = _charge_at_hand(full, "Monthly", "Annual")
    bump = edit(full, PAYMENTS, "amount", [row], lambda v: v + Decimal("0.01"))
    assert_only(full, bump, "Monthly and Annual charges = the enrollment's price")


def test_a_plan_price_a_cent_off_breaks_the_enrollment_price(full: Tables) -> None:
    m, plans = full[MEMBERSHIPS], full[PLANS]
    plan = ints(m, "membershiptypeid")[where(m, "billing", "Monthly")][0]
    row = np.flatnonzero(ints(plans, "membershiptypeid") == plan)
    bump = edit(full, PLANS, "monthlyprice", row, lambda v: v + Decimal("0.01"))
    assert_only(full, bump, "price = the plan's price for the billing")


def test_a_plan_discount_unlike_the_enrollments_breaks_the_discount(full: Tables) -> None:
    m, plans = full[MEMBERSHIPS], full[PLANS]
    row = np.flatnonzero(ints(plans, "membershiptypeid") == ints(m, "membershiptypeid")[0])
    assert_only(
        full, edit(full, PLANS, "corporatediscountpct", row, lambda v: v + Decimal("1.00")), "discountpct = the plan's"
    )


# ---- 4. retries and suspension -------------------------------------------------------------------------


def test_a_retry_a_day_late_breaks_the_retry_rule(full: Tables) -> None:
    p = full[PAYMENTS]
    first_at_hand = np.isin(ints(p, "paymentid") - 1, ints(p, "paymentid"))
    row = first((ints(p, "attempt") == 2) & where(p, "status", "Completed") & first_at_hand)
    assert_only(
        full, edit(full, PAYMENTS, "paymentdate", row, lambda v: v + DAY), "a failed first attempt is retried once"
    )


def test_a_missing_retry_breaks_the_retry_rule(full: Tables) -> None:
    p = full[PAYMENTS]
    retried = np.isin(ints(p, "paymentid") - 1, ints(p, "paymentid")[where(p, "status", "Failed")])
    row = (ints(p, "attempt") == 2) & retried & where(p, "status", "Completed")
    assert row.any()
    assert_only(
        full, drop(full, PAYMENTS, np.isin(np.arange(p.num_rows), first(row))), "a failed first attempt is retried once"
    )


def test_a_failed_retry_without_suspension_breaks_the_suspension_rule(full: Tables) -> None:
    p, m = full[PAYMENTS], full[MEMBERSHIPS]
    failed_retry = (
        (ints(p, "attempt") == 2) & where(p, "status", "Failed") & (day_of(p, "paymentdate") < last_day(full))
    )
    enrollment = ints(p, "membershipid")[failed_retry][:1]
    assert enrollment.size
    suspended = where(m, "status", "Suspended") & np.isin(ints(m, "membershipid"), enrollment)
    assert_only(full, drop(full, MEMBERSHIPS, suspended), "a failed retry suspends the enrollment")


def test_a_failure_reason_on_a_completed_payment_breaks_the_reason_rule(small: Tables) -> None:
    row = first(where(small[PAYMENTS], "status", "Completed"))
    assert_only(small, edit(small, PAYMENTS, "failurereason", row, "Insufficient funds"), "failurereason set exactly")


# ---- 8. shares -----------------------------------------------------------------------------------------


def test_no_failed_payments_breaks_the_success_share(big_payments: Tables) -> None:
    p = big_payments[PAYMENTS]
    assert_only(
        big_payments,
        drop(big_payments, PAYMENTS, where(p, "status", "Failed") | (ints(p, "attempt") == 2)),
        "Completed, ±",
    )


def test_uniform_payment_methods_break_the_method_shares(big_payments: Tables) -> None:
    p = big_payments[PAYMENTS]
    methods = np.array(sorted(set(strings(p, "paymentmethod"))), dtype=object)
    assert methods.size == 5
    uniform = pa.array(methods[ints(p, "memberid") % methods.size].tolist(), type=pa.string())
    tables = {
        **big_payments,
        PAYMENTS: p.set_column(p.schema.get_field_index("paymentmethod"), "paymentmethod", uniform),
    }
    assert_only(big_payments, tables, "methods of charges")


def test_a_retry_on_another_card_breaks_the_retry_method_rule(small: Tables) -> None:
    p = small[PAYMENTS]
    ids, attempt = ints(p, "paymentid"), ints(p, "attempt")
    row = int(next(i for i in np.flatnonzero(attempt == 2) if ids[i] - 1 in set(ids.tolist())))
    other = "Cash" if strings(p, "paymentmethod")[row] != "Cash" else "Credit Card"
    assert_only(small, edit(small, PAYMENTS, "paymentmethod", [row], other), "a retry uses its charge's method")


# ---- 5. only active members book and visit -------------------------------------------------------------


def test_a_booking_by_a_member_not_yet_joined_breaks_active_bookings(small: Tables) -> None:
    e = small[ENROLLMENTS]
    row = first(where(e, "status", "NoShow", "Waitlisted"))
    assert_only(
        small,
        edit(small, ENROLLMENTS, "memberid", row, int(later_joiners(small)[0])),
        "classenrollments: only members active",
    )


def test_a_visit_by_a_member_not_yet_joined_breaks_active_visits(small: Tables) -> None:
    a = small[ACCESS]
    visit = visit_rows(a, int(ints(a, "visitid")[np.flatnonzero(plain_visits(a))[0]]))
    assert_only(
        small, edit(small, ACCESS, "memberid", visit, int(later_joiners(small)[0])), "memberaccess: only members active"
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


def test_a_visit_after_the_enrollment_ended_breaks_active_visits(full: Tables) -> None:
    m = full[MEMBERSHIPS]
    restarted = ints(m, "memberid")[where(m, "status", "Active")]
    ended = where(m, "status", "Cancelled", "Expired") & ~np.isin(ints(m, "memberid"), restarted)
    row = int(np.flatnonzero(ended)[0])
    tables = _give_visit(full, int(ints(m, "memberid")[row]), int(day_of(m, "changedat")[row]))
    assert_only(full, tables, "memberaccess: only members active")


def test_a_visit_on_the_sign_up_day_breaks_active_visits(full: Tables) -> None:
    m = full[MEMBERSHIPS]
    new = np.flatnonzero(where(m, "status", "Active") & (ints(m, "membershipid") % 100 == 0))
    row = int(new[0])
    start = int(ints(m, "startdate")[row])
    tables = _give_visit(full, int(ints(m, "memberid")[row]), start, until=start)
    assert_only(full, tables, "memberaccess: only members active")


# ---- 7. the door log -----------------------------------------------------------------------------------


def test_a_missing_check_out_breaks_visit_pairs(small: Tables) -> None:
    a = small[ACCESS]
    row = np.flatnonzero(plain_visits(a) & where(a, "accesstype", "CheckOut"))[0]
    assert_only(
        small, drop(small, ACCESS, np.arange(a.num_rows) == row), "each visit is one CheckIn and one later CheckOut"
    )


def test_a_check_out_before_the_check_in_breaks_visit_pairs(small: Tables) -> None:
    a = small[ACCESS]
    visit = visit_rows(a, int(ints(a, "visitid")[np.flatnonzero(plain_visits(a))[0]]))
    times = [a.column("accesstime")[int(r)].as_py() for r in visit]
    swapped = set_cells(set_cells(a, "accesstime", visit[:1], times[1]), "accesstime", visit[1:], times[0])
    assert_only(small, {**small, ACCESS: swapped}, "each visit is one CheckIn and one later CheckOut")


def test_a_visit_before_opening_breaks_opening_hours(small: Tables) -> None:
    a, f = small[ACCESS], small["mdm.facilities"]
    clubs = ints(f, "facilityid")[~np.asarray(f.column("is24hours").to_pylist(), bool) & (ints(f, "weekdayopen") >= 1)]
    weekday_rows = ((day_of(a, "accesstime") + 3) % 7 < 5) & np.isin(ints(a, "facilityid"), clubs)
    visit = visit_rows(a, int(ints(a, "visitid")[np.flatnonzero(plain_visits(a) & weekday_rows)[0]]))
    club = np.flatnonzero(ints(f, "facilityid") == ints(a, "facilityid")[visit[0]])[0]
    opens = int(ints(f, "weekdayopen")[club])
    day = a.column("accesstime")[int(visit[0])].as_py().replace(hour=0, minute=0, second=0, microsecond=0)
    early = set_cells(a, "accesstime", visit[:1], day + timedelta(hours=opens) - timedelta(minutes=40))
    early = set_cells(early, "accesstime", visit[1:], day + timedelta(hours=opens) - timedelta(minutes=10))
    assert_only(small, {**small, ACCESS: early}, "visits inside the club's opening hours")


def test_two_visits_a_day_break_the_one_visit_rule(small: Tables) -> None:
    a = small[ACCESS]
    check_in = where(a, "accesstype", "CheckIn")
    day, member = day_of(a, "accesstime"), ints(a, "memberid")
    plain = np.flatnonzero(plain_visits(a) & check_in)
    row = int(plain[0])
    others = np.flatnonzero(check_in & (day == day[row]) & (member != member[row]))
    visit = visit_rows(a, int(ints(a, "visitid")[row]))
    assert_only(
        small, edit(small, ACCESS, "memberid", visit, int(member[others[0]])), "at most one visit per member per day"
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


def test_everyone_coming_once_a_week_breaks_the_visit_frequency(full: Tables) -> None:
    assert_only(full, _keep_plain_visits(full, 1), "visits per member-week")


def test_no_long_tail_breaks_the_visit_frequency(full: Tables) -> None:
    assert_only(full, _keep_plain_visits(full, 3), "visits per member-week")


def test_uniform_visits_break_the_visit_frequency(full: Tables) -> None:
    """A door log where each member comes 0-7 times a week, uniformly: too few weeks in the 2-4 band.

    Built for members without enrollment rows at hand who came: one enrollment covers them all window.
    Bookings go, as these visits are for no class.
    """
    a, m = full[ACCESS], full[MEMBERSHIPS]
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
    tables = {k: v for k, v in full.items() if k != ENROLLMENTS} | {ACCESS: uniform}
    assert_only(full, tables, "visits per member-week")
