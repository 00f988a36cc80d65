"""Members, drawn once: who they are, where they live and train, which plan their age leads to, how often they come.

Member ids follow join order (an auto-increment key). Each member's whole enrollment history comes from
``lifecycle``, and ``memberstatus`` is read off it on the status day.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from emitter.core.arrivals import cdf_pick, shares_cdf
from emitter.core.pools import NamePools, first_names
from emitter.scenarios.fitness.calendar import JOIN_MONTH
from emitter.scenarios.fitness.clubs import Clubs, epoch_days
from emitter.scenarios.fitness.lifecycle import SUSPENDED, Charges, Enrollments, draw_lifecycles
from emitter.scenarios.fitness.settings import FitnessSettings
from emitter.scenarios.fitness.vocabulary import (
    ADULT_PLAN_SHARES,
    AREA_CODES,
    CITIES,
    CORPORATE,
    FAMILY,
    SENIOR,
    STUDENT,
)
from emitter.scenarios.tables import Catalog

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
KM_PER_DEGREE = 111.0
NEARBY_KM = 25.0
DISTANCE_CELLS = 1 << 22  # another club this close is where a member trains when not at home
HOME_SPREAD_DEG = 0.04  # members live around their club, a few km out
# ages at joining: (youngest, oldest, share)
AGE_BANDS = (
    (16, 17, 0.02),
    (18, 24, 0.19),
    (25, 34, 0.27),
    (35, 44, 0.2),
    (45, 54, 0.14),
    (55, 64, 0.11),
    (65, 85, 0.07),
)
# segments that decide the plan: (youngest, oldest, share of that age who pick it, plan)
SEGMENTS = ((16, 25, 0.6, STUDENT), (30, 50, 0.25, FAMILY), (62, 120, 0.7, SENIOR), (25, 60, 0.12, CORPORATE))
RARELY_SHARE = 0.15  # members who pay but seldom come
GENDERS = (("F", 0.52), ("M", 0.46), ("X", 0.02))  # in the order of core.pools' gender codes


@dataclass(frozen=True)
class Members:
    """Per-member arrays (index i is memberid i + 1)."""

    join: I64  # epoch day, ascending
    home: I64  # facility index
    nearby: I64  # facility index of the nearest other club within reach, else home
    weekly_visits: F64  # visits a week while active
    enrollments: Enrollments
    charges: Charges
    table: pa.Table

    @property
    def size(self) -> int:
        return int(self.join.size)


def _join_days(rng: np.random.Generator, settings: FitnessSettings, n: int) -> I64:
    """Join days over the window, following the months people sign up in."""
    v = settings.volume
    days = np.arange(epoch_days(v.members_from), epoch_days(v.members_until) + 1, dtype=np.int64)
    months = days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) % 12
    return np.sort(days[cdf_pick(rng, shares_cdf(JOIN_MONTH[months]), n)])


def _plans(rng: np.random.Generator, age: I64) -> I64:
    """Students take the student plan, families the family plan, seniors the senior plan; others by share."""
    plan = np.array(list(ADULT_PLAN_SHARES))[cdf_pick(rng, shares_cdf(list(ADULT_PLAN_SHARES.values())), age.size)]
    decided = np.zeros(age.size, dtype=bool)
    for lo, hi, share, segment in SEGMENTS:
        pick = ~decided & (age >= lo) & (age <= hi) & (rng.random(age.size) < share)
        plan[pick] = segment
        decided |= pick
    return plan.astype(np.int64)


def _nearest_clubs(lat: F64, lon: F64, clubs: Clubs) -> tuple[I64, I64]:
    """The nearest club, and the next nearest if it is within reach (else the nearest again)."""
    home = np.zeros(lat.size, dtype=np.int64)
    nearby = np.zeros(lat.size, dtype=np.int64)
    rows = max(1, DISTANCE_CELLS // clubs.size)  # a block of members at a time keeps the distance matrix small
    for lo in range(0, lat.size, rows):
        la, lo_ = lat[lo : lo + rows], lon[lo : lo + rows]
        scale = np.cos(np.radians(la))[:, None]
        km = KM_PER_DEGREE * np.hypot(la[:, None] - clubs.latitude, (lo_[:, None] - clubs.longitude) * scale)
        if clubs.size == 1:
            continue
        two = np.argpartition(km, 1, axis=1)[:, :2]
        near = np.take_along_axis(km, two, axis=1)
        first = np.argmin(near, axis=1)
        at = np.arange(la.size)
        home[lo : lo + rows] = two[at, first]
        second = two[at, 1 - first]
        nearby[lo : lo + rows] = np.where(near[at, 1 - first] <= NEARBY_KM, second, two[at, first])
    return home, nearby


def build_members(
    rng: np.random.Generator, settings: FitnessSettings, clubs: Clubs, names: NamePools, catalog: Catalog
) -> Members:
    n = settings.volume.members
    join = _join_days(rng, settings, n)
    around = cdf_pick(rng, shares_cdf(clubs.squarefeet.astype(np.float64)), n)
    lat = clubs.latitude[around] + rng.normal(0, HOME_SPREAD_DEG, n)
    lon = clubs.longitude[around] + rng.normal(0, HOME_SPREAD_DEG * 1.2, n)
    home, nearby = _nearest_clubs(lat, lon, clubs)
    band = cdf_pick(rng, shares_cdf([b[2] for b in AGE_BANDS]), n)
    lo, hi = np.array([b[0] for b in AGE_BANDS])[band], np.array([b[1] for b in AGE_BANDS])[band]
    age = lo + (rng.random(n) * (hi - lo + 1)).astype(np.int64)
    born = join - age * 365 - rng.integers(1, 365, n) - age // 4
    plan = _plans(rng, age)
    engaged = np.exp(rng.normal(np.log(settings.visits.per_week), 0.35, n))
    weekly = np.where(rng.random(n) < RARELY_SHARE, rng.uniform(0.2, 1.2, n), np.minimum(engaged, 7.0))
    enrollments, charges = draw_lifecycles(rng, join, born, plan, settings)
    status = _status(enrollments, n, epoch_days(settings.volume.members_until))
    gender = cdf_pick(rng, shares_cdf([g[1] for g in GENDERS]), n)
    first = first_names(rng, gender)  # a name that goes with the gender
    last = names.last_names.take(pa.array(rng.integers(0, len(names.last_names), n)))
    ids = np.arange(1, n + 1, dtype=np.int32)
    email = pc.utf8_lower(pc.binary_join_element_wise(first, ".", last, pa.array(ids.astype(str)), "@example.com", ""))
    city = clubs.tables["mdm.facilities"].column("city").take(pa.array(home))
    table = catalog.conform(
        "mdm.members",
        {
            "memberid": ids,
            "firstname": first,
            "lastname": last,
            "email": email,
            "phone": _phones(ids.astype(np.int64), city),
            "dateofbirth": pa.array(born.astype(np.int32)).view(pa.date32()),
            "gender": pa.array([g[0] for g in GENDERS]).take(pa.array(gender)),
            "city": city,
            "latitude": lat.round(6),
            "longitude": lon.round(6),
            "homefacilityid": (home + 1).astype(np.int32),
            "membershiptypeid": (plan + 1).astype(np.int32),
            "joindate": pa.array(join.astype(np.int32)).view(pa.date32()),
            "memberstatus": pa.array(["Active", "Suspended", "Inactive"]).take(pa.array(status)),
        },
    )
    return Members(join, home, nearby, weekly, enrollments, charges, table)


def _phones(ids: I64, city: pa.ChunkedArray) -> pa.Array:
    """``(AAA) 555-NNNN``: fictional numbers, as 555 exchanges are, with an area code of the member's city."""
    names = [c[0] for c in CITIES]
    where = np.asarray(pc.index_in(city, value_set=pa.array(names)).to_numpy(zero_copy_only=False), dtype=np.int64)
    width = max(len(codes) for codes in AREA_CODES.values())
    table = np.array([[*AREA_CODES[c], *AREA_CODES[c][:1] * (width - len(AREA_CODES[c]))] for c in names])
    count = np.array([len(AREA_CODES[c]) for c in names])
    area = table[where, ids * 7_919 % count[where]].astype(str)
    line = np.char.zfill((ids * 104_729 % 10_000).astype(str), 4)
    return pa.array(np.char.add(np.char.add(np.char.add("(", area), ") 555-"), line))


def _status(e: Enrollments, n: int, day: int) -> I64:
    """0 Active when an enrollment covers ``day``, 1 Suspended when the last one before it was, else 2 Inactive."""
    status = np.full(n, 2, dtype=np.int64)
    ended = e.end <= day
    latest = np.full(n, -1, dtype=np.int64)
    np.maximum.at(latest, e.member[ended], e.end[ended])
    last_suspended = ended & (e.end == latest[e.member]) & (e.outcome == SUSPENDED)
    status[e.member[last_suspended]] = 1
    status[e.member[(e.start <= day) & (e.end > day)]] = 0
    return status
