"""Enrollments over the whole history: early churn, seasonal starts, the corporate discount, status from the rows.

The small chain's whole history (2022-2025) is generated once and members' status is rebuilt from it; the
churn and season statistics use the full-scale chain's history, whose 10,000 members make them sharp.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np
import pytest

from .fitness_data import HISTORY, money_history

CLOSING = {"Renewed", "Cancelled", "Expired", "Suspended"}


class History:
    """Reference tables and every membership row of the history, as dicts, with each enrollment's rows."""

    def __init__(self, preset: str | None) -> None:
        self.scenario, memberships, _ = money_history(preset or "full-scale")
        self.reference = dict(self.scenario.reference())
        self.rows: list[dict[str, Any]] = memberships.to_pylist()
        self.opened: dict[int, dict[str, Any]] = {}
        self.closed: dict[int, dict[str, Any]] = {}
        for r in self.rows:
            target = self.opened if r["status"] == "Active" else self.closed
            assert r["membershipid"] not in target, f"two {r['status']} rows of {r['membershipid']}"
            target[r["membershipid"]] = r
        self.by_member: dict[int, list[int]] = defaultdict(list)
        for mid in sorted(self.opened):
            self.by_member[self.opened[mid]["memberid"]].append(mid)

    def last_covered(self, mid: int) -> date | None:
        """The enrollment's last covered day, or None while it still runs at the end of the history."""
        closed = self.closed.get(mid)
        return None if closed is None else closed["enddate"]


@pytest.fixture(scope="module")
def small() -> History:
    return History("small")


@pytest.fixture(scope="module")
def full() -> History:
    return History(None)


def test_every_enrollment_opens_once_and_closes_at_most_once(small: History) -> None:
    assert set(small.closed) <= set(small.opened)
    for mid, r in small.closed.items():
        assert r["status"] in CLOSING
        assert r["changedat"].date() == r["enddate"] + timedelta(days=1), r
        assert r["startdate"] == small.opened[mid]["startdate"]
    for r in small.opened.values():
        assert r["changedat"].date() == r["startdate"]
        assert r["enddate"] == _months_after(r["startdate"], 12) - timedelta(days=1), r


def _months_after(day: date, months: int) -> date:
    """The same day of the month ``months`` later (or that month's last day)."""
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    return min(date(year, month, 1) + timedelta(days=day.day - 1), nxt - timedelta(days=1))


def test_memberstatus_follows_from_the_enrollment_rows(small: History) -> None:
    """Active iff an enrollment covers the status day; Suspended iff the last one before it was; else Inactive."""
    status_day = small.scenario.settings.volume.members_until
    members = small.reference["mdm.members"].to_pylist()
    wrong: list[tuple[int, str, str]] = []
    for m in members:
        mids = small.by_member[m["memberid"]]
        assert mids, f"member {m['memberid']} has no enrollment"
        covering = [
            mid
            for mid in mids
            if small.opened[mid]["startdate"] <= status_day
            and ((last := small.last_covered(mid)) is None or last >= status_day)
        ]
        if covering:
            expected = "Active"
        else:
            ended = [mid for mid in mids if (last := small.last_covered(mid)) is not None and last < status_day]
            latest = max(ended, key=lambda mid: small.closed[mid]["enddate"])
            expected = "Suspended" if small.closed[latest]["status"] == "Suspended" else "Inactive"
        if m["memberstatus"] != expected:
            wrong.append((m["memberid"], m["memberstatus"], expected))
    assert not wrong, f"{len(wrong)} of {len(members)} members' status differs from their rows: {wrong[:5]}"


def test_members_plan_and_join_date_are_those_of_their_first_enrollment(small: History) -> None:
    for m in small.reference["mdm.members"].to_pylist():
        first = small.opened[small.by_member[m["memberid"]][0]]
        assert first["membershipid"] == m["memberid"] * 100
        assert first["previousmembershipid"] is None
        assert first["startdate"] == m["joindate"]
        assert first["membershiptypeid"] == m["membershiptypeid"]


def test_renewals_chain_to_the_previous_enrollment(small: History) -> None:
    plans = {p["membershiptypeid"]: p for p in small.reference["mdm.membershiptypes"].to_pylist()}
    renewed = returns = signed_again = 0
    for mid, r in small.opened.items():
        n = mid % 100
        if n == 0:
            assert r["previousmembershipid"] is None
            continue
        prev = r["previousmembershipid"]
        assert prev == mid - 1, r
        before = small.closed.get(prev)
        assert before is not None, f"{mid} follows {prev}, which never closed"
        if before["status"] == "Renewed":
            renewed += 1
            assert r["startdate"] == before["enddate"] + timedelta(days=1), (before, r)
            assert r["changedat"].date() == before["changedat"].date()
            assert r["changedat"] > before["changedat"]
            assert r["billing"] == before["billing"]
            # the plan goes on, unless the member outgrew it (a student past 25 moves to Standard)
            if r["membershiptypeid"] != before["membershiptypeid"]:
                assert plans[before["membershiptypeid"]]["maxage"] is not None, (before, r)
                assert plans[r["membershiptypeid"]]["typename"] == "Standard", (before, r)
        elif before["status"] == "Expired" and not plans[before["membershiptypeid"]]["autorenewdefault"]:
            # a plan without auto-renewal: the member staying on signs up again the day it expires
            signed_again += 1
            assert r["startdate"] == before["enddate"] + timedelta(days=1), (before, r)
            assert 9 <= r["changedat"].hour < 19, r
        else:
            returns += 1
            assert r["startdate"] > before["enddate"] + timedelta(days=1), (before, r)
    # a 'Renewed' row is always followed by its renewal the same day
    for mid, r in small.closed.items():
        if r["status"] == "Renewed":
            nxt = small.opened.get(mid + 1)
            assert nxt is not None and nxt["startdate"] == r["enddate"] + timedelta(days=1), r
    assert renewed > 50 and returns > 10 and signed_again > 0, (renewed, returns, signed_again)


