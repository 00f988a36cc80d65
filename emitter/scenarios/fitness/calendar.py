"""The chain's calendar: when people join, which days and hours they train, and the holiday lull."""

from __future__ import annotations

from datetime import date

import numpy as np
import numpy.typing as npt

from emitter.core.arrivals import hour_curve

F64 = npt.NDArray[np.float64]

# New-year resolutions, a spring push for summer, a back-to-routine September; the holidays are quiet.
JOIN_MONTH = np.array([1.9, 1.25, 1.2, 1.15, 1.1, 0.85, 0.75, 0.8, 1.1, 0.9, 0.7, 0.5])
# Visits: January crowds that thin out by spring, a summer dip, the December lull.
VISIT_MONTH = np.array([1.22, 1.12, 1.06, 1.04, 1.0, 0.94, 0.9, 0.92, 1.02, 1.0, 0.95, 0.83])
# Monday is the busiest day of the week; Friday evenings and weekends are quieter.
VISIT_WEEKDAY = np.array([1.18, 1.12, 1.08, 1.04, 0.88, 0.90, 0.80])
VISIT_WEEKDAY = VISIT_WEEKDAY / VISIT_WEEKDAY.mean()
# Weekdays peak before work (6-9) and after it (17-20), with a lunch bump; weekends peak mid-morning.
WEEKDAY_HOURS = hour_curve(
    {
        0.0: 0.04,
        4.0: 0.05,
        5.5: 0.9,
        7.0: 2.3,
        8.5: 1.7,
        10.0: 0.8,
        12.5: 1.1,
        14.5: 0.6,
        17.0: 1.9,
        18.5: 2.5,
        20.0: 1.4,
        22.0: 0.4,
    }
)
WEEKEND_HOURS = hour_curve(
    {0.0: 0.04, 5.0: 0.05, 7.0: 0.6, 9.5: 2.2, 11.5: 2.0, 14.0: 1.1, 17.0: 0.8, 19.5: 0.5, 22.0: 0.2}
)
# fixed-date holidays: (month, day) → how busy against an ordinary day
HOLIDAYS = {(12, 24): 0.45, (12, 25): 0.2, (12, 26): 0.6, (12, 31): 0.55, (1, 1): 0.5, (7, 4): 0.55}


def visit_factor(day: date) -> float:
    """Visits on ``day`` against an average day: month × weekday × holiday."""
    holiday = HOLIDAYS.get((day.month, day.day), 1.0)
    return float(VISIT_MONTH[day.month - 1] * VISIT_WEEKDAY[day.weekday()] * holiday)


def hours_of(day: date) -> F64:
    """The day's shape over its 96 slots (mean 1)."""
    return WEEKEND_HOURS if day.weekday() >= 5 else WEEKDAY_HOURS
