"""Members at full scale: age decides the plan, the home club is the nearest, joins follow the season, retention falls.

Expectations come from the requirement (the plans' age limits, "the nearest club", "January and spring over
November and December", "older cohorts retain fewer") and from the vocabulary and calendar, never from output.
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from emitter.config import load_config
from emitter.core.pools import us_names
from emitter.scenarios import open_scenario
from emitter.scenarios.fitness.calendar import JOIN_MONTH
from emitter.scenarios.fitness.settings import FitnessSettings

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]


@pytest.fixture(scope="module")
def reference() -> dict[str, pa.Table]:
    """The full-scale chain (the default settings): 10 clubs, 10,000 members who join over four years."""
    sc = open_scenario(load_config(None, {"scenario": "fitness"}, {}))
    return dict(sc.reference())


@pytest.fixture(scope="module")
def members(reference: dict[str, pa.Table]) -> pa.Table:
    return reference["mdm.members"]


def _days(t: pa.Table, name: str) -> I64:
    return np.asarray(t.column(name).cast(pa.int32()).to_numpy(), dtype=np.int64)


def _ages_at_join(members: pa.Table) -> I64:
    """Whole years between date of birth and join date (the calendar age on the join day)."""
    born = members.column("dateofbirth").to_pylist()
    joined = members.column("joindate").to_pylist()
    return np.array(
        [j.year - b.year - ((j.month, j.day) < (b.month, b.day)) for b, j in zip(born, joined, strict=True)],
        dtype=np.int64,
    )


def _plan_names(reference: dict[str, pa.Table], members: pa.Table) -> npt.NDArray[np.object_]:
    plans = reference["mdm.membershiptypes"]
    name_of = dict(zip(plans.column("membershiptypeid").to_pylist(), plans.column("typename").to_pylist(), strict=True))
    return np.array([name_of[p] for p in members.column("membershiptypeid").to_pylist()], dtype=object)


def _plan_limits(reference: dict[str, pa.Table], name: str) -> tuple[int | None, int | None]:
    plans = reference["mdm.membershiptypes"].to_pylist()
    row = next(p for p in plans if p["typename"] == name)
    return row["minage"], row["maxage"]


def test_student_and_senior_plans_respect_their_age_limits(reference: dict[str, pa.Table], members: pa.Table) -> None:
    age, plan = _ages_at_join(members), _plan_names(reference, members)
    for name in ("Student", "Senior"):
        lo, hi = _plan_limits(reference, name)
        assert lo is not None, f"{name} has a minimum age in membershiptypes"
        on = plan == name
        assert on.sum() > 100, f"too few {name} members ({on.sum()}) to say anything"
        too_young = int((age[on] < lo).sum())
        too_old = int((age[on] > hi).sum()) if hi is not None else 0
        assert too_young == too_old == 0, (
            f"{name} plan ({lo}-{hi}): {too_young} members younger, {too_old} older at join; "
            f"ages seen {age[on].min()}-{age[on].max()}"
        )


def test_age_at_join_drives_the_plan(reference: dict[str, pa.Table], members: pa.Table) -> None:
    """Students mostly take Student (or Basic), seniors mostly Senior, and Family is the plan of family ages."""
    age, plan = _ages_at_join(members), _plan_names(reference, members)
    s_lo, s_hi = _plan_limits(reference, "Student")
    assert s_lo is not None and s_hi is not None
    student_age = (age >= s_lo) & (age <= s_hi)
    student_or_basic = np.isin(plan[student_age], ["Student", "Basic"]).mean()
    assert student_or_basic > 0.5, f"members aged {s_lo}-{s_hi}: {student_or_basic:.1%} on Student or Basic"
    # the young take Student far more often than anyone else could (nobody else may)
    assert (plan[student_age] == "Student").mean() > 0.4

    senior_lo, _ = _plan_limits(reference, "Senior")
    assert senior_lo is not None
    senior_age = age >= senior_lo
    senior_share = (plan[senior_age] == "Senior").mean()
    assert senior_share > 0.5, f"members {senior_lo}+: {senior_share:.1%} on Senior"

    family_age = (age >= 30) & (age <= 50)  # parents of children at home
    family_in, family_out = (plan[family_age] == "Family").mean(), (plan[~family_age] == "Family").mean()
    assert family_in > 0.1, f"members 30-50: {family_in:.1%} on Family"
    assert family_in > 5 * family_out, f"Family: {family_in:.1%} of members 30-50, {family_out:.1%} of others"


def test_home_club_is_the_nearest_club(reference: dict[str, pa.Table], members: pa.Table) -> None:
    clubs = reference["mdm.facilities"]
    c_lat = np.asarray(clubs.column("latitude").to_numpy(), dtype=np.float64)
    c_lon = np.asarray(clubs.column("longitude").to_numpy(), dtype=np.float64)
    c_id = np.asarray(clubs.column("facilityid").to_numpy(), dtype=np.int64)
    lat = np.asarray(members.column("latitude").to_numpy(), dtype=np.float64)[:, None]
    lon = np.asarray(members.column("longitude").to_numpy(), dtype=np.float64)[:, None]
    # haversine distance to every club
    p1, p2 = np.radians(lat), np.radians(c_lat)[None, :]
    dp, dl = p2 - p1, np.radians(c_lon)[None, :] - np.radians(lon)
    km = 2 * 6371 * np.arcsin(np.sqrt(np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2))
    nearest = c_id[np.argmin(km, axis=1)]
    home = np.asarray(members.column("homefacilityid").to_numpy(), dtype=np.int64)
    share = (nearest == home).mean()
    assert share >= 0.95, f"only {share:.1%} of members have the nearest club as home"
    # and a member lives near home: within a city's reach, not across the country
    home_km = km[np.arange(home.size), np.searchsorted(c_id, home)]
    assert np.median(home_km) < 25, f"median distance to the home club {np.median(home_km):.1f} km"


def _join_rate_by_month(members: pa.Table, start: date, end: date) -> F64:
    """Joins per calendar day, by month of the year, over the join window (each month's days counted)."""
    joined = _days(members, "joindate")
    months = joined.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) % 12
    window = np.arange(np.datetime64(start), np.datetime64(end) + 1)
    window_months = window.astype("datetime64[M]").astype(np.int64) % 12
    return np.bincount(months, minlength=12) / np.bincount(window_months, minlength=12)


