"""The moving US retail holidays."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from emitter.core.holidays import black_friday, cyber_monday, holidays_between, thanksgiving


def test_known_holidays() -> None:
    assert thanksgiving(2023) == date(2023, 11, 23)
    assert thanksgiving(2024) == date(2024, 11, 28)
    assert black_friday(2024) == date(2024, 11, 29)
    assert black_friday(2023) == date(2023, 11, 24)
    assert cyber_monday(2024) == date(2024, 12, 2)


@pytest.mark.parametrize("year", range(1990, 2060))
def test_thanksgiving_is_the_fourth_thursday(year: int) -> None:
    day = thanksgiving(year)
    thursdays = [date(year, 11, d) for d in range(1, 31) if date(year, 11, d).weekday() == 3]
    assert day == thursdays[3]
    assert black_friday(year).weekday() == 4 and black_friday(year) - day == timedelta(days=1)
    assert cyber_monday(year).weekday() == 0 and cyber_monday(year) - day == timedelta(days=4)


def test_holidays_between_names_the_days_in_range_in_order() -> None:
    found = holidays_between(date(2024, 11, 25), date(2025, 1, 1))

    assert found == [
        (date(2024, 11, 28), "Thanksgiving"),
        (date(2024, 11, 29), "Black Friday"),
        (date(2024, 12, 2), "Cyber Monday"),
        (date(2024, 12, 24), "Christmas Eve"),
        (date(2024, 12, 25), "Christmas Day"),
        (date(2024, 12, 26), "Boxing Day"),
        (date(2024, 12, 31), "New Year's Eve"),
        (date(2025, 1, 1), "New Year's Day"),
    ]
    assert holidays_between(date(2024, 3, 4), date(2024, 3, 10)) == []
    assert holidays_between(date(2024, 7, 4), date(2024, 7, 4)) == [(date(2024, 7, 4), "Independence Day")]
