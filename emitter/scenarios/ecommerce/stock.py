"""Stock per warehouse and product: shipments take it down, returns and restocks bring it back.

Every morning at five the warehouse knows the day's shipments (orders already placed). Whatever would
drop below the reorder point is restocked to par first, so stock never goes below zero. Each Monday
a count brings every product to par (a transfer out when returns pushed it above), which makes the
stock at any day's start a replay of at most a week: ``opening_stock`` needs no longer history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import numpy.typing as npt

from emitter.core.clock import MICROS_PER_DAY, MICROS_PER_HOUR, MICROS_PER_MINUTE, day_start_us
from emitter.scenarios.ecommerce.orders import RETURNED, SHIPPED, Orders
from emitter.scenarios.ecommerce.vocabulary import PLACES, WAREHOUSES
from emitter.scenarios.ecommerce.world import EcommerceWorld

I64 = npt.NDArray[np.int64]
MOVEMENTS = ("restock", "shipment", "return", "transfer_out")
RESTOCK, SHIPMENT, RETURN, TRANSFER_OUT = range(len(MOVEMENTS))
COVER_DAYS = 14  # par holds two weeks of expected demand


@dataclass(frozen=True)
class Policy:
    par: I64  # (warehouses, products)
    reorder: I64


def stock_policy(
    world: EcommerceWorld, sessions_per_day: int, orders_per_session: float, units_per_order: float
) -> Policy:
    """Par and reorder point per (warehouse, product) from the expected demand of the catalogue."""
    p = world.products
    share = world.department_weight[p.department] / world.department_weight.sum() * p.share
    served = warehouse_shares()
    daily = sessions_per_day * orders_per_session * units_per_order * served[:, None] * share[None, :]
    par = np.ceil(daily * COVER_DAYS * 1.5).astype(np.int64) + 3
    return Policy(par, np.ceil(par / 3).astype(np.int64))


def warehouse_shares() -> npt.NDArray[np.float64]:
    """The share of orders each warehouse serves, from the places' weights."""
    served = np.zeros(len(WAREHOUSES))
    for place in PLACES:
        served[place.warehouse] += place.weight
    return np.asarray(served / served.sum(), dtype=np.float64)


RESTOCK_HOUR = 5  # the morning's restocks and counts, one warehouse after another
RESTOCK_STAGGER_MINUTES = 10


@dataclass
class Movements:
    ts: I64
    warehouse: I64
    product: I64
    kind: I64
    quantity: I64
    stock_after: I64
    order_day: list[tuple[Orders, I64]]  # per movement with an order: (orders of its day, order index)
    order_rows: I64  # movement rows that carry an order, in the order of ``order_day``


def _flows(
    day: date, orders: list[Orders], status: int
) -> tuple[list[I64], list[I64], list[I64], list[I64], list[tuple[Orders, I64]]]:
    """Per order line reaching ``status`` on ``day``: time, warehouse, product, quantity, and its order."""
    start = day_start_us(day)
    ts, wh, product, qty, owners = [], [], [], [], []
    for o in orders:
        when = o.status_ts[:, status]
        hit = (when >= start) & (when < start + MICROS_PER_DAY)
        lines = np.flatnonzero(hit[o.line_order])
        ts.append(when[o.line_order[lines]])
        wh.append(o.warehouse[o.line_order[lines]])
        product.append(o.line_product[lines])
        qty.append(o.line_qty[lines])
        owners.append((o, o.line_order[lines]))
    return ts, wh, product, qty, owners


def simulate_stock(policy: Policy, opening: I64, day: date, orders: list[Orders]) -> tuple[Movements, I64]:
    """The day's movements in time order per product, and the stock at the next day's start."""
    n_products = opening.shape[1]
    s_ts, s_wh, s_pr, s_qty, s_own = _flows(day, orders, SHIPPED)
    r_ts, r_wh, r_pr, r_qty, r_own = _flows(day, orders, RETURNED)
    ship_ts, ship_wh, ship_pr, ship_qty = (np.concatenate(x) for x in (s_ts, s_wh, s_pr, s_qty))
    ret_ts, ret_wh, ret_pr, ret_qty = (np.concatenate(x) for x in (r_ts, r_wh, r_pr, r_qty))
    shipped = np.zeros_like(opening)
    np.add.at(shipped, (ship_wh, ship_pr), ship_qty)
    level = np.maximum(policy.par, shipped + policy.reorder)
    monday_count = day.weekday() == 0
    delta = level - opening if monday_count else np.where(opening - shipped < policy.reorder, level - opening, 0)
    m_wh, m_pr = np.nonzero(delta)
    m_qty = delta[m_wh, m_pr]
    m_ts = day_start_us(day) + RESTOCK_HOUR * MICROS_PER_HOUR + m_wh * RESTOCK_STAGGER_MINUTES * MICROS_PER_MINUTE
    ts = np.concatenate([m_ts, ship_ts, ret_ts])
    wh = np.concatenate([m_wh, ship_wh, ret_wh]).astype(np.int64)
    product = np.concatenate([m_pr, ship_pr, ret_pr]).astype(np.int64)
    qty = np.concatenate([m_qty, -ship_qty, ret_qty])
    kind = np.concatenate(
        [np.where(m_qty > 0, RESTOCK, TRANSFER_OUT), np.full(ship_ts.size, SHIPMENT), np.full(ret_ts.size, RETURN)]
    )
    # stock after each movement: the cell's opening plus its movements so far, in time order
    cell = wh * n_products + product
    order = np.lexsort((ts, cell))
    running = np.cumsum(qty[order])
    cell_sorted = cell[order]
    starts = np.flatnonzero(np.r_[True, cell_sorted[1:] != cell_sorted[:-1]])
    before = np.repeat(running[starts] - qty[order][starts], np.diff(np.r_[starts, cell_sorted.size]))
    after = np.empty_like(qty)
    after[order] = opening.ravel()[cell_sorted] + running - before
    closing = opening + delta - shipped
    np.add.at(closing, (ret_wh, ret_pr), ret_qty)
    owned = np.arange(m_ts.size, ts.size)
    return Movements(ts, wh, product, kind, qty, after, [*s_own, *r_own], owned), closing


def week_start(day: date) -> date:
    """The Monday a replay to ``day`` starts from: the day's own Monday, or the one before for a Monday."""
    back = day.weekday() or 7
    return day - timedelta(days=back)


__all__ = ["MOVEMENTS", "Movements", "Policy", "simulate_stock", "stock_policy", "week_start"]
