"""The door log at full scale: how often members come, at which hours, in which season, where, and for how long.

Four-week windows in January, May and July 2025 and three weeks around Christmas 2024 (some 600,000 check-ins),
plus the membership history to know who is active. Expectations come from the requirement (peaks before and
after work, a quiet Christmas Day, the home club's share in the settings), against flat baselines.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pytest

from emitter.config import load_config
from emitter.scenarios import open_scenario

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
WINDOWS = {
    "jan": (date(2025, 1, 6), 28),  # Monday 6 January to Sunday 2 February
    "may": (date(2025, 5, 5), 28),  # an ordinary month: Monday 5 May to Sunday 1 June
    "jul": (date(2025, 7, 7), 28),  # summer, after the 4th of July
    "dec": (date(2024, 12, 9), 21),  # Monday 9 to Sunday 29 December 2024: Christmas on a Wednesday
}
PEAK_HOURS = (6, 7, 8, 17, 18, 19)  # 6-9 and 17-20
MID_MORNING = (9, 10, 11)
NEARBY_KM = 25.0  # the requirement's reach of "a nearby club"
EPOCH = date(1970, 1, 1)
MICROS_PER_MINUTE = 60_000_000


def _span(start: date, n: int) -> list[date]:
    return [start + timedelta(days=i) for i in range(n)]


class Door:
    """Each window's check-ins and check-outs (paired per visit), the reference tables, and who was active."""

    def __init__(self) -> None:
        self.scenario = open_scenario(load_config(None, {"scenario": "fitness"}, {}))
        self.settings = self.scenario.settings
        self.reference = dict(self.scenario.reference())
        self.windows: dict[str, pa.Table] = {}
        for name, (start, n) in WINDOWS.items():
            days = _span(start, n)
            by_day = dict(self.scenario.days(days, ["ods.memberaccess"]))
            self.windows[name] = pa.concat_tables([by_day[d]["ods.memberaccess"] for d in days])
        history = _span(date(2022, 1, 1), (date(2025, 8, 3) - date(2022, 1, 1)).days + 1)
        by_day = dict(self.scenario.days(history, ["ods.membermemberships"]))
        self.spells = _spells(pa.concat_tables([by_day[d]["ods.membermemberships"] for d in history]))

    def visits(self, name: str) -> dict[str, Any]:
        """One entry per visit: member, facility, day (epoch), check-in and check-out (µs), for a class or not."""
        t = self.windows[name].sort_by([("visitid", "ascending"), ("accessid", "ascending")])
        kind = np.asarray(t.column("accesstype").to_numpy(zero_copy_only=False))
        ts = np.asarray(t.column("accesstime").cast(pa.int64()).to_numpy(), dtype=np.int64)
        visit = np.asarray(t.column("visitid").to_numpy(), dtype=np.int64)
        ins, outs = kind == "CheckIn", kind == "CheckOut"
        assert ins.sum() == outs.sum() and np.array_equal(visit[ins], visit[outs]), "each visit: one in, one out"
        member = np.asarray(t.column("memberid").to_numpy(), dtype=np.int64)
        facility = np.asarray(t.column("facilityid").to_numpy(), dtype=np.int64)
        assert np.array_equal(member[ins], member[outs]) and np.array_equal(facility[ins], facility[outs])
        return {
            "member": member[ins],
            "facility": facility[ins],
            "check_in": ts[ins],
            "check_out": ts[outs],
            "day": ts[ins] // 86_400_000_000,
            "for_class": np.asarray(t.column("instanceid").is_valid().to_numpy(zero_copy_only=False))[ins],
        }

    def active(self, day: date) -> set[int]:
        d = (day - EPOCH).days
        return {m for m, spans in self.spells.items() if any(a <= d <= b and not (s and a == d) for a, b, s in spans)}


