"""Retail rate curves: season × holiday × weekday × hour of day, and seasonal category demand."""

from __future__ import annotations

from datetime import date

import numpy as np
import numpy.typing as npt

from emitter.core.arrivals import hour_curve
from emitter.core.holidays import black_friday, cyber_monday, thanksgiving
from emitter.scenarios.retail.catalog import CATEGORIES, CATEGORY_INDEX

# Monday 0.7 … Saturday 1.4 of the baseline; the week averages 1.
WEEKDAY = np.array([0.70, 0.80, 0.90, 1.00, 1.20, 1.40, 1.00])
# January slump, back-to-school August, holiday December.
MONTH = np.array([0.86, 0.90, 0.96, 0.98, 1.00, 1.03, 1.04, 1.10, 0.96, 0.98, 1.04, 1.15])

# In-store shoppers: lunch rush 11:30–13:30 and the after-work peak 17:00–20:00.
STORE_HOURS = hour_curve(
    {
        0.0: 0.06,
        5.0: 0.05,
        7.0: 0.35,
        9.0: 0.70,
        11.0: 0.95,
        11.75: 1.55,
        13.25: 1.55,
        14.0: 1.0,
        16.0: 1.05,
        17.25: 1.75,
        19.75: 1.75,
        20.5: 1.1,
        22.0: 0.45,
        23.5: 0.12,
    }
)
# Online shoppers and ad impressions: evening on the sofa.
ONLINE_HOURS = hour_curve(
    {
        0.0: 0.35,
        3.0: 0.10,
        6.0: 0.25,
        9.0: 0.80,
        12.5: 1.10,
        15.0: 0.90,
        19.0: 1.50,
        21.5: 1.60,
        23.0: 0.80,
    }
)


def store_day_factor(day: date) -> float:
    """In-store traffic on ``day`` relative to an average day."""
    bf = black_friday(day.year)
    if day == bf:
        return 3.5
    if day == thanksgiving(day.year):
        return 1.3  # only 24/7 stores are open, and busier than usual
    if day.month == 12:
        if day.day == 25:
            return 0.8  # only 24/7 stores are open
        if 15 <= day.day <= 24:
            return float((1.55 + 0.05 * (day.day - 15)) * WEEKDAY[day.weekday()])  # ramps to about 2x
        if day.day >= 26:
            return float(1.25 * WEEKDAY[day.weekday()])
    if day.month == 1 and day.day == 1:
        return 0.45
    if day.month == 7 and day.day == 4:
        return 0.75
    return float(MONTH[day.month - 1] * WEEKDAY[day.weekday()])


def online_day_factor(day: date) -> float:
    """Online order volume relative to an average day: Cyber Monday and the December rush."""
    if day == cyber_monday(day.year):
        return 3.0
    if day == black_friday(day.year):
        return 2.5
    if day.month == 12 and day.day <= 20:
        return 1.6
    # online skews to Sunday/Monday evenings
    return float(MONTH[day.month - 1] * (1.10, 1.00, 0.95, 0.95, 0.90, 0.95, 1.15)[day.weekday()])


def store_closed(day: date) -> bool:
    """Holidays when only 24/7 stores open."""
    return day == thanksgiving(day.year) or (day.month == 12 and day.day == 25)


def extended_hours(day: date) -> bool:
    """Black Friday doors open at 5:00 and close at midnight."""
    return day == black_friday(day.year)


def category_boost(day: date) -> npt.NDArray[np.float64]:
    """Per-category demand multiplier on ``day`` (summer grilling, back-to-school, holiday gifts)."""
    boost = np.ones(len(CATEGORIES))

    def bump(name: str, factor: float) -> None:
        boost[CATEGORY_INDEX[name]] *= factor

    doy = (day.month, day.day)
    if (6, 1) <= doy <= (8, 31):
        bump("OUTDOOR_GARDEN", 2.4)
        bump("BEVERAGES", 1.3)
        bump("FROZEN", 1.2)
    if (7, 25) <= doy <= (9, 10):
        bump("SCHOOL_OFFICE", 3.5)
        bump("ELECTRONICS", 1.5)
        bump("APPAREL", 1.4)
    if (11, 15) <= doy <= (12, 24):
        bump("TOYS", 3.0)
        bump("ELECTRONICS", 1.8)
        bump("BAKERY", 1.3)
    if day == black_friday(day.year):
        bump("ELECTRONICS", 2.0)
        bump("TOYS", 1.5)
    if day.month in (12, 1, 2):
        bump("OUTDOOR_GARDEN", 0.4)
    return boost
