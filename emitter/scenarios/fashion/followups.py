"""What an order line leads to later: a return (mostly for size) or a review after delivery.

Both are decided when the line is sold and wait in the state until their day, so a day's returns and reviews
belong to orders of earlier days, exactly as a run from the first day would have them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import date

import numpy as np
import numpy.typing as npt

from emitter.core.arrivals import cdf_pick, shares_cdf
from emitter.core.clock import MICROS_PER_DAY, MICROS_PER_HOUR, day_start_us
from emitter.scenarios.fashion.baskets import UTC_OFFSET
from emitter.scenarios.fashion.orders import OrderBook
from emitter.scenarios.fashion.settings import Shares
from emitter.scenarios.fashion.vocabulary import RETURN_REASONS

I64 = npt.NDArray[np.int64]
RETURN, REVIEW = 0, 1
DAMAGED = 2 + list(RETURN_REASONS).index("damaged")  # in RETURN_REASON_NAMES
_OTHER = [r for r in RETURN_REASONS if r != "damaged"]
_OTHER_CODES = np.array([2 + list(RETURN_REASONS).index(r) for r in _OTHER])
_OTHER_CDF = shares_cdf([RETURN_REASONS[r] for r in _OTHER])


@dataclass(frozen=True)
class Pending:
    """Follow-ups waiting for their time, one row each."""

    due: I64  # µs
    kind: I64  # RETURN or REVIEW
    order_day: I64  # date ordinal of the order
    order_row: I64  # the order's row that day
    line_row: I64  # the line's row that day
    customer: I64
    product: I64
    store: I64  # where a return comes back
    country: I64
    quantity: I64
    amount: I64  # refund, cents
    reason: I64  # index into RETURN_REASON_NAMES, -1 for reviews

    @staticmethod
    def empty() -> Pending:
        return Pending(*(np.zeros(0, dtype=np.int64) for _ in fields(Pending)))

    def take(self, rows: I64) -> Pending:
        return Pending(*(getattr(self, f.name)[rows] for f in fields(Pending)))

    def then(self, more: Pending) -> Pending:
        return Pending(*(np.r_[getattr(self, f.name), getattr(more, f.name)] for f in fields(Pending)))

    def split(self, day: date) -> tuple[Pending, Pending]:
        """(the follow-ups due on ``day``, in time order; those due later)."""
        end = day_start_us(day) + MICROS_PER_DAY
        now = self.due < end
        today = np.flatnonzero(now)
        return self.take(today[np.argsort(self.due[today], kind="stable")]), self.take(np.flatnonzero(~now))


def follow_ups(
    rng: np.random.Generator,
    day: date,
    ob: OrderBook,
    shares: Shares,
    return_propensity: npt.NDArray[np.float64],
    review_rate: float,
    opening_hour: I64,
    closing_hour: I64,
    shops_open: Callable[[date], npt.NDArray[np.bool_]],
) -> Pending:
    """Returns and reviews of the day's lines, each with its due time."""
    b = ob.baskets
    online = b.online[ob.line_order]
    n = online.size
    rate = np.where(online, shares.online_return_rate, shares.store_return_rate) * return_propensity[b.product]
    returned = rng.random(n) < np.minimum(rate, 0.95)
    reviewed = ~returned & (rng.random(n) < review_rate)
    # a parcel comes back 1–4 weeks after it arrived; a shop buy within two weeks, while the shop is open
    arrived = np.where(online, ob.delivery[ob.line_order] - day.toordinal(), 0)
    lag = arrived + np.where(online, 1 + rng.gamma(2.0, 4.5, n), 1 + rng.geometric(0.2, n) - 1).astype(np.int64)
    lag = np.minimum(lag, np.where(online, 34, 14))
    store = ob.fulfilled_from
    for _ in range(3):  # a shop closed on the day (Sunday, holiday): the customer comes the day after
        closed = np.zeros(n, dtype=bool)
        for d in np.unique(lag[~online]):
            at = ~online & (lag == d)
            closed[at] = ~shops_open(date.fromordinal(day.toordinal() + int(d)))[store[at]]
        lag = lag + closed
    country = b.country[ob.line_order]
    opens = np.where(online, 8, opening_hour[store])
    closes = np.where(online, 18, closing_hour[store])
    local = opens * MICROS_PER_HOUR + (rng.random(n) * (closes - opens) * MICROS_PER_HOUR).astype(np.int64)
    return_at = day_start_us(day) + lag * MICROS_PER_DAY + local - UTC_OFFSET[country] * MICROS_PER_HOUR
    review_lag = arrived + 2 + rng.gamma(1.5, 7.0, n).astype(np.int64)
    review_at = day_start_us(day) + review_lag * MICROS_PER_DAY + (rng.random(n) * MICROS_PER_DAY).astype(np.int64)
    reason = _reasons(rng, n, shares)
    rows = np.flatnonzero(returned | reviewed)
    is_return = returned[rows]
    line_order = ob.line_order[rows]
    return Pending(
        due=np.where(is_return, return_at[rows], review_at[rows]),
        kind=np.where(is_return, RETURN, REVIEW).astype(np.int64),
        order_day=np.full(rows.size, day.toordinal(), dtype=np.int64),
        order_row=line_order,
        line_row=rows.astype(np.int64),
        customer=b.customer[line_order],
        product=b.product[rows],
        store=store[rows],
        country=country[rows],
        quantity=b.quantity[rows],
        amount=ob.lines.line_total[rows],
        reason=np.where(is_return, reason[rows], -1),
    )


def _reasons(rng: np.random.Generator, n: int, shares: Shares) -> I64:
    u = rng.random(n)
    size = (u >= shares.damaged_returns) & (u < shares.damaged_returns + shares.size_returns)
    other = _OTHER_CODES[cdf_pick(rng, _OTHER_CDF, n)]
    return np.where(u < shares.damaged_returns, DAMAGED, np.where(size, (rng.random(n) < 0.55).astype(np.int64), other))