def _spells(mm: pa.Table) -> dict[int, list[tuple[int, int, bool]]]:
    """Per member: (first, last covered epoch day, starts a spell) of each enrollment; open ones run on."""
    opened: dict[int, dict[str, Any]] = {}
    last: dict[int, int] = {}
    renewed: set[int] = set()
    for r in mm.select(
        ["membershipid", "memberid", "status", "startdate", "enddate", "previousmembershipid"]
    ).to_pylist():
        if r["status"] == "Active":
            opened[r["membershipid"]] = r
        else:
            last[r["membershipid"]] = (r["enddate"] - EPOCH).days
            if r["status"] == "Renewed":
                renewed.add(r["membershipid"])
    out: dict[int, list[tuple[int, int, bool]]] = defaultdict(list)
    for mid, r in opened.items():
        spell = r["previousmembershipid"] is None or r["previousmembershipid"] not in renewed
        out[r["memberid"]].append(((r["startdate"] - EPOCH).days, last.get(mid, 10**9), spell))
    return out


@pytest.fixture(scope="module")
def door() -> Door:
    return Door()


def _weekday(day: I64) -> I64:
    return (day + 3) % 7  # epoch day 0 was a Thursday; Monday is 0


def _hour(us: I64) -> I64:
    return (us // 3_600_000_000) % 24


def _clubs(door: Door) -> dict[str, I64]:
    f = door.reference["mdm.facilities"]
    cols = ("facilityid", "weekdayopen", "weekdayclose", "weekendopen", "weekendclose")
    out = {c: np.asarray(f.column(c).to_numpy(), dtype=np.int64) for c in cols}
    out["is24hours"] = np.asarray(f.column("is24hours").to_numpy(zero_copy_only=False), dtype=bool)
    return out


def test_a_member_comes_at_most_once_a_day_and_only_while_active(door: Door) -> None:
    v = door.visits("jan")
    pairs = v["member"] * 100_000 + v["day"]
    assert np.unique(pairs).size == pairs.size, "a member visits at most once a day"
    for day in (date(2025, 1, 6), date(2025, 1, 18), date(2025, 2, 2)):
        d = (day - EPOCH).days
        came = set(v["member"][v["day"] == d].tolist())
        active = door.active(day)
        assert came and came <= active, f"{day}: {len(came - active)} visitors not active that day"


def test_active_members_come_two_to_four_times_a_week_with_a_long_tail(door: Door) -> None:
    start, n = WINDOWS["may"]
    v = door.visits("may")
    # members active on every day of the window
    throughout = door.active(start) & door.active(start + timedelta(days=n - 1))
    members = np.array(sorted(throughout))
    per_week = np.bincount(v["member"], minlength=members.max() + 1)[members] / (n / 7)
    median = float(np.median(per_week))
    in_band = float(((per_week >= 2) & (per_week <= 4)).mean())
    below, above = float((per_week < 2).mean()), float((per_week > 4).mean())
    assert members.size > 2_000
    assert 2 <= median <= 4, f"median visits a week {median:.2f}"
    assert in_band > max(below, above), f"visits a week: <2 {below:.0%}, 2-4 {in_band:.0%}, >4 {above:.0%}"
    # a long right tail: the top percent come far more often than the median member
    p99 = float(np.quantile(per_week, 0.99))
    assert p99 >= 1.8 * median, f"99th percentile {p99:.2f} a week against a median of {median:.2f}"


def _checkins_by(v: dict[str, Any], weekend: bool) -> I64:
    day_kind = _weekday(v["day"]) >= 5
    return v["check_in"][day_kind == weekend]


def _flat_share(v: dict[str, Any], clubs: dict[str, I64], hours: tuple[int, ...], weekend: bool) -> float:
    """The share of check-ins in ``hours`` if every open hour of the visited club drew the same number."""
    keep = (_weekday(v["day"]) >= 5) == weekend
    idx = np.searchsorted(clubs["facilityid"], v["facility"][keep])
    opens = clubs["weekendopen" if weekend else "weekdayopen"][idx]
    closes = clubs["weekendclose" if weekend else "weekdayclose"][idx]
    in_hours = sum(((opens <= h) & (h < closes)).astype(float) for h in hours)
    return float((in_hours / (closes - opens)).mean())


def test_weekday_check_ins_peak_before_and_after_work(door: Door) -> None:
    clubs = _clubs(door)
    for name in ("jan", "may", "jul"):
        v = door.visits(name)
        hour = _hour(_checkins_by(v, weekend=False))
        share = float(np.isin(hour, PEAK_HOURS).mean())
        flat = _flat_share(v, clubs, PEAK_HOURS, weekend=False)
        assert share > 1.4 * flat, f"{name}: {share:.1%} of weekday check-ins at 6-9 and 17-20, flat {flat:.1%}"
        by_hour = np.bincount(hour, minlength=24)
        busiest = set(np.argsort(by_hour)[::-1][:4].tolist())
        assert busiest <= set(PEAK_HOURS), f"{name}: busiest weekday hours {sorted(busiest)}"


def test_weekends_are_quieter_and_peak_mid_morning(door: Door) -> None:
    clubs = _clubs(door)
    for name in ("jan", "may", "jul"):
        v = door.visits(name)
        weekend_day = _weekday(v["day"]) >= 5
        days = np.unique(v["day"])
        per_weekend_day = weekend_day.sum() / (_weekday(days) >= 5).sum()
        per_weekday = (~weekend_day).sum() / (_weekday(days) < 5).sum()
        assert per_weekend_day < 0.95 * per_weekday, f"{name}: {per_weekend_day:.0f} a weekend day, {per_weekday:.0f}"
        hour = _hour(_checkins_by(v, weekend=True))
        share = float(np.isin(hour, MID_MORNING).mean())
        flat = _flat_share(v, clubs, MID_MORNING, weekend=True)
        weekday_share = float(np.isin(_hour(_checkins_by(v, weekend=False)), MID_MORNING).mean())
        assert share > 1.4 * flat and share > 1.4 * weekday_share, (
            f"{name}: weekend check-ins 9-12 {share:.1%} (flat {flat:.1%}, weekdays {weekday_share:.1%})"
        )
        busiest = int(np.argmax(np.bincount(hour, minlength=24)))
        assert busiest in MID_MORNING, f"{name}: busiest weekend hour {busiest}"


def test_january_is_busier_than_summer(door: Door) -> None:
    rate = {}
    for name in ("jan", "jul"):
        start, n = WINDOWS[name]
        v = door.visits(name)
        active = np.mean([len(door.active(start + timedelta(days=i))) for i in (0, n // 2, n - 1)])
        rate[name] = (v["member"].size / n, v["member"].size / n / active)
    assert rate["jan"][0] > 1.1 * rate["jul"][0], (
        f"visits a day: January {rate['jan'][0]:.0f}, July {rate['jul'][0]:.0f}"
    )
    assert rate["jan"][1] > 1.1 * rate["jul"][1], (
        f"visits a day per active member: January {rate['jan'][1]:.3f}, July {rate['jul'][1]:.3f}"
    )


def test_christmas_is_quiet(door: Door) -> None:
    v = door.visits("dec")
    per_day = {
        EPOCH + timedelta(days=int(d)): int(c) for d, c in zip(*np.unique(v["day"], return_counts=True), strict=True)
    }
    holidays = {date(2024, 12, 24), date(2024, 12, 25), date(2024, 12, 26)}
    ordinary = {d: c for d, c in per_day.items() if d not in holidays and d < date(2024, 12, 24)}

    def same_weekday(day: date) -> float:
        return float(np.mean([c for d, c in ordinary.items() if d.weekday() == day.weekday()]))

    christmas = date(2024, 12, 25)
    assert per_day.get(christmas, 0) < 0.5 * same_weekday(christmas), (
        f"Christmas Day {per_day.get(christmas, 0)} visits, an ordinary Wednesday {same_weekday(christmas):.0f}"
    )
    for day in holidays:
        assert per_day.get(day, 0) < 0.8 * same_weekday(day), (
            f"{day}: {per_day.get(day, 0)}, usual {same_weekday(day):.0f}"
        )


def _km(lat: F64, lon: F64, c_lat: F64, c_lon: F64) -> F64:
    p1, p2 = np.radians(lat)[:, None], np.radians(c_lat)[None, :]
    dp, dl = p2 - p1, np.radians(c_lon)[None, :] - np.radians(lon)[:, None]
    return 2 * 6371 * np.arcsin(np.sqrt(np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2))


def test_members_train_at_home_and_otherwise_at_a_nearby_club(door: Door) -> None:
    members, clubs = door.reference["mdm.members"], door.reference["mdm.facilities"]
    home = np.asarray(members.column("homefacilityid").to_numpy(), dtype=np.int64)
    lat = np.asarray(members.column("latitude").to_numpy(), dtype=np.float64)
    lon = np.asarray(members.column("longitude").to_numpy(), dtype=np.float64)
    c_id = np.asarray(clubs.column("facilityid").to_numpy(), dtype=np.int64)
    km = _km(
        lat, lon, np.asarray(clubs.column("latitude").to_numpy()), np.asarray(clubs.column("longitude").to_numpy())
    )
    other = km.copy()
    other[np.arange(home.size), np.searchsorted(c_id, home)] = np.inf
    has_neighbour = other.min(axis=1) <= NEARBY_KM
    v = {k: np.concatenate([door.visits(n)[k] for n in ("jan", "may", "jul")]) for k in ("member", "facility")}
    at_home = v["facility"] == home[v["member"] - 1]
    near = has_neighbour[v["member"] - 1]
    overall = float(at_home.mean())
    assert overall >= door.settings.visits.home_share - 0.02, f"{overall:.1%} of visits at the home club"
    assert near.sum() > 10_000, f"only {near.sum()} visits of members with another club within {NEARBY_KM:.0f} km"
    share = float(at_home[near].mean())
    # >10,000 visits, each away with the same chance: the share's noise is under half a point
    assert abs(share - door.settings.visits.home_share) <= 0.02, (
        f"members with another club nearby: {share:.1%} of visits at home, settings {door.settings.visits.home_share}"
    )
    assert at_home[~near].all(), "members with no other club nearby always train at home"
    away = ~at_home
    dist = km[v["member"][away] - 1, np.searchsorted(c_id, v["facility"][away])]
    assert (dist <= NEARBY_KM + 1).all(), f"away visits up to {dist.max():.0f} km from home"


def test_a_stay_is_a_realistic_workout(door: Door) -> None:
    v = door.visits("may")
    stay = (v["check_out"] - v["check_in"]) / MICROS_PER_MINUTE
    assert (stay > 0).all(), "check-out after check-in"
    assert (v["check_out"] // 86_400_000_000 == v["day"]).all(), "check-out on the check-in's day"
    median = float(np.median(stay))
    assert 40 <= median <= 90, f"median stay {median:.0f} min"
    assert np.quantile(stay, 0.99) <= 240, "nobody stays half a day"


def test_visits_fall_inside_opening_hours_and_only_24_7_clubs_see_nights(door: Door) -> None:
    clubs = _clubs(door)
    night_24, night_other, visits_24 = 0, 0, 0
    for name in WINDOWS:
        v = door.visits(name)
        idx = np.searchsorted(clubs["facilityid"], v["facility"])
        weekend = _weekday(v["day"]) >= 5
        opens = np.where(weekend, clubs["weekendopen"][idx], clubs["weekdayopen"][idx])
        closes = np.where(weekend, clubs["weekendclose"][idx], clubs["weekdayclose"][idx])
        midnight = v["day"] * 86_400_000_000
        hour_us = 3_600_000_000
        early = v["check_in"] < midnight + opens * hour_us
        late = v["check_out"] > midnight + closes * hour_us
        assert not early.any() and not late.any(), f"{name}: {early.sum()} check-ins before opening, {late.sum()} after"
        always = clubs["is24hours"][idx]
        assert (opens[always] == 0).all() and (closes[always] == 24).all()
        night = _hour(v["check_in"]) < 5
        night_24 += int((night & always).sum())
        night_other += int((night & ~always).sum())
        visits_24 += int(always.sum())
    assert visits_24 > 0, "the full-scale chain has a 24/7 club"
    assert night_24 > 0.005 * visits_24, f"{night_24} night check-ins of {visits_24} at 24/7 clubs"
    assert night_other == 0
