"""What follows an order, in expectation: its statuses, shipments, returns and reviews per slot of the span.

Orders placed per (day, slot) are spread by the timeline's own delays (``orders.py``): shipping on a
working hour of the next days, transit by method and distance, returns and reviews after delivery. The
spreading is linear, so lines, returning orders and returned lines run through the same kernels.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from emitter.core.clock import MICROS_PER_SLOT, SLOTS_PER_DAY
from emitter.scenarios.ecommerce import orders as timeline
from emitter.scenarios.ecommerce import plans
from emitter.scenarios.ecommerce.vocabulary import DEPARTMENTS, PLACES

if TYPE_CHECKING:
    from emitter.scenarios.ecommerce.plan import EcommercePlan

F64 = npt.NDArray[np.float64]
SLOT_MINUTES = MICROS_PER_SLOT // 60_000_000
WORK_FIRST, WORK_END = (h * 60 // SLOT_MINUTES for h in timeline.WORKING_HOURS)
WORK_SLOTS = np.arange(WORK_FIRST, WORK_END)
SHIP_DAYS = 1 + timeline.SHIP_WITHIN_DAYS  # the next day after the cut-off, then one of the following days


@dataclass(frozen=True)
class OrderFlows:
    """Rows per (day of span, slot) that orders placed over the span lead to."""

    statuses: dict[str, F64]  # orders table rows by status
    ship_lines: F64  # inventory: shipped lines
    return_lines: F64  # inventory: returned lines
    reviews: F64
    distinct_lines: F64  # per span day: order lines of an order (a product added twice is one line)
    units_per_line: tuple[float, float]  # E[quantity] and E[quantity²] of a line

    @property
    def orders(self) -> F64:
        return np.asarray(sum(self.statuses.values()), dtype=np.float64)

    def status_rows(self, inside: slice) -> dict[str, float]:
        return {name: float(rows[inside].sum()) for name, rows in self.statuses.items()}


def _ship_kernels() -> tuple[F64, F64]:
    """Per placing slot: where its shipment falls and where a cancellation before it (its midpoint) falls."""
    width = SHIP_DAYS * SLOTS_PER_DAY
    ship = np.zeros((SLOTS_PER_DAY, width))
    cancel = np.zeros((SLOTS_PER_DAY, width))
    cutoff = timeline.SHIP_CUTOFF_HOUR * 60 // SLOT_MINUTES
    after = timeline.SHIP_AFTER_MINUTES // SLOT_MINUTES
    p = 1.0 / (timeline.SHIP_WITHIN_DAYS * WORK_SLOTS.size)
    for s in range(SLOTS_PER_DAY):
        late = int(s >= cutoff)
        for j in range(timeline.SHIP_WITHIN_DAYS):
            k = late + j
            slots = np.maximum(WORK_SLOTS, s + after) if k == 0 else WORK_SLOTS  # never sooner than 30 min on
            at = k * SLOTS_PER_DAY + slots
            np.add.at(ship[s], at, p)
            np.add.at(cancel[s], (s + at) // 2, p)
    return ship, cancel


def _transit_days(abroad: float) -> F64:
    """pmf of days from shipping to delivery: by method, and longer abroad."""
    pmf = np.zeros(max(hi for _, hi in timeline.TRANSIT_DAYS) + timeline.ABROAD_DAYS + 1)
    shares = (1 - timeline.EXPRESS_SHARE, timeline.EXPRESS_SHARE)
    for share, (lo, hi) in zip(shares, timeline.TRANSIT_DAYS, strict=True):
        for extra, p in ((0, 1 - abroad), (timeline.ABROAD_DAYS, abroad)):
            pmf[lo + extra : hi + extra + 1] += share * p / (hi - lo + 1)
    return pmf


def _return_lag() -> F64:
    """Slots from delivery to return: uniform over the return window."""
    lo, hi = (d * SLOTS_PER_DAY for d in (timeline.RETURN_AFTER_DAYS, timeline.RETURN_WINDOW_DAYS))
    kernel = np.zeros(hi)
    kernel[lo:] = 1.0 / (hi - lo)
    return kernel


def _review_lag() -> F64:
    """Slots from delivery to review: the minimum, an exponential delay, and the window's cap."""
    cap = timeline.REVIEW_WINDOW_DAYS * SLOTS_PER_DAY
    edges = np.arange(cap + 1) / SLOTS_PER_DAY - timeline.REVIEW_MIN_DAYS
    cdf = np.where(edges > 0, 1 - np.exp(-np.maximum(edges, 0) / timeline.REVIEW_LAG_DAYS), 0.0)
    kernel = np.zeros(cap + 1)
    kernel[:cap] = np.diff(cdf)
    kernel[cap] = 1 - cdf[-1]
    return kernel


