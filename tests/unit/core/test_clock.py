"""Simulated clock: days in microseconds since the epoch."""

from __future__ import annotations

from datetime import date, datetime

from emitter.core.clock import date_range, day_start_us, yyyymmdd


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
