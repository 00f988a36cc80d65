"""Classes: popular ones fill up and carry waitlists, capacity holds, no-shows, busy hours, who books, who comes.

Statistics use four weeks of the full-scale chain in January (some 20,000 bookings); who may book is checked
on the small chain, whose membership history (2022 onwards) is generated once to know who is active.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from emitter.config import load_config
from emitter.scenarios import open_scenario

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
WINDOW = (date(2025, 1, 6), 28)  # Monday 6 January to Sunday 2 February 2025
CLASS_TABLES = ["ods.classinstances", "ods.classenrollments", "ods.memberaccess"]
PEAK_HOURS = (6, 7, 8, 17, 18, 19)  # 6-9 and 17-20


def _span(start: date, n: int) -> list[date]:
    return [start + timedelta(days=i) for i in range(n)]


def _generate(preset: str | None, days: list[date], tables: list[str]) -> tuple[Any, dict[str, pa.Table]]:
    overrides = {"scenario": "fitness"} | ({"preset": preset} if preset else {})
    sc = open_scenario(load_config(None, overrides, {}))
    by_day = dict(sc.days(days, tables))
    return sc, {**sc.reference(), **{t: pa.concat_tables([by_day[d][t] for d in days]) for t in tables}}


@pytest.fixture(scope="module")
def full() -> dict[str, pa.Table]:
    return _generate(None, _span(*WINDOW), CLASS_TABLES)[1]


@pytest.fixture(scope="module")
def small() -> tuple[Any, dict[str, pa.Table]]:
    """The small chain: its membership rows from 2022 to the window's end, and the window's classes and visits."""
    window = _span(*WINDOW)
    sc, tables = _generate("small", window, CLASS_TABLES)
    history = _span(date(2022, 1, 1), (window[-1] - date(2022, 1, 1)).days + 1)
    by_day = dict(sc.days(history, ["ods.membermemberships"]))
    tables["ods.membermemberships"] = pa.concat_tables([by_day[d]["ods.membermemberships"] for d in history])
    return sc, tables


def _np(t: pa.Table, name: str) -> I64:
    col = t.column(name)
    if pa.types.is_timestamp(col.type):
        col = col.cast(pa.int64())
    return np.asarray(col.to_numpy(), dtype=np.int64)


def _hour(t: pa.Table, name: str) -> I64:
    return np.asarray(pc.hour(t.column(name)).to_numpy(), dtype=np.int64)


def _weekday(t: pa.Table, name: str) -> I64:
    return np.asarray(pc.day_of_week(t.column(name)).to_numpy(), dtype=np.int64)  # Monday 0


def _ranks(x: F64) -> F64:
    return np.argsort(np.argsort(x)).astype(np.float64)


def test_places_taken_never_exceed_capacity(full: dict[str, pa.Table]) -> None:
    ci = full["ods.classinstances"]
    booked, attended, no_show = _np(ci, "bookedcount"), _np(ci, "actualparticipants"), _np(ci, "noshowcount")
    capacity = _np(ci, "capacity")
    assert np.array_equal(booked, attended + no_show)
    assert (booked <= capacity).all(), f"{int((booked > capacity).sum())} sessions over capacity"
    assert (capacity > 0).all()
    schedule = full["ods.classschedules"]
    cap_of = dict(zip(schedule.column("scheduleid").to_pylist(), schedule.column("capacity").to_pylist(), strict=True))
    assert [cap_of[s] for s in ci.column("scheduleid").to_pylist()] == capacity.tolist()


def test_enrollment_rows_match_the_session_counts(full: dict[str, pa.Table]) -> None:
    ci, ce = full["ods.classinstances"], full["ods.classenrollments"]
    counts: dict[tuple[int, str], int] = defaultdict(int)
    for i, s in zip(ce.column("instanceid").to_pylist(), ce.column("status").to_pylist(), strict=True):
        counts[(i, s)] += 1
    for r in ci.select(["instanceid", "actualparticipants", "noshowcount", "waitlistcount"]).to_pylist():
        got = (counts[(r["instanceid"], "Attended")], counts[(r["instanceid"], "NoShow")])
        assert got == (r["actualparticipants"], r["noshowcount"]), r
        assert counts[(r["instanceid"], "Waitlisted")] == r["waitlistcount"], r
    lead = _np(ce, "classstart") - _np(ce, "bookedat")
    assert (lead > 0).all() and (lead <= 2 * 86_400_000_000).all(), "booked before the class, up to 2 days ahead"


def test_popular_classes_fill_up_more_and_carry_waitlists(full: dict[str, pa.Table]) -> None:
    ci, ct = full["ods.classinstances"], full["mdm.classtypes"]
    popularity = dict(zip(ct.column("classtypeid").to_pylist(), ct.column("popularity").to_pylist(), strict=True))
    kind = _np(ci, "classtypeid")
    booked, capacity, waiting = _np(ci, "bookedcount"), _np(ci, "capacity"), _np(ci, "waitlistcount")
    types = np.unique(kind)
    assert types.size >= 20, f"only {types.size} class types ran"
    pop = np.array([popularity[k] for k in types])
    fill = np.array([booked[kind == k].sum() / capacity[kind == k].sum() for k in types])
    waitlisted = np.array([(waiting[kind == k] > 0).mean() for k in types])
    top, bottom = pop >= np.quantile(pop, 2 / 3), pop <= np.quantile(pop, 1 / 3)
    rho = np.corrcoef(_ranks(pop), _ranks(fill))[0, 1]
    shuffled = np.corrcoef(_ranks(np.random.default_rng(0).permutation(pop)), _ranks(fill))[0, 1]
    seen = (
        f"places filled: popular third {fill[top].mean():.1%}, unpopular third {fill[bottom].mean():.1%}; "
        f"sessions with a waitlist: popular {waitlisted[top].mean():.1%}, unpopular {waitlisted[bottom].mean():.1%}; "
        f"rank correlation of popularity and fill {rho:.2f} (shuffled popularity {shuffled:.2f})"
    )
    # the most popular classes draw three times the demand of the least: they fill clearly more, and wait
    assert fill[top].mean() > 1.2 * fill[bottom].mean(), seen
    assert waitlisted[top].mean() > 1.5 * waitlisted[bottom].mean(), seen
    assert waitlisted[top].mean() > 0.05, seen
    assert rho > 0.4, seen


def test_no_shows_are_the_settings_share_of_bookings(full: dict[str, pa.Table]) -> None:
    ci = full["ods.classinstances"]
    booked, no_show = _np(ci, "bookedcount").sum(), _np(ci, "noshowcount").sum()
    expected = open_scenario(load_config(None, {"scenario": "fitness"}, {})).settings.visits.no_show
    # some 20,000 bookings: the share's noise is a quarter of a point
    assert booked > 5_000
    assert abs(no_show / booked - expected) < 0.015, f"{no_show / booked:.1%} of {booked:,} bookings no-shows"


def test_enrollments_peak_before_and_after_work_on_weekdays(full: dict[str, pa.Table]) -> None:
    ci = full["ods.classinstances"]
    hour, weekday, booked = _hour(ci, "starttime"), _weekday(ci, "starttime"), _np(ci, "bookedcount")
    wanted = booked + _np(ci, "waitlistcount")
    workday = weekday < 5
    peak = np.isin(hour, PEAK_HOURS)
    at_peak, off_peak = wanted[workday & peak].mean(), wanted[workday & ~peak].mean()
    assert at_peak > 1.3 * off_peak, f"places wanted per weekday session: peak {at_peak:.1f}, other {off_peak:.1f}"
    ce = full["ods.classenrollments"]
    e_hour, e_day = _hour(ce, "classstart"), _weekday(ce, "classstart")
    by_hour = np.bincount(e_hour[e_day < 5], minlength=24)
    busiest = np.argsort(by_hour)[::-1][:3]
    assert set(busiest.tolist()) <= set(PEAK_HOURS), f"busiest weekday class hours {busiest.tolist()}"
    days = np.asarray(pc.cast(ce.column("classstart"), pa.date32()).cast(pa.int32()).to_numpy(), dtype=np.int64)
    per_day = np.bincount(days - days.min())
    day_weekday = (np.arange(per_day.size) + days.min() + 3) % 7  # epoch day 0 was a Thursday
    weekend, weekdays = per_day[day_weekday >= 5].mean(), per_day[day_weekday < 5].mean()
    assert weekend < weekdays, f"enrollments a day: weekend {weekend:.0f}, weekday {weekdays:.0f}"


def _covered(mm: pa.Table) -> dict[int, list[tuple[int, int, bool]]]:
    """Per member: (first day, last day, starts a spell) of each enrollment, as epoch days (open ones run on)."""
    rows = mm.select(["membershipid", "memberid", "status", "startdate", "enddate", "previousmembershipid"])
    opened: dict[int, dict[str, Any]] = {}
    last: dict[int, int] = {}
    renewed: set[int] = set()
    for r in rows.to_pylist():
        if r["status"] == "Active":
            opened[r["membershipid"]] = r
        else:
            last[r["membershipid"]] = (r["enddate"] - date(1970, 1, 1)).days
            if r["status"] == "Renewed":
                renewed.add(r["membershipid"])
    out: dict[int, list[tuple[int, int, bool]]] = defaultdict(list)
    for mid, r in opened.items():
        first = (r["startdate"] - date(1970, 1, 1)).days
        spell = r["previousmembershipid"] is None or r["previousmembershipid"] not in renewed
        out[r["memberid"]].append((first, last.get(mid, 10**9), spell))
    return out


def _active(spells: dict[int, list[tuple[int, int, bool]]], member: int, day: int) -> bool:
    return any(a <= day <= b and not (spell and a == day) for a, b, spell in spells.get(member, []))


def test_only_active_members_book(small: tuple[Any, dict[str, pa.Table]]) -> None:
    _, tables = small
    spells = _covered(tables["ods.membermemberships"])
    ce = tables["ods.classenrollments"]
    days = np.asarray(pc.cast(ce.column("classstart"), pa.date32()).cast(pa.int32()).to_numpy(), dtype=np.int64)
    members = ce.column("memberid").to_pylist()
    assert len(members) > 200
    inactive = [(m, int(d)) for m, d in zip(members, days, strict=True) if not _active(spells, m, int(d))]
    assert not inactive, f"{len(inactive)} of {len(members)} bookings by members not active that day: {inactive[:5]}"
    per_day_club: dict[tuple[int, int, int], int] = defaultdict(int)
    for m, d, f in zip(members, days.tolist(), ce.column("facilityid").to_pylist(), strict=True):
        per_day_club[(m, d, f)] += 1
    assert max(per_day_club.values()) == 1, "a member books at most one class a day at a club"


def test_an_attended_booking_is_a_visit_at_the_class_time(full: dict[str, pa.Table]) -> None:
    ce, ci, ma = full["ods.classenrollments"], full["ods.classinstances"], full["ods.memberaccess"]
    ends = dict(zip(ci.column("instanceid").to_pylist(), _np(ci, "endtime").tolist(), strict=True))
    check: dict[tuple[int, int, int], int] = {}
    out: dict[tuple[int, int, int], int] = {}
    for r, ts in zip(
        ma.select(["memberid", "facilityid", "instanceid", "accesstype"]).to_pylist(),
        _np(ma, "accesstime"),
        strict=True,
    ):
        if r["instanceid"] is not None:
            (check if r["accesstype"] == "CheckIn" else out)[(r["memberid"], r["facilityid"], r["instanceid"])] = int(
                ts
            )
    minute = 60_000_000
    attended = 0
    for r, start in zip(
        ce.select(["memberid", "facilityid", "instanceid", "status"]).to_pylist(), _np(ce, "classstart"), strict=True
    ):
        key = (r["memberid"], r["facilityid"], r["instanceid"])
        if r["status"] != "Attended":
            assert key not in check, f"a {r['status']} booking with a visit for the class: {r}"
            continue
        attended += 1
        assert key in check and key in out, f"an attended booking without its visit: {r}"
        assert 5 * minute <= start - check[key] <= 15 * minute + minute, (r, start - check[key])
        assert 5 * minute <= out[key] - ends[r["instanceid"]] <= 31 * minute, r
    assert attended > 5_000
    visits_for_class = len(check)
    assert visits_for_class == attended, f"{visits_for_class} visits name a class, {attended} bookings attended"