def _spread(grid: F64, kernel: F64) -> F64:
    """(days, slots) rows, each slot's spread by its own row of ``kernel`` (slots after its midnight)."""
    days = grid.shape[0]
    out = np.zeros(days * SLOTS_PER_DAY + kernel.shape[1])
    at = np.arange(days)[:, None] * SLOTS_PER_DAY + np.arange(kernel.shape[1])[None, :]
    for s in range(SLOTS_PER_DAY):
        np.add.at(out, at, grid[:, s : s + 1] * kernel[s][None, :])
    return out[: days * SLOTS_PER_DAY].reshape(days, SLOTS_PER_DAY)


def _lagged(grid: F64, kernel: F64) -> F64:
    """(days, slots) rows moved ``kernel`` slots later; what falls past the span is dropped."""
    flat = grid.ravel()
    return np.convolve(flat, kernel)[: flat.size].reshape(grid.shape)


def order_flows(plan: EcommercePlan, placed: F64) -> OrderFlows:
    """Every later row of the orders placed per (day of span, slot)."""
    o = plan.settings.orders
    ship_kernel, cancel_kernel = _ship_kernels()
    weight = np.array([p.weight for p in PLACES])
    abroad = float((weight * timeline.abroad_places()).sum() / weight.sum())
    transit = _transit_days(abroad)
    within = np.zeros(SLOTS_PER_DAY)
    within[WORK_SLOTS] = 1.0 / WORK_SLOTS.size

    def delivered(shipped: F64) -> F64:
        by_day = np.convolve(shipped.sum(axis=1), transit)[: shipped.shape[0]]
        return by_day[:, None] * within[None, :]

    lines = plan.lines  # pmf of a buyer's cart lines
    k = np.arange(lines.size)
    prone_departments = np.isin(np.arange(len(DEPARTMENTS)), timeline.PRONE_DEPARTMENTS)
    distinct, returning, returned_lines = [], [], []
    for d in plan.span:
        share = plan.product_shares(d)
        q = np.bincount(plan.w.products.department, weights=share, minlength=len(DEPARTMENTS))
        within_dept = np.bincount(plan.w.products.department, weights=(share / q[plan.w.products.department]) ** 2)
        same = np.diff(np.r_[0.0, plans.INTEREST_SHARES])
        # two lines name one product: same interest slot, or two slots that drew the same department
        collide = float((same**2).sum() * (q * within_dept).sum() + (1 - (same**2).sum()) * (q**2 * within_dept).sum())
        distinct.append(float((lines * (k - k * (k - 1) / 2 * collide)).sum()))
        calm = (1 - float(q[prone_departments].sum())) ** k  # no apparel or shoes among k lines
        rate = o.returned * (timeline.PRONE_RETURNS * (1 - calm) + timeline.OTHER_RETURNS * calm)
        returning.append(float((lines * rate).sum()))
        returned_lines.append(float((lines * k * rate).sum()))
    per_day: Callable[[list[float]], F64] = lambda x: np.asarray(x, dtype=np.float64)[:, None]  # noqa: E731

    moving = (1 - o.payment_failed) * (1 - o.cancelled)
    shipped = _spread(placed, ship_kernel)
    line_delivered = delivered(_spread(placed * per_day(distinct), ship_kernel))
    statuses = {
        "placed": placed,
        "paid": placed * (1 - o.payment_failed),
        "cancelled": placed * o.payment_failed + (1 - o.payment_failed) * o.cancelled * _spread(placed, cancel_kernel),
        "shipped": moving * shipped,
        "delivered": moving * delivered(shipped),
        "returned": moving * _lagged(delivered(_spread(placed * per_day(returning), ship_kernel)), _return_lag()),
    }
    single, double = plans.SINGLE_QTY, plans.DOUBLE_QTY
    units = (
        single + (1 - single) * (2 * double + 3 * (1 - double)),
        single + (1 - single) * (4 * double + 9 * (1 - double)),
    )
    return OrderFlows(
        statuses,
        moving * _spread(placed * per_day(distinct), ship_kernel),
        moving * _lagged(delivered(_spread(placed * per_day(returned_lines), ship_kernel)), _return_lag()),
        moving * o.reviewed * _lagged(line_delivered, _review_lag()),
        per_day(distinct),
        units,
    )
