"""The chain's clubs, drawn once: locations and hours, areas, equipment, staff and their certifications."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from emitter.core.arrivals import cdf_pick, shares_cdf
from emitter.core.clock import EPOCH
from emitter.core.columns import decimal_from_units
from emitter.core.pools import NamePools
from emitter.scenarios.fitness.settings import FitnessSettings
from emitter.scenarios.fitness.vocabulary import (
    AREAS,
    BRANDS,
    CITIES,
    CLASS_ROOMS,
    CLASS_TYPES,
    EQUIPMENT,
    EQUIPMENT_STATUS,
    INSTRUCTOR,
    MANAGER,
    ROLES,
)
from emitter.scenarios.tables import Catalog

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
QUARTERS = ("Downtown", "Midtown", "North", "South", "East", "West", "Riverside", "Uptown", "Park", "Central")
TWENTY_FOUR_SEVEN = 0.2  # share of clubs that never close
# equipment by area type: share of a club's machines
EQUIPMENT_SHARE = {
    "Cardio": 0.35,
    "Strength": 0.38,
    "Functional": 0.1,
    "Studio": 0.05,
    "Cycle Studio": 0.08,
    "Pool": 0.04,
}
INSTRUCTORS_PER_CLUB = 2  # at least, so every class room has someone to teach in it


@dataclass(frozen=True)
class Clubs:
    """Per-club arrays (index i is facilityid i + 1) the day generators use, and the master tables."""

    latitude: F64
    longitude: F64
    squarefeet: I64
    opens: I64  # shape (n, 2): opening hour on weekdays, at weekends
    closes: I64  # shape (n, 2): closing hour (24 = midnight)
    area_facility: I64  # per area (index i is areaid i + 1)
    area_type: I64  # index into AREAS
    area_capacity: I64
    staff_facility: I64  # per member of staff (index i is staffid i + 1)
    staff_role: pa.StringArray
    certified: npt.NDArray[np.bool_]  # shape (staff, class types)
    tables: dict[str, pa.Table]

    @property
    def size(self) -> int:
        return int(self.squarefeet.size)


def epoch_days(day: date) -> int:
    return (day - EPOCH).days


def _days_between(rng: np.random.Generator, lo: I64 | int, hi: I64 | int, n: int) -> I64:
    lo_, hi_ = np.broadcast_to(lo, n), np.broadcast_to(hi, n)
    out: I64 = (lo_ + (rng.random(n) * np.maximum(hi_ - lo_, 1)).astype(np.int64)).astype(np.int64)
    return out


def _dates(days: I64) -> pa.Array:
    return pa.array(days.astype(np.int32), type=pa.int32()).view(pa.date32())


def build_clubs(rng: np.random.Generator, settings: FitnessSettings, names: NamePools, catalog: Catalog) -> Clubs:
    v = settings.volume
    n = v.facilities
    city = cdf_pick(rng, shares_cdf([c[4] for c in CITIES]), n)
    lat = np.array([c[2] for c in CITIES])[city] + rng.normal(0, 0.04, n)
    lon = np.array([c[3] for c in CITIES])[city] + rng.normal(0, 0.05, n)
    sqft = np.clip(np.round(rng.lognormal(np.log(25_000), 0.35, n) / 500) * 500, 8_000, 80_000).astype(np.int64)
    always = rng.random(n) < TWENTY_FOUR_SEVEN
    opens = np.where(always[:, None], 0, np.stack([np.full(n, 5), rng.integers(7, 9, n)], axis=1))
    closes = np.where(always[:, None], 24, np.stack([rng.integers(22, 24, n), rng.integers(20, 23, n)], axis=1))
    opened = _days_between(rng, epoch_days(date(2008, 1, 1)), epoch_days(v.members_from - timedelta(days=60)), n)
    seen: dict[int, int] = {}
    labels = []
    for c in city.tolist():
        j = seen.get(c, 0)
        seen[c] = j + 1
        quarter = QUARTERS[j % len(QUARTERS)] + ("" if j < len(QUARTERS) else f" {j // len(QUARTERS) + 1}")
        labels.append(f"{CITIES[c][0]} {quarter}")
    ids = np.arange(1, n + 1, dtype=np.int32)
    facilities = catalog.conform(
        "mdm.facilities",
        {
            "facilityid": ids,
            "facilityname": labels,
            "city": [CITIES[c][0] for c in city.tolist()],
            "state": [CITIES[c][1] for c in city.tolist()],
            "latitude": lat.round(6),
            "longitude": lon.round(6),
            "squarefeet": sqft.astype(np.int32),
            "is24hours": always,
            "weekdayopen": opens[:, 0].astype(np.int32),
            "weekdayclose": closes[:, 0].astype(np.int32),
            "weekendopen": opens[:, 1].astype(np.int32),
            "weekendclose": closes[:, 1].astype(np.int32),
            "openeddate": _dates(opened),
            "phone": [f"({200 + c * 37 % 700}) 555-{1000 + i:04d}" for i, c in enumerate(city.tolist())],
        },
    )
    areas = _areas(rng, sqft, catalog)
    area_facility = np.asarray(areas.column("facilityid").to_numpy(), dtype=np.int64) - 1
    area_type = np.array([[a[0] for a in AREAS].index(t) for t in areas.column("areatype").to_pylist()], dtype=np.int64)
    staff, staff_facility, role = _staff(rng, settings, names, opened, sqft, catalog)
    certified, certs = _certifications(rng, staff, staff_facility, role, area_facility, area_type, catalog)
    equipment = _equipment(rng, settings, sqft, opened, area_facility, area_type, catalog)
    return Clubs(
        latitude=lat,
        longitude=lon,
        squarefeet=sqft,
        opens=opens.astype(np.int64),
        closes=closes.astype(np.int64),
        area_facility=area_facility,
        area_type=area_type,
        area_capacity=np.asarray(areas.column("capacity").to_numpy(), dtype=np.int64),
        staff_facility=staff_facility,
        staff_role=role,
        certified=certified,
        tables={
            "mdm.facilities": facilities,
            "mdm.facilityareas": areas,
            "mdm.staff": staff,
            "mdm.staffcertifications": certs,
            "mdm.equipment": equipment,
        },
    )


def _areas(rng: np.random.Generator, sqft: I64, catalog: Catalog) -> pa.Table:
    """Every club has the gym floor and a studio; bigger clubs more often have a cycle studio and a pool."""
    n = sqft.size
    present = np.ones((n, len(AREAS)), dtype=bool)
    names = [a[0] for a in AREAS]
    present[:, names.index("Cycle Studio")] = rng.random(n) < 0.7
    present[:, names.index("Pool")] = rng.random(n) < np.where(sqft > 25_000, 0.6, 0.15)
    share = np.array([a[2] for a in AREAS]) * present
    area_sqft = np.round(sqft[:, None] * share / share.sum(axis=1, keepdims=True) / 50) * 50
    facility, kind = np.nonzero(present)
    feet = area_sqft[facility, kind].astype(np.int64)
    per_person = np.array([a[1] for a in AREAS])[kind]
    return catalog.conform(
        "mdm.facilityareas",
        {
            "areaid": np.arange(1, facility.size + 1, dtype=np.int32),
            "facilityid": (facility + 1).astype(np.int32),
            "areatype": [names[k] for k in kind.tolist()],
            "areaname": [f"{names[k]} {'Floor' if k < 3 else 'Room'}" for k in kind.tolist()],
            "squarefeet": feet.astype(np.int32),
            "capacity": np.maximum(feet // per_person, 4).astype(np.int32),
        },
    )


def _staff(
    rng: np.random.Generator, settings: FitnessSettings, names: NamePools, opened: I64, sqft: I64, catalog: Catalog
) -> tuple[pa.Table, I64, pa.StringArray]:
    """A manager and two instructors per club, the rest by club size and role shares."""
    v = settings.volume
    n_clubs, n = v.facilities, v.staff
    core = 1 + INSTRUCTORS_PER_CLUB
    rest = n - core * n_clubs
    facility = np.concatenate(
        [np.repeat(np.arange(n_clubs), core), cdf_pick(rng, shares_cdf(sqft.astype(np.float64)), rest)]
    )
    role_names = [MANAGER[0], INSTRUCTOR]
    role = np.concatenate(
        [np.tile([0] + [1] * INSTRUCTORS_PER_CLUB, n_clubs), 1 + cdf_pick(rng, shares_cdf([r[1] for r in ROLES]), rest)]
    )
    role_names = [MANAGER[0], *(r[0] for r in ROLES)]
    low = np.array([MANAGER[1], *(r[2] for r in ROLES)])[role]
    high = np.array([MANAGER[2], *(r[3] for r in ROLES)])[role]
    rate_cents = np.round((low + rng.random(n) * (high - low)) * 4) * 25  # quarters of a dollar
    order = np.lexsort((role, facility))
    facility, role, rate_cents = facility[order], role[order], rate_cents[order]
    # instructors teach the timetable from the first join on, so they were hired before it; others up to the end
    teaches = np.array([name == INSTRUCTOR for name in role_names])[role]
    hired_by = np.where(teaches, epoch_days(v.members_from), epoch_days(v.members_until))
    hired = _days_between(rng, opened[facility], hired_by, n)
    first = rng.integers(0, len(names.first_names), n)
    last = rng.integers(0, len(names.last_names), n)
    firsts = names.first_names.take(pa.array(first)).to_pylist()
    lasts = names.last_names.take(pa.array(last)).to_pylist()
    roles = pa.array([role_names[r] for r in role.tolist()], type=pa.string())
    table = catalog.conform(
        "mdm.staff",
        {
            "staffid": np.arange(1, n + 1, dtype=np.int32),
            "firstname": firsts,
            "lastname": lasts,
            "email": [
                f"{f}.{s}.{i + 1}@staff.example.com".lower() for i, (f, s) in enumerate(zip(firsts, lasts, strict=True))
            ],
            "role": roles,
            "facilityid": (facility + 1).astype(np.int32),
            "hiredate": _dates(hired),
            "hourlyrate": decimal_from_units(rate_cents.astype(np.int64), 10, 2),
        },
    )
    return table, facility.astype(np.int64), roles


def _certifications(
    rng: np.random.Generator,
    staff: pa.Table,
    staff_facility: I64,
    role: pa.StringArray,
    area_facility: I64,
    area_type: I64,
    catalog: Catalog,
) -> tuple[npt.NDArray[np.bool_], pa.Table]:
    """Each instructor is certified for three to six class types that run in a room of their club."""
    room_names = [a[0] for a in AREAS]
    class_room = np.array([room_names.index(c[5]) for c in CLASS_TYPES])
    popularity = np.array([c[6] for c in CLASS_TYPES])
    has_room = np.zeros((int(staff_facility.max()) + 1, len(AREAS)), dtype=bool)
    has_room[area_facility, area_type] = True
    teaches = np.asarray(role.to_numpy(zero_copy_only=False) == INSTRUCTOR)
    certified = np.zeros((staff_facility.size, len(CLASS_TYPES)), dtype=bool)
    for s in np.flatnonzero(teaches).tolist():
        runs_here = has_room[staff_facility[s], class_room]
        weight = popularity * runs_here
        k = min(int(rng.integers(3, 7)), int(runs_here.sum()))
        certified[s, rng.choice(len(CLASS_TYPES), k, replace=False, p=weight / weight.sum())] = True
    who, what = np.nonzero(certified)
    hired = np.asarray(staff.column("hiredate").cast(pa.int32()).to_numpy(), dtype=np.int64)[who]
    return certified, catalog.conform(
        "mdm.staffcertifications",
        {
            "staffid": (who + 1).astype(np.int32),
            "classtypeid": (what + 1).astype(np.int32),
            "certifieddate": _dates(hired - rng.integers(0, 730, who.size)),
        },
    )


def _equipment(
    rng: np.random.Generator,
    settings: FitnessSettings,
    sqft: I64,
    opened: I64,
    area_facility: I64,
    area_type: I64,
    catalog: Catalog,
) -> pa.Table:
    """Machines by area type, in proportion to the club's size."""
    per_club = np.maximum(np.round(settings.volume.equipment_per_facility * sqft / 25_000), 10)
    share = np.array([EQUIPMENT_SHARE[AREAS[t][0]] for t in area_type.tolist()])
    club_total = np.bincount(area_facility, weights=share)
    count = np.maximum(np.round(per_club[area_facility] * share / club_total[area_facility]), 1).astype(np.int64)
    area = np.repeat(np.arange(area_type.size), count)
    kinds = [EQUIPMENT[AREAS[t][0]] for t in area_type.tolist()]
    pick = (rng.random(area.size) * np.array([len(kinds[a]) for a in area.tolist()])).astype(np.int64)
    gear = [kinds[a][p] for a, p in zip(area.tolist(), pick.tolist(), strict=True)]
    low = np.array([g[1] for g in gear], dtype=np.float64)
    high = np.array([g[2] for g in gear], dtype=np.float64)
    facility = area_facility[area]
    status = cdf_pick(rng, shares_cdf([s[1] for s in EQUIPMENT_STATUS]), area.size)
    return catalog.conform(
        "mdm.equipment",
        {
            "equipmentid": np.arange(1, area.size + 1, dtype=np.int32),
            "facilityid": (facility + 1).astype(np.int32),
            "areaid": (area + 1).astype(np.int32),
            "equipmenttype": [g[0] for g in gear],
            "brand": [BRANDS[b] for b in rng.integers(0, len(BRANDS), area.size).tolist()],
            "purchasedate": _dates(
                _days_between(rng, opened[facility], epoch_days(settings.volume.members_until), area.size)
            ),
            "purchaseprice": decimal_from_units(
                (np.round(low + rng.random(area.size) * (high - low)) * 100).astype(np.int64), 10, 2
            ),
            "status": [EQUIPMENT_STATUS[s][0] for s in status.tolist()],
        },
    )


def class_rooms() -> tuple[int, ...]:
    """Indices into AREAS of the rooms classes run in."""
    return tuple(i for i, a in enumerate(AREAS) if a[0] in CLASS_ROOMS)
