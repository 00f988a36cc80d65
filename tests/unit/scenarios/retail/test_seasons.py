"""Rate curves seen in the output: weekdays, Black Friday, the hours of the day, seasonal categories.

Expected figures come from the seed (Saturday 140 %, Monday 70 %, Black Friday 3.5x, lunch and
after-work peaks, summer outdoor goods, back-to-school in August).
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pyarrow as pa
import pytest

from emitter.scenarios.retail.catalog import CATEGORIES

from .readers import epoch_day, hour_of_day, ints, lookup, micros, strings
from .retail_data import BLACK_FRIDAY, NOVEMBER, RetailRun

# Three whole weeks of November 2024 with no holiday: Mon 4 … Sun 24.
PLAIN_WEEKS = [date(2024, 11, 4) + timedelta(days=i) for i in range(21)]


@pytest.fixture(scope="module")
def per_day(retail: RetailRun) -> dict[date, int]:
    return {day: tables["receipts"].num_rows for day, tables in retail.days(*NOVEMBER)}


@pytest.fixture(scope="module")
def plain_receipts(retail: RetailRun) -> pa.Table:
    receipts = retail.window(*NOVEMBER)["receipts"]
    day = epoch_day(micros(receipts))
    keep = (day >= epoch_day(PLAIN_WEEKS[0])) & (day <= epoch_day(PLAIN_WEEKS[-1]))
    return receipts.filter(pa.array(keep))


def test_saturday_is_twice_monday(per_day: dict[date, int]) -> None:
    average = np.mean([per_day[d] for d in PLAIN_WEEKS])
    saturday = np.mean([per_day[d] for d in PLAIN_WEEKS if d.weekday() == 5])
    monday = np.mean([per_day[d] for d in PLAIN_WEEKS if d.weekday() == 0])
    assert saturday / monday == pytest.approx(1.4 / 0.7, rel=0.1)
    assert saturday / average == pytest.approx(1.4, rel=0.08)
    assert monday / average == pytest.approx(0.7, rel=0.08)


def test_black_friday_is_three_and_a_half_november_days(per_day: dict[date, int]) -> None:
    average = np.mean([per_day[d] for d in PLAIN_WEEKS])
    assert per_day[BLACK_FRIDAY] / average == pytest.approx(3.5, rel=0.12)
    assert per_day[BLACK_FRIDAY] == max(per_day.values())


def hourly(receipts: pa.Table) -> np.ndarray:
    return np.bincount(hour_of_day(micros(receipts)).astype(int), minlength=24)


def test_lunch_and_after_work_peaks(plain_receipts: pa.Table) -> None:
    h = hourly(plain_receipts)
    lunch, mid_afternoon, morning = h[12], h[15], h[9]
    evening = h[17:20]
    assert lunch > 1.15 * mid_afternoon and lunch > 1.15 * morning
    assert (evening > 1.3 * mid_afternoon).all() and (evening > 1.3 * morning).all()
    assert h[3] < 0.05 * h[18], "the small hours are quiet"


def test_arrivals_are_not_uniform_over_open_hours(retail: RetailRun, plain_receipts: pa.Table) -> None:
    """Chi-square of receipts per hour against a flat profile, over hours every regular store is open."""
    stores = retail.master["stores"]
    row = lookup(ints(plain_receipts, "store_id"), ints(stores, "store_id"))
    regular = ~stores.column("is_24h").to_numpy(zero_copy_only=False)[row]
    h = hourly(plain_receipts.filter(pa.array(regular)))[10:20]
    expected = h.sum() / h.size
    chi2 = ((h - expected) ** 2 / expected).sum()
    assert chi2 > 200  # the 0.999 quantile with 9 degrees of freedom is 27.9
    # and not only hour by hour: arrivals inside the day are not evenly spaced
    ts = np.sort(micros(plain_receipts)[regular])
    gaps = np.diff(ts)
    assert gaps.std() > 0.5 * gaps.mean()


@pytest.fixture(scope="module")
def category_share(retail: RetailRun):
    products = retail.master["products"]
    names = [c.name for c in CATEGORIES]
    product_cat = np.array([names.index(c) for c in strings(products, "category")])

    def share(start: date, days: int) -> np.ndarray:
        lines = retail.window(start, days, ("receipt_lines",))["receipt_lines"]
        cat = product_cat[lookup(ints(lines, "product_id"), ints(products, "product_id"))]
        return np.bincount(cat, minlength=len(names)) / lines.num_rows

    return share, names


def test_outdoor_goods_sell_in_summer(category_share) -> None:
    share, names = category_share
    outdoor = names.index("OUTDOOR_GARDEN")
    july, january = share(date(2024, 7, 9), 3)[outdoor], share(date(2024, 1, 16), 3)[outdoor]
    assert july > 2.5 * january


def test_school_supplies_sell_in_august(category_share) -> None:
    share, names = category_share
    school = names.index("SCHOOL_OFFICE")
    august, march = share(date(2024, 8, 13), 3)[school], share(date(2024, 3, 12), 3)[school]
    assert august > 2 * march
    # groceries stay the bulk of baskets all year
    grocery = names.index("GROCERY")
    assert share(date(2024, 8, 13), 3)[grocery] > 0.1
