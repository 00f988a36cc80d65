"""Store stock: a daily (s, S) policy with a weekly full replenishment, simulated with numpy.

Each store receives a truck on its weekly day that fills every product to its par level S, and on
other days for the products that closed at or below the reorder point s. Deliveries arrive before
the first sale of the day and fill to S, so the stock after a store's weekly truck is exactly S.
That makes the stock at any midnight a function of the previous seven days of demand only: a day
can be generated alone by replaying one week, and every chunking of a range gives the same rows.
Sales never exceed stock: a demand larger than what is left is cut to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import numpy.typing as npt

I64 = npt.NDArray[np.int64]
WARMUP_DAYS = 7


@dataclass
class Policy:
    par: I64  # S per (store, product)
    reorder: I64  # s per (store, product)
    weekday: I64  # weekly replenishment day per store, 0 = Monday


def policy_from_demand(expected_daily_units: npt.NDArray[np.float64], weekday: I64) -> Policy:
    """Par covers ~1.5 weeks of expected demand plus safety stock; reorder covers ~2.5 days."""
    e = expected_daily_units
    par = np.ceil(10.5 * e + 2.0 * np.sqrt(7 * e) + 3).astype(np.int64)
    reorder = np.minimum(np.ceil(2.5 * e + 2.0 * np.sqrt(e) + 1).astype(np.int64), par - 1)
    return Policy(par, reorder, weekday)


@dataclass
class Demand:
    """Units customers want, one entry per basket line, for one day."""

    store: I64
    product: I64
    qty: I64
    ts: I64


@dataclass
class DayStock:
    """Outcome of one day at the stores."""

    delivered: I64  # (stores, products) units received at the start of the day
    sold: I64  # per demand entry, ≤ its qty
    on_hand_after_sale: I64  # per demand entry
    closing: I64  # (stores, products) at midnight
    next_delivery: I64  # (stores, products) units ordered for tomorrow's truck


def simulate_day(policy: Policy, opening: I64, pending: I64, demand: Demand, day: date) -> DayStock:
    """Advance one day: receive ``pending``, sell what stock allows, order for tomorrow."""
    n_products = opening.shape[1]
    stock = opening + pending
    cell = demand.store * n_products + demand.product
    order = np.lexsort((np.arange(cell.size), demand.ts, cell))
    c = cell[order]
    cum = np.cumsum(demand.qty[order])
    group_start = np.r_[True, c[1:] != c[:-1]]
    before_group = np.where(group_start, cum - demand.qty[order], 0)
    cum -= np.maximum.accumulate(before_group)  # cumulative demand within each cell, in time order
    available = stock.ravel()[c]
    sold_cum = np.minimum(cum, available)
    prev = np.where(group_start, 0, np.r_[0, sold_cum[:-1]])
    sold = np.empty_like(cum)
    sold[order] = sold_cum - prev
    after = np.empty_like(cum)
    after[order] = available - sold_cum

    closing = stock.ravel() - np.bincount(cell, weights=sold, minlength=stock.size).astype(np.int64)
    closing = closing.reshape(stock.shape)
    tomorrow = (day + timedelta(days=1)).weekday()
    weekly = (policy.weekday == tomorrow)[:, None]
    need = policy.par - closing
    next_delivery = np.where((weekly | (closing <= policy.reorder)) & (need > 0), need, 0)
    return DayStock(pending, sold, after, closing, next_delivery)