def test_members_join_in_january_and_spring_more_than_in_november_and_december(members: pa.Table) -> None:
    v = FitnessSettings().volume  # the default settings the members were drawn with
    rate = _join_rate_by_month(members, v.members_from, v.members_until)
    jan, spring, nov, dec = rate[0], rate[2:5].mean(), rate[10], rate[11]
    assert jan > 1.5 * max(nov, dec), f"joins a day: January {jan:.2f}, November {nov:.2f}, December {dec:.2f}"
    assert spring > 1.2 * max(nov, dec), f"joins a day: spring {spring:.2f}, November {nov:.2f}, December {dec:.2f}"
    # the month shape follows the calendar's join curve: each month's rate within 15 % of its share
    # (a month has 400-1,600 joins over the window: Poisson noise of 3-5 %)
    expected = JOIN_MONTH / JOIN_MONTH.mean() * rate.mean()
    off = np.abs(rate / expected - 1)
    assert off.max() < 0.15, f"join rates by month {np.round(rate, 2)} against {np.round(expected, 2)}"


def test_older_cohorts_retain_fewer(members: pa.Table) -> None:
    """Active share on the status day falls with the time since joining: the retention curve."""
    joined = _days(members, "joindate").astype("datetime64[D]")
    year = joined.astype("datetime64[Y]").astype(np.int64) + 1970
    active = np.asarray(pc.equal(members.column("memberstatus"), "Active").to_numpy(zero_copy_only=False))
    years = np.unique(year)
    assert years.size >= 3
    share = np.array([active[year == y].mean() for y in years])
    # each yearly cohort has ~2,500 members: a share's noise is ~1 point
    assert np.all(np.diff(share) > 0), (
        f"Active share by join year {dict(zip(years.tolist(), np.round(share, 3), strict=True))}"
    )
    assert share[-1] > share[0] + 0.15, f"newest cohort {share[-1]:.1%}, oldest {share[0]:.1%}"
    # by month too: a shuffled join order would show no trend; the real one falls steadily
    month = joined.astype("datetime64[M]").astype(np.int64)
    months = np.unique(month)
    by_month = np.array([active[month == m].mean() for m in months])
    trend = np.corrcoef(months, by_month)[0, 1]
    shuffled = np.random.default_rng(0).permutation(active)
    flat = np.corrcoef(months, [shuffled[month == m].mean() for m in months])[0, 1]
    assert trend > 0.7, f"correlation of join month and Active share {trend:.2f} (shuffled baseline {flat:.2f})"
    assert abs(flat) < 0.4


def test_memberstatus_takes_only_the_three_states(members: pa.Table) -> None:
    seen = set(members.column("memberstatus").unique().to_pylist())
    assert seen <= {"Active", "Suspended", "Inactive"}
    assert {"Active", "Inactive"} <= seen


def test_phone_numbers_carry_an_area_code_of_the_members_city(members: pa.Table) -> None:
    phones, cities = members.column("phone").to_pylist(), members.column("city").to_pylist()
    codes: dict[str, set[str]] = defaultdict(set)
    for phone, city in zip(phones, cities, strict=True):
        assert re.fullmatch(r"\(\d{3}\) 555-\d{4}", phone), phone
        codes[city].add(phone[1:4])
    assert len(codes) > 1
    # each city has its own codes: no code is shared by two cities, and a city uses only a handful
    owners = defaultdict(set)
    for city, seen in codes.items():
        assert len(seen) <= 5, (city, seen)
        for code in seen:
            owners[code].add(city)
    assert all(len(c) == 1 for c in owners.values()), {k: v for k, v in owners.items() if len(v) > 1}
    # and they are the real ones, where the chain has clubs in these cities
    real = {
        "New York": {"212", "332", "347", "646", "718", "917", "929"},
        "Los Angeles": {"213", "310", "323", "424", "747", "818"},
        "Chicago": {"312", "773", "872"},
    }
    known = set(real) & set(codes)
    assert known
    assert all(codes[c] <= real[c] for c in known), {c: codes[c] for c in known}


def test_first_names_go_with_the_gender(reference: dict[str, pa.Table]) -> None:
    female, male = set(us_names().female.to_pylist()), set(us_names().male.to_pylist())
    members = reference["mdm.members"].select(["firstname", "gender"]).to_pylist()
    assert all(m["firstname"] in female for m in members if m["gender"] == "F")
    assert all(m["firstname"] in male for m in members if m["gender"] == "M")
