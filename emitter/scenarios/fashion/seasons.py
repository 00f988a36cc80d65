"""Two collections a year and the sales that clear them: one definition for catalogue, calendar and pricing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

SPRING_SUMMER, AUTUMN_WINTER, ALL_SEASON = "spring_summer", "autumn_winter", "all_season"
CORE = "CORE"  # the all-season range: never launched, never cleared


@dataclass(frozen=True)
class Collection:
    """One season's collection: on sale from ``launch``; its leftovers are marked down from ``clearance``."""

    code: str  # SS25, AW25
    season: str
    launch: date
    clearance: date  # the first day of the sale that clears it: summer sale for SS, January sale for AW


def collection(season: str, year: int) -> Collection:
    if season == SPRING_SUMMER:
        return Collection(f"SS{year % 100:02d}", season, date(year, 2, 1), date(year, 6, 27))
    return Collection(f"AW{year % 100:02d}", season, date(year, 8, 1), date(year, 12, 27))


def collections(first: date, last: date) -> tuple[Collection, ...]:
    """Every collection on sale from ``first`` to ``last`` (the two selling on ``first`` too), in launch order."""
    found = [collection(s, y) for y in range(first.year - 1, last.year + 1) for s in (SPRING_SUMMER, AUTUMN_WINTER)]
    on_sale = [c for c in found if c.launch <= last]
    before = [c for c in on_sale if c.launch <= first]
    return tuple(c for c in on_sale if c.launch > first or c is before[-1] or c is before[-2])
