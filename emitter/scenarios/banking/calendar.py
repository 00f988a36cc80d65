"""The bank's calendar: paydays, month-start bills, month-end interest, and when people spend.

The weekday, month and day-of-month curves have mean 1 over their period, so they multiply an average
daily rate into a day's rate without changing the monthly totals the settings promise; the shopping days
(Black Friday, the run-up to Christmas) add to that.
"""

from __future__ import annotations

import calendar as months
from datetime import date, timedelta

import numpy as np
import numpy.typing as npt

from emitter.core.arrivals import hour_curve
from emitter.core.columns import EPOCH_ORDINAL
from emitter.core.holidays import black_friday, cyber_monday

F64 = npt.NDArray[np.float64]
DAYS_PER_MONTH = 365.2425 / 12

# Card spending: Friday and Saturday are the big days, Sunday the quiet one.
CARD_WEEKDAY = np.array([0.92, 0.94, 0.97, 1.02, 1.16, 1.14, 0.85])
CARD_WEEKDAY = CARD_WEEKDAY / CARD_WEEKDAY.mean()
# The December run-up, the January hangover, a summer of travel.
CARD_MONTH = np.array([0.88, 0.9, 0.98, 0.99, 1.01, 1.03, 1.04, 1.02, 0.97, 0.99, 1.04, 1.15])
CARD_MONTH = CARD_MONTH / CARD_MONTH.mean()
# Card purchases: coffee at 8, lunch at 12:30, the after-work and dinner peak at 18-19.
CARD_HOURS = hour_curve(
    {0.0: 0.12, 3.0: 0.05, 6.0: 0.35, 8.0: 1.25, 10.0: 1.0, 12.5: 1.85, 15.0: 1.15, 18.0: 1.9, 20.0: 1.35, 22.5: 0.45}
)
# Transfers and ATM visits: business hours and the evening on the phone.
DAYTIME_HOURS = hour_curve(
    {0.0: 0.08, 5.0: 0.08, 7.0: 0.5, 9.0: 1.5, 12.0: 1.8, 15.0: 1.5, 18.0: 1.4, 21.0: 0.9, 23.0: 0.3}
)
# Batch postings (ACH payroll, direct debits) land overnight and in the early morning.
BATCH_HOURS = hour_curve({0.0: 0.2, 2.0: 1.8, 4.0: 3.0, 6.0: 2.0, 8.0: 0.6, 10.0: 0.2, 14.0: 0.1, 22.0: 0.1})
# Fraud favours the small hours, when the cardholder is asleep.
FRAUD_HOURS = hour_curve({0.0: 1.8, 3.0: 2.2, 6.0: 0.8, 9.0: 0.6, 13.0: 0.7, 18.0: 0.8, 21.0: 1.2})
# when an incident starts: by 22:00, so its last row (an hour and a half later at most) is still that day
FRAUD_START_HOURS = np.where(np.arange(FRAUD_HOURS.size) < FRAUD_HOURS.size * 22 // 24, FRAUD_HOURS, 0.0)
# Rent, mortgages and bills: the first days of the month.
BILL_DAY_OF_MONTH = np.array([6.0, 5.0, 3.5, 2.0, 1.5] + [0.45] * 26)


def card_factor(day: date) -> float:
    """Card spending on ``day`` against an average day: month × weekday × the shopping days."""
    boost = 1.0
    if day == black_friday(day.year):
        boost = 1.9
    elif day == cyber_monday(day.year):
        boost = 1.5
    elif day.month == 12 and day.day == 25:
        boost = 0.35
    elif day.month == 12 and 18 <= day.day <= 23:
        boost = 1.25
    return float(CARD_MONTH[day.month - 1] * CARD_WEEKDAY[day.weekday()] * boost)


def business_factor(day: date) -> float:
    """Transfers, deposits and ATM visits: fewer at weekends (mean 1 over a week)."""
    return float((1.12, 1.08, 1.05, 1.05, 1.15, 0.8, 0.55)[day.weekday()] / (6.8 / 7))


def bill_factor(day: date) -> float:
    """Bills on ``day`` of its month against an average day (mean 1 over the month)."""
    length = months.monthrange(day.year, day.month)[1]
    weights = BILL_DAY_OF_MONTH[:length]
    return float(weights[day.day - 1] * length / weights.sum())


def last_business_day(year: int, month: int) -> date:
    day = date(year, month, months.monthrange(year, month)[1])
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def business_day_on_or_before(day: date) -> date:
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def is_month_end(day: date) -> bool:
    return (day + timedelta(days=1)).day == 1


def paydays(day: date) -> tuple[bool, bool, tuple[bool, bool]]:
    """Whether ``day`` is payday for a monthly, a semi-monthly and each biweekly phase's salary."""
    monthly = day == last_business_day(day.year, day.month)
    semimonthly = monthly or day == business_day_on_or_before(date(day.year, day.month, 15))
    fortnight = (day.toordinal() // 7) % 2  # which of two alternating weeks
    friday = day.weekday() == 4
    return monthly, semimonthly, (friday and fortnight == 0, friday and fortnight == 1)


def is_payday(day: npt.NDArray[np.int64]) -> npt.NDArray[np.bool_]:
    """Days (since 1970) on which some schedule pays salaries."""
    unique, back = np.unique(day, return_inverse=True)
    found = []
    for d in unique:
        monthly, semimonthly, biweekly = paydays(date.fromordinal(int(d) + EPOCH_ORDINAL))
        found.append(monthly or semimonthly or any(biweekly))
    return np.array(found, dtype=bool)[back]