def test_plans_without_auto_renewal_never_renew(full: History) -> None:
    manual = {p["membershiptypeid"] for p in full.reference["mdm.membershiptypes"].to_pylist()}
    manual -= {
        p["membershiptypeid"] for p in full.reference["mdm.membershiptypes"].to_pylist() if p["autorenewdefault"]
    }
    assert manual
    ends = [r["status"] for r in full.closed.values() if r["membershiptypeid"] in manual]
    assert ends and "Renewed" not in ends and "Expired" in ends, set(ends)


def test_every_enrollment_fits_the_age_band_of_its_plan(full: History) -> None:
    plans = {p["membershiptypeid"]: p for p in full.reference["mdm.membershiptypes"].to_pylist()}
    born = {m["memberid"]: m["dateofbirth"] for m in full.reference["mdm.members"].to_pylist()}
    checked = moved = 0
    for r in full.opened.values():
        plan = plans[r["membershiptypeid"]]
        b, on = born[r["memberid"]], r["startdate"]
        age = on.year - b.year - ((on.month, on.day) < (b.month, b.day))
        assert (plan["minage"] or 0) <= age <= (plan["maxage"] or 1_000), (age, plan["typename"], r)
        checked += 1
        before = full.opened.get(r["membershipid"] - 1)
        moved += before is not None and before["membershiptypeid"] != r["membershiptypeid"]
    # ten thousand members over four years: students grow out of their plan at renewal
    assert checked > 10_000 and moved > 10, (checked, moved)


def test_annual_enrollments_are_never_cancelled_and_monthly_ones_expire_only_without_auto_renewal(
    small: History,
) -> None:
    renewing = {
        p["membershiptypeid"] for p in small.reference["mdm.membershiptypes"].to_pylist() if p["autorenewdefault"]
    }
    ends: dict[str, set[str]] = defaultdict(set)
    for r in small.closed.values():
        ends[r["billing"]].add(r["status"])
        assert not (r["billing"] == "Monthly" and r["status"] == "Expired" and r["membershiptypeid"] in renewing), r
    assert "Cancelled" not in ends["Annual"], ends
    assert "Expired" in ends["Annual"] and "Cancelled" in ends["Monthly"], ends


def test_corporate_enrollments_carry_the_discount_and_others_do_not(full: History) -> None:
    plans = {p["membershiptypeid"]: p for p in full.reference["mdm.membershiptypes"].to_pylist()}
    assert plans and any(p["corporatediscountpct"] > 0 for p in plans.values())
    seen_corporate = 0
    for r in full.opened.values():
        plan = plans[r["membershiptypeid"]]
        base = plan["annualprice"] if r["billing"] == "Annual" else plan["monthlyprice"]
        pct = plan["corporatediscountpct"]
        if plan["typename"] == "Corporate":
            seen_corporate += 1
            assert r["discountpct"] == pct > 0, r
        else:
            assert r["discountpct"] == 0, r
        price = (base * (1 - pct / Decimal(100))).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        assert r["price"] == price, (r, base, pct)
    assert seen_corporate > 100


def _first_spells(h: History) -> tuple[np.ndarray, np.ndarray]:
    """Each member's first spell: (months from joining to its last covered day or the history's end, ended?)."""
    end = HISTORY[1]
    months, ended = [], []
    for mids in h.by_member.values():
        start = h.opened[mids[0]]["startdate"]
        last: date | None = None
        for mid in mids:
            closed = h.closed.get(mid)
            if closed is None:
                break
            if closed["status"] != "Renewed":
                last = closed["enddate"]
                break
        stop = end if last is None else last
        months.append(((stop - start).days + 1) / (365.25 / 12))
        ended.append(last is not None)
    return np.array(months), np.array(ended)


def _hazard(months: np.ndarray, ended: np.ndarray, lo: float, hi: float) -> float:
    """Leavers per member-month at risk between ``lo`` and ``hi`` months of membership."""
    exposure = np.clip(months, lo, hi) - lo
    events = ended & (months > lo) & (months <= hi)
    return float(events.sum() / exposure.sum())


def test_new_members_churn_more_in_their_first_three_months(full: History) -> None:
    months, ended = _first_spells(full)
    early = _hazard(months, ended, 0, 3)
    later = _hazard(months, ended, 3, 36)
    # ~10,000 members: some 1,500 leave in the first three months, thousands later; noise is a few percent
    assert early > 1.5 * later, f"monthly hazard: first 3 months {early:.3f}, after {later:.3f}"
    # a constant hazard (geometric tenure) would give a ratio near 1; later leaving still happens at about
    # the settings' monthly churn
    s = full.scenario.settings.memberships
    assert later > s.monthly_churn * 0.5, f"hazard after 3 months {later:.3f} against monthly_churn {s.monthly_churn}"


def test_enrollment_starts_are_seasonal(full: History) -> None:
    starts = [r["startdate"] for r in full.opened.values()]
    by_month = np.bincount([d.month - 1 for d in starts], minlength=12)
    jan, dec = by_month[0] / 31, by_month[11] / 31
    assert jan > 1.3 * dec, f"enrollment starts a day: January {jan:.1f}, December {dec:.1f}"
    first_ever = [r["startdate"] for r in full.opened.values() if r["previousmembershipid"] is None]
    firsts = np.bincount([d.month - 1 for d in first_ever], minlength=12)
    assert firsts[0] > 2 * firsts[11], f"first enrollments: January {firsts[0]}, December {firsts[11]}"
