"""Simulated clock: days in microseconds since the epoch."""

from __future__ import annotations

from datetime import date, datetime

import numpy as np

from emitter.core.clock import MICROS_PER_DAY, date_range, day_of, day_start_us, to_datetime, yyyymmdd


def test_day_start_and_day_of() -> None:
    d = date(2024, 2, 29)
    start = day_start_us(d)
    assert to_datetime(start) == datetime(2024, 2, 29)
    assert start == int((datetime(2024, 2, 29) - datetime(1970, 1, 1)).total_seconds()) * 1_000_000
    ts = np.array([start, start + MICROS_PER_DAY - 1, start + MICROS_PER_DAY])
    assert (day_of(ts) - (d - date(1970, 1, 1)).days).tolist() == [0, 0, 1]


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
