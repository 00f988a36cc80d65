"""The shop's calendar: traffic by season, weekday, hour and sale day, and who browses on which device.

Sale days are surges of sessions and of the share of them that buy; each has a campaign name that paid,
social and email traffic carry in ``utm_campaign``.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from emitter.core.arrivals import hour_curve
from emitter.core.clock import SLOTS_PER_DAY
from emitter.core.holidays import black_friday, cyber_monday

F64 = npt.NDArray[np.float64]

# Weekend browsing from the sofa: Sunday is the peak, Friday the trough.
WEEKDAY = np.array([1.00, 0.96, 0.95, 0.95, 0.88, 1.08, 1.18])
WEEKDAY = WEEKDAY / WEEKDAY.mean()
# January sales, a summer lull, the run-up to the holidays.
MONTH = np.array([1.02, 0.90, 0.94, 0.95, 0.97, 0.95, 0.93, 0.97, 0.98, 1.02, 1.15, 1.22])
# Shoppers: a lunchtime bump, and the evening peak 19:00-22:00.
HUMAN_HOURS = hour_curve(
    {0.0: 0.30, 2.0: 0.12, 4.5: 0.07, 7.0: 0.45, 9.0: 0.80, 12.5: 1.15, 14.5: 0.95, 17.0: 1.05, 20.5: 1.90, 22.5: 1.30}
)
# Crawlers don't sleep.
BOT_HOURS = np.ones(SLOTS_PER_DAY)
# The share of human sessions on a phone climbs through the evening; tablets peak on the sofa too.
MOBILE_SHARE = hour_curve({0.0: 0.66, 3.0: 0.6, 8.0: 0.52, 12.5: 0.55, 15.0: 0.45, 19.0: 0.62, 22.0: 0.70}) * 0.56
TABLET_SHARE = hour_curve({0.0: 0.08, 10.0: 0.05, 20.5: 0.11}) * 0.08


class SaleDay(NamedTuple):
    campaign: str  # utm_campaign stem; the year is appended
    traffic: float  # sessions relative to an ordinary day
    conversion: float  # multiplier of the add-to-cart and purchase rates


def sale_day(day: date) -> SaleDay | None:
    """The sale running on ``day``, if any."""
    bf = black_friday(day.year)
    if day == bf:
        return SaleDay("black_friday", 3.2, 1.8)
    if day == cyber_monday(day.year):
        return SaleDay("cyber_monday", 2.8, 1.7)
    if bf < day < cyber_monday(day.year):
        return SaleDay("black_friday_weekend", 2.0, 1.4)
    if day.month == 11 and day.day == 11:
        return SaleDay("singles_day", 1.7, 1.3)
    if day.month == 12 and day.day == 26:
        return SaleDay("boxing_day", 2.0, 1.4)
    if day.month == 1 and 2 <= day.day <= 7:
        return SaleDay("january_sale", 1.4, 1.2)
    if day.month == 7 and _summer_sale(day.year) <= day < _summer_sale(day.year) + timedelta(days=2):
        return SaleDay("summer_sale", 1.8, 1.3)
    return None


def _summer_sale(year: int) -> date:
    """The second Tuesday of July, two days long."""
    first = date(year, 7, 1)
    return first + timedelta(days=(1 - first.weekday()) % 7 + 7)


def traffic_factor(day: date) -> float:
    """Human sessions on ``day`` relative to an average day."""
    sale = sale_day(day)
    base = float(MONTH[day.month - 1] * WEEKDAY[day.weekday()])
    if day.month == 12 and 27 <= day.day <= 31:
        base *= 0.85  # after the gifts are bought
    if day.month == 12 and day.day == 25:
        base *= 0.6
    return base * (sale.traffic if sale else 1.0)


def conversion_factor(day: date) -> float:
    sale = sale_day(day)
    if sale:
        return sale.conversion
    if day.month == 12 and 1 <= day.day <= 20:
        return 1.25  # gift buying
    return 1.0


def campaign(day: date) -> str:
    """The campaign paid and owned channels run on ``day``: the sale's, else an evergreen one."""
    sale = sale_day(day)
    return f"{sale.campaign}_{day.year}" if sale else f"always_on_{day.year}"


def department_boost(day: date, departments: tuple[str, ...]) -> F64:
    """Per-department browsing multiplier: summer outdoors, back to school, holiday gifts, January fitness."""
    boost = np.ones(len(departments))

    def bump(name: str, factor: float) -> None:
        boost[departments.index(name)] *= factor

    md = (day.month, day.day)
    if (5, 15) <= md <= (8, 15):
        bump("Sports & Outdoors", 1.6)
    if (7, 20) <= md <= (9, 5):
        bump("Electronics", 1.3)
        bump("Books", 1.3)
    if (11, 10) <= md <= (12, 22):
        bump("Toys & Games", 2.5)
        bump("Electronics", 1.5)
        bump("Jewelry & Watches", 1.8)
    if day.month == 1:
        bump("Sports & Outdoors", 1.5)
    if day.month == 2 and day.day <= 14:
        bump("Jewelry & Watches", 1.7)
        bump("Beauty", 1.3)
    return boost
