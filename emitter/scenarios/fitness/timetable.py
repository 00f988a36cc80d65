"""Each club's weekly class timetable: rooms, start times inside opening hours, certified instructors."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from emitter.scenarios.fitness.calendar import WEEKDAY_HOURS, WEEKEND_HOURS
from emitter.scenarios.fitness.clubs import Clubs, class_rooms, epoch_days
from emitter.scenarios.fitness.members import Members
from emitter.scenarios.fitness.settings import FitnessSettings
from emitter.scenarios.fitness.vocabulary import AREAS, CLASS_TYPES
from emitter.scenarios.tables import Catalog

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
# start times (minutes after midnight) a room may hold a class: before work, mid-morning, at lunch, after work
# and late; weekend mornings and late afternoon. Afternoons are left to the gym floor, as in most clubs.
WEEKDAY_STARTS = (
    6 * 60,
    7 * 60,
    9 * 60 + 30,
    10 * 60 + 45,
    12 * 60 + 15,
    17 * 60 + 30,
    18 * 60 + 30,
    19 * 60 + 30,
    20 * 60 + 30,
)
WEEKEND_STARTS = (8 * 60, 9 * 60 + 15, 10 * 60 + 30, 11 * 60 + 45, 16 * 60 + 30)
# how much a room is in demand for classes, against the others
ROOM_USE = {"Studio": 1.0, "Cycle Studio": 0.9, "Functional": 0.7, "Pool": 0.4}
TARGET_ATTENDANCE = 12  # class-goers a session is planned for
MIN_WEEKLY_CLASSES = 7
DOORS_OPEN_BEFORE_MIN = 30  # a class starts this long after opening at the earliest
DOORS_CLOSE_AFTER_MIN = 45  # and ends this long before closing


@dataclass(frozen=True)
class Timetable:
    """Per weekly slot (index i is scheduleid i + 1)."""

    facility: I64
    class_type: I64
    instructor: I64
    weekday: I64  # 0 = Monday
    start_min: I64
    duration_min: I64
    capacity: I64
    popularity: F64
    table: pa.Table

    @property
    def size(self) -> int:
        return int(self.facility.size)


def weekly_classes(members: Members, clubs: Clubs, settings: FitnessSettings, window: tuple[int, int]) -> I64:
    """How many classes a week each club runs: enough for its class-goers at about ``TARGET_ATTENDANCE`` each."""
    e = members.enrollments
    lo, hi = window
    covered = np.clip(np.minimum(e.end, hi) - np.maximum(e.start, lo), 0, None)
    home = members.home[e.member]
    active = np.bincount(home, weights=covered, minlength=clubs.size) / max(hi - lo, 1)
    rate = np.bincount(members.home, weights=members.weekly_visits, minlength=clubs.size)
    per_member = rate / np.maximum(np.bincount(members.home, minlength=clubs.size), 1)
    goers = active * per_member * settings.visits.class_share
    return np.maximum(np.round(goers / TARGET_ATTENDANCE), MIN_WEEKLY_CLASSES).astype(np.int64)


def build_timetable(
    rng: np.random.Generator, clubs: Clubs, members: Members, settings: FitnessSettings, catalog: Catalog
) -> Timetable:
    """Per club, its weekly number of slots, busy hours first; each a class type someone at the club teaches,
    taught by a free certified instructor.

    A slot takes a class only if its room and an instructor are free for the class's whole length, so a long
    class never overlaps the next start in its room or its instructor's next class.
    """
    room_names = [a[0] for a in AREAS]
    class_room = np.array([room_names.index(c[5]) for c in CLASS_TYPES])
    duration = np.array([c[2] for c in CLASS_TYPES])
    places = np.array([c[4] for c in CLASS_TYPES])
    popularity = np.array([c[6] for c in CLASS_TYPES])
    rooms = class_rooms()
    v = settings.volume
    wanted = weekly_classes(members, clubs, settings, (epoch_days(v.members_from), epoch_days(v.members_until)))
    rows: list[tuple[int, int, int, int, int, int, int]] = []
    for club in range(clubs.size):
        staff = np.flatnonzero(clubs.staff_facility == club)
        certified = clubs.certified[staff]
        areas = [a for a in np.flatnonzero(clubs.area_facility == club).tolist() if clubs.area_type[a] in rooms]
        slots = _candidate_slots(clubs, club, areas)
        if not slots:
            continue
        # busy hours and the rooms in demand are timetabled first; a slot that can't be filled gives way to the next
        score = np.array([_hours(w)[m // 15] * ROOM_USE[room_names[clubs.area_type[a]]] for w, m, a in slots])
        k = min(int(wanted[club]), len(slots))
        room_busy: dict[tuple[int, int], list[tuple[int, int]]] = {}  # (weekday, area): its classes' minutes
        staff_busy: dict[int, list[tuple[int, int, int]]] = {}  # weekday: (instructor, from, to) of its classes
        placed: list[tuple[int, int, int, int, int, int, int]] = []
        for i in rng.choice(len(slots), len(slots), replace=False, p=score / score.sum()).tolist():
            if len(placed) == k:
                break
            weekday, start, area = slots[i]
            ends = start + duration
            closes = clubs.closes[club, int(weekday >= 5)] * 60
            fits = (class_room == clubs.area_type[area]) & (ends + DOORS_CLOSE_AFTER_MIN <= closes)
            for s0, e0 in room_busy.get((weekday, area), ()):
                fits &= (e0 <= start) | (s0 >= ends)
            busy = np.zeros(certified.shape, dtype=bool)  # (instructor, class type): teaching then
            for who, s0, e0 in staff_busy.get(weekday, ()):
                busy[who] |= (s0 < ends) & (e0 > start)
            teachable = fits & (certified & ~busy).any(axis=0)
            if not teachable.any():
                continue
            # any class the room and the free instructors allow: popularity shows in bookings, not in slots
            kind = int(rng.choice(np.flatnonzero(teachable)))
            free = np.flatnonzero(certified[:, kind] & ~busy[:, kind])
            who = int(free[rng.integers(0, free.size)])
            room_busy.setdefault((weekday, area), []).append((start, int(ends[kind])))
            staff_busy.setdefault(weekday, []).append((who, start, int(ends[kind])))
            capacity = int(min(places[kind], clubs.area_capacity[area]))
            placed.append((club, area, kind, int(staff[who]), weekday, start, capacity))
        rows.extend(sorted(placed, key=lambda r: (r[4], r[5], r[1])))  # scheduleids in time order
    a = np.array(rows, dtype=np.int64).reshape(-1, 7)
    clubs_, areas_, kinds, instructors, weekdays, starts, capacities = (np.ascontiguousarray(a[:, i]) for i in range(7))
    table = catalog.conform(
        "ods.classschedules",
        {
            "scheduleid": np.arange(1, a.shape[0] + 1, dtype=np.int32),
            "facilityid": (clubs_ + 1).astype(np.int32),
            "areaid": (areas_ + 1).astype(np.int32),
            "classtypeid": (kinds + 1).astype(np.int32),
            "instructorid": (instructors + 1).astype(np.int32),
            "dayofweek": (weekdays + 1).astype(np.int32),
            "starttime": [f"{m // 60:02d}:{m % 60:02d}" for m in starts.tolist()],
            "durationminutes": duration[kinds].astype(np.int32),
            "capacity": capacities.astype(np.int32),
        },
    )
    return Timetable(
        clubs_, kinds, instructors, weekdays, starts, duration[kinds], capacities, popularity[kinds], table
    )


def _hours(weekday: int) -> npt.NDArray[np.float64]:
    return WEEKEND_HOURS if weekday >= 5 else WEEKDAY_HOURS


def _candidate_slots(clubs: Clubs, club: int, areas: list[int]) -> list[tuple[int, int, int]]:
    """(weekday, start minute, area) of every start time a class room could hold inside opening hours."""
    out: list[tuple[int, int, int]] = []
    for weekday in range(7):
        weekend = weekday >= 5
        opens = clubs.opens[club, int(weekend)] * 60
        for start in WEEKEND_STARTS if weekend else WEEKDAY_STARTS:
            if start >= opens + DOORS_OPEN_BEFORE_MIN:
                out.extend((weekday, start, area) for area in areas)
    return out
