"""Time: evenings busier than mornings, weekends than weekdays, phones in the evening, sale days surging."""

from __future__ import annotations

import numpy as np

from .ecommerce_data import (
    BLACK_FRIDAY,
    CYBER_MONDAY,
    MARCH,
    ORDINARY_AROUND,
    SALE_WEEKS,
    hours,
    human_sessions,
    ints,
    strings,
)

MICROS_PER_DAY = 86_400_000_000


def test_evenings_are_busier_than_mornings(march) -> None:
    hour = hours(human_sessions(march), "started_at")
    evening, morning = np.isin(hour, [19, 20, 21]).sum(), np.isin(hour, [7, 8, 9]).sum()
    # thousands of sessions in each band: a 30 % gap is many standard deviations
    assert evening > 1.3 * morning, (evening, morning)
    # and the night is the quietest time of all
    assert np.isin(hour, [2, 3, 4]).sum() < morning


def test_weekends_are_busier_than_weekdays(shop) -> None:
    per_day = {day: human_sessions(tables).num_rows for day, tables in shop.days(*MARCH).items()}
    weekend = np.mean([n for d, n in per_day.items() if d.weekday() >= 5])
    weekday = np.mean([n for d, n in per_day.items() if d.weekday() < 5])
    # ~1,500 sessions a day: a day's count varies by ~3 %, a mean over six weekend days by ~1.1 %
    assert weekend > 1.05 * weekday, (weekend, weekday)


def test_phones_take_a_larger_share_in_the_evening(march) -> None:
    human = human_sessions(march)
    hour, device = hours(human, "started_at"), strings(human, "device_type")
    evening = (device[np.isin(hour, [19, 20, 21])] == "mobile").mean()
    afternoon = (device[np.isin(hour, [13, 14, 15])] == "mobile").mean()
    # ~5k sessions in each band: the standard error of each share is under a point
    assert evening > afternoon + 0.04, (evening, afternoon)


def test_black_friday_and_cyber_monday_surge(shop) -> None:
    days = shop.days(*SALE_WEEKS)
    per_day = {d: human_sessions(t).num_rows for d, t in days.items()}
    ordinary = np.mean([per_day[d] for d in ORDINARY_AROUND])
    assert per_day[BLACK_FRIDAY] > 2 * ordinary, (per_day[BLACK_FRIDAY], ordinary)
    assert per_day[CYBER_MONDAY] > 2 * ordinary, (per_day[CYBER_MONDAY], ordinary)
    # and orders surge with them (more sessions, and more of them buying)
    placed = {d: int((strings(t["orders"], "status") == "placed").sum()) for d, t in days.items()}
    ordinary_orders = np.mean([placed[d] for d in ORDINARY_AROUND])
    assert placed[BLACK_FRIDAY] > 3 * ordinary_orders, (placed[BLACK_FRIDAY], ordinary_orders)
    starts = ints(days[BLACK_FRIDAY]["sessions"], "started_at") // MICROS_PER_DAY
    assert (starts == starts[0]).all()
