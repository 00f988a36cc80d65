"""Every fitness rule holds on generated data, judges shares only on enough data and skips absent tables.

Each rule noticing its own breach (and only that rule failing) is tested by the modules named after the
rule modules: test_class_rules.py, test_payment_rules.py and test_visit_rules.py.
"""

from __future__ import annotations

import pytest

from emitter.scenarios.fitness import rules
from emitter.scenarios.fitness.money_rules import MIN_CHARGES_FOR_METHODS, MIN_PAYMENTS_FOR_SUCCESS
from emitter.scenarios.rules import RuleResult

from .fitness_data import CATALOG, DEMO_DAY, PAYMENTS, SCHEDULES, SETTINGS, Tables, failed, generated, ints

RULE_FAMILIES = (
    "classschedules: the instructor is certified",
    "classinstances: the instructor is certified",
    "classschedules: the instructor works at the class's club",
    "classinstances: the instructor works at the class's club",
    "classschedules: the room is at the slot's club",
    "classschedules: no room holds two slots of a weekday at once",
    "classschedules: no instructor holds two slots of a weekday at once",
    "classinstances: no instructor teaches two classes at once",
    "classinstances: no room holds two classes at once",
    "classinstances: the instructor was hired by the class date",
    "classinstances: the instructor was certified for the class type by the class date",
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
    "membermemberships: the plan fits the member's age at startdate",
    "membermemberships: an enrollment without autorenew never ends Renewed",
    "membermemberships: autorenew is the plan's autorenewdefault",
    "membermemberships: price = the plan's price",
    "membermemberships: discountpct",
    "memberpayments: only while the enrollment covers the day",
    "memberpayments: the member is the enrollment's",
    "memberpayments: Registration = the plan's registrationfee",
    "memberpayments: Monthly and Annual charges",
    "memberpayments: every amount is above 0.00",
    "memberpayments: a failurereason is one its paymentmethod can give",
    "memberpayments: Cash never fails and is taken at the desk",
    "memberpayments: failurereason",
    "memberpayments: a failed first attempt is retried once",
    "memberpayments: a failed retry suspends",
    "memberpayments: 95% Completed",
    "memberpayments: methods of charges",
    "memberpayments: a retry uses its charge's method",
    "classenrollments: only members active that day",
    "memberaccess: only members active that day",
    "classenrollments: bookedat on or after the member's joindate",
    "classenrollments: booked while the member holds a membership",
    "memberaccess: each visit is one CheckIn and one later CheckOut",
    "memberaccess: at most one visit per member per day",
    "memberaccess: visits inside the club's opening hours",
    "memberaccess: visits per member-week",
)


# ---- the rules hold on generated data ------------------------------------------------------------------


@pytest.mark.parametrize("window", ["small_week", "full_fortnight"])
def test_every_rule_holds_on_generated_data(window: str, request: pytest.FixtureRequest) -> None:
    tables = request.getfixturevalue(window)
    results = rules.check_all(tables, SETTINGS)
    bad = [r for r in results if not r.ok]
    assert not bad, "\n".join(f"{r.rule}: {r.detail}" for r in bad)
    names = [r.rule for r in results]
    assert len(set(names)) == len(names)
    for family in RULE_FAMILIES:
        assert any(family in n for n in names), family


def test_the_visit_frequency_is_judged_at_full_scale(full_fortnight: Tables) -> None:
    (frequency,) = [r for r in rules.check_all(full_fortnight, SETTINGS) if "per member-week" in r.rule]
    assert frequency.ok and "too few" not in frequency.detail, frequency.detail


def _shares(tables: Tables) -> list[RuleResult]:
    return [r for r in rules.check_all(tables, SETTINGS) if "Completed, ±" in r.rule or "methods of charges" in r.rule]


def test_shares_are_judged_and_hold_on_a_large_chain(year_of_payments: Tables) -> None:
    shares = _shares(year_of_payments)
    assert len(shares) == 2
    for r in shares:
        assert r.ok and "too few" not in r.detail, f"{r.rule}: {r.detail}"


def test_shares_are_not_judged_on_few_payments(small_week: Tables) -> None:
    assert small_week[PAYMENTS].num_rows < MIN_PAYMENTS_FOR_SUCCESS
    assert int((ints(small_week[PAYMENTS], "attempt") == 1).sum()) < MIN_CHARGES_FOR_METHODS
    shares = _shares(small_week)
    assert [r.ok for r in shares] == [True, True] and all("too few" in r.detail for r in shares)


def test_the_domain_checks_repeat_no_foreign_key(small_week: Tables) -> None:
    sc = generated("small", DEMO_DAY, 7)[0]
    own = sc.check(small_week)
    assert not any(r.rule.startswith("fk ") for r in own)
    assert len(sc.rules(small_week)) == len(own) + sum(
        1 for t in CATALOG.tables for fk in t.foreign_keys if t.id in small_week and fk.table in small_week
    )


@pytest.mark.parametrize("table", [t.id for t in CATALOG.tables])
def test_rules_skip_what_is_absent(small_week: Tables, table: str) -> None:
    """Without one table the others' checks still run and hold; a lone table is checked on its own."""
    without = {k: v for k, v in small_week.items() if k != table}
    holding = set(failed(small_week))  # empty unless the generated data breaks a rule (reported above)
    assert set(failed(without)) <= holding
    assert set(failed({table: small_week[table]})) <= holding
    assert len(rules.check_all(without, SETTINGS)) <= len(rules.check_all(small_week, SETTINGS))


def test_an_empty_window_breaks_nothing(small_week: Tables) -> None:
    empty = {k: v.slice(0, 0) if k.startswith("ods.") and k != SCHEDULES else v for k, v in small_week.items()}
    assert set(failed(empty)) <= set(failed(small_week))
