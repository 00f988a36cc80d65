"""Simulated time: days in microseconds since the Unix epoch, split into 15-minute slots."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import numpy.typing as npt

MICROS_PER_SECOND = 1_000_000
MICROS_PER_MINUTE = 60 * MICROS_PER_SECOND
MICROS_PER_HOUR = 60 * MICROS_PER_MINUTE
MICROS_PER_DAY = 24 * MICROS_PER_HOUR
MINUTES_PER_DAY = 24 * 60
SLOT_MINUTES = 15
SLOTS_PER_DAY = MINUTES_PER_DAY // SLOT_MINUTES
MICROS_PER_SLOT = SLOT_MINUTES * MICROS_PER_MINUTE
EPOCH = date(1970, 1, 1)
# The calendar the model covers: wide enough for any history or future a user asks for, narrow enough
# that a week of warm-up before it and timestamps after it stay inside what dates and int64 micros hold.
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2999, 12, 31)


def day_start_us(day: date) -> int:
    """Midnight of ``day`` in microseconds since the epoch (timestamps are naive wall-clock, stored as UTC)."""
    return (day - EPOCH).days * MICROS_PER_DAY


def date_range(start: date, end: date) -> list[date]:
    """Inclusive list of days."""
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def yyyymmdd(day: date) -> int:
    return day.year * 10_000 + day.month * 100 + day.day


def whole_years(born: npt.NDArray[np.int64], on: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Whole years from day ``born`` to day ``on`` (days since 1970): an age, a birthday counting from its day."""

    def year_and_day(days: npt.NDArray[np.int64]) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        d = np.asarray(days, dtype="datetime64[D]")
        year, month = d.astype("datetime64[Y]"), d.astype("datetime64[M]")
        of_year = (month - year.astype("datetime64[M]")).astype(np.int64) * 100 + (
            d - month.astype("datetime64[D]")
        ).astype(np.int64)
        return year.astype(np.int64), of_year

    (born_year, born_day), (year, day) = year_and_day(born), year_and_day(on)
    age: npt.NDArray[np.int64] = year - born_year - (day < born_day)
    return age
