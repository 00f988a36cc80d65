"""Simulated clock: days in microseconds since the epoch."""

from __future__ import annotations

from datetime import date, datetime

import numpy as np

from emitter.core.clock import date_range, day_start_us, whole_years, yyyymmdd


def test_day_start() -> None:
    start = day_start_us(date(2024, 2, 29))
    assert start == int((datetime(2024, 2, 29) - datetime(1970, 1, 1)).total_seconds()) * 1_000_000


def test_date_range_is_inclusive_and_crosses_months() -> None:
    days = date_range(date(2024, 2, 27), date(2024, 3, 2))
    assert days == [
        date(2024, 2, 27),
        date(2024, 2, 28),
        date(2024, 2, 29),
        date(2024, 3, 1),
        date(2024, 3, 2),
    ]
    assert date_range(date(2024, 1, 1), date(2024, 1, 1)) == [date(2024, 1, 1)]


def test_yyyymmdd() -> None:
    assert yyyymmdd(date(2024, 1, 5)) == 20240105
    assert yyyymmdd(date(1999, 12, 31)) == 19991231


def test_whole_years_count_a_birthday_from_its_day() -> None:
    def days(d: date) -> int:
        return (d - date(1970, 1, 1)).days

    born = np.array([days(date(2000, 2, 29)), days(date(2000, 2, 29)), days(date(1960, 12, 31))])
    on = np.array([days(date(2025, 2, 28)), days(date(2025, 3, 1)), days(date(2025, 12, 31))])
    assert whole_years(born, on).tolist() == [24, 25, 65]
