"""Same seed, same tables; another seed, other tables; a day alone equals the same day after its predecessors."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from .ecommerce_data import PER_DAY_TABLES, SALE_WEEKS, Shop

DAYS = [date(2024, 12, 1), date(2024, 12, 2)]


@pytest.fixture(scope="module")
def seed7() -> dict[date, dict]:
    return dict(Shop(seed=7).scenario.days(DAYS, None))


def test_the_same_seed_gives_identical_tables(seed7) -> None:
    again = Shop(seed=7)
    assert all(a.equals(b) for a, b in zip(Shop(seed=7).reference.values(), again.reference.values(), strict=True))
    for day, tables in dict(again.scenario.days(DAYS, None)).items():
        for name in PER_DAY_TABLES:
            assert tables[name].equals(seed7[day][name]), (day, name)


def test_another_seed_gives_other_tables(seed7) -> None:
    other = dict(Shop(seed=8).scenario.days(DAYS, None))
    for name in ("sessions", "clickstream", "orders", "order_items"):
        assert not other[DAYS[0]][name].equals(seed7[DAYS[0]][name]), name
    assert not Shop(seed=8).reference["customers"].equals(Shop(seed=7).reference["customers"])


@pytest.mark.parametrize("offset", [3, 8, 13])  # Thu 28 Nov (mid-week), Tue 3 Dec (after a Monday), Sun 8 Dec
def test_a_day_alone_equals_the_same_day_after_its_predecessors(shop, offset) -> None:
    day = SALE_WEEKS[0] + timedelta(days=offset)
    after = shop.days(*SALE_WEEKS)[day]
    alone = dict(shop.scenario.days([day], None))[day]
    for name in PER_DAY_TABLES:
        assert alone[name].equals(after[name]), name
