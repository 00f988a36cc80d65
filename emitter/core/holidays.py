"""US retail calendar dates that move from year to year."""

from __future__ import annotations

from datetime import date, timedelta


def thanksgiving(year: int) -> date:
    """Fourth Thursday of November."""
    first = date(year, 11, 1)
    first_thursday = first + timedelta(days=(3 - first.weekday()) % 7)
    return first_thursday + timedelta(weeks=3)


def black_friday(year: int) -> date:
    return thanksgiving(year) + timedelta(days=1)


def cyber_monday(year: int) -> date:
    return thanksgiving(year) + timedelta(days=4)


def named_days(year: int) -> list[tuple[date, str]]:
    """The days of ``year`` that the scenarios' calendars treat apart (closings, sales, the holiday lull)."""
    return [
        (date(year, 1, 1), "New Year's Day"),
        (date(year, 7, 4), "Independence Day"),
        (thanksgiving(year), "Thanksgiving"),
        (black_friday(year), "Black Friday"),
        (cyber_monday(year), "Cyber Monday"),
        (date(year, 12, 24), "Christmas Eve"),
        (date(year, 12, 25), "Christmas Day"),
        (date(year, 12, 26), "Boxing Day"),
        (date(year, 12, 31), "New Year's Eve"),
    ]


def holidays_between(first: date, last: date) -> list[tuple[date, str]]:
    """The named days from ``first`` to ``last`` (both included), in date order."""
    days = (d for year in range(first.year, last.year + 1) for d in named_days(year))
    return sorted(d for d in days if first <= d[0] <= last)
