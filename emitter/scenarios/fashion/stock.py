"""Stock at every location, moved by sales, returns and replenishment; it never goes below zero.

Each (location, product) has a reorder point and a target from its expected sales. Overnight (booked at
midnight) shops below their reorder point are filled to target on their delivery days; a distribution centre
is filled every day, and to what the day's orders need if that is more. A shop sells what it holds: a line it
can't serve ships from its country's distribution centre instead. Restocked returns come back in at their time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import numpy.typing as npt

from emitter.core.clock import day_start_us
from emitter.core.ledgers import running_balance

I64 = npt.NDArray[np.int64]
SHOP_DELIVERY_DAYS = (1, 4)  # Tuesday and Friday
SALE, RETURN, REPLENISHMENT = range(3)
MOVEMENT_TYPES = ("sale", "return", "replenishment")


@dataclass(frozen=True)
class Policy:
    reorder_point: I64  # (store, product)
    target: I64  # (store, product)
    is_dc: npt.NDArray[np.bool_]  # per store
    dc_for_country: I64
    _watched: dict[int, I64] = field(default_factory=dict, compare=False, repr=False)

    def watched(self, launched: npt.NDArray[np.bool_]) -> I64:
        """Reorder points of launched products, 0 for the rest, flat; cached per launched set (the set only grows
        with the day, so its size names it)."""
        key = int(launched.sum())
        if key not in self._watched:
            if len(self._watched) > 8:
                self._watched.clear()
            self._watched[key] = np.where(launched[None, :], self.reorder_point, 0).ravel()
        return self._watched[key]


def policy(
    daily_units: npt.NDArray[np.float64],
    popularity: npt.NDArray[np.float64],
    is_dc: npt.NDArray[np.bool_],
    dc_for_country: I64,
) -> Policy:
    """Targets cover two weeks of a shop's expected sales (three at a DC), never less than a small display.

    ``daily_units`` is each location's expected units a day; products share them by popularity.
    """
    daily = np.outer(daily_units, popularity / popularity.sum())
    cover, floor = np.where(is_dc, 21.0, 14.0)[:, None], np.where(is_dc, 5, 2)[:, None]
    target = np.maximum(floor, np.ceil(daily * cover)).astype(np.int64)
    return Policy(np.maximum(1, np.ceil(target * 0.4)).astype(np.int64), target, is_dc, dc_for_country)


@dataclass(frozen=True)
class Moves:
    ts: I64
    store: I64
    product: I64
    kind: I64
    quantity: I64  # signed
    stock_after: I64
    line: I64  # sale: the book's line row; return: the day's return row; -1 for replenishment


def move_stock(
    day: date,
    stock: I64,
    p: Policy,
    launched: npt.NDArray[np.bool_],
    line_ts: I64,
    line_store: I64,
    line_country: I64,
    line_product: I64,
    line_quantity: I64,
    back: tuple[I64, I64, I64, I64, I64],  # restocked returns: ts, store, product, quantity, return row
) -> tuple[Moves, I64, I64]:
    """The day's movements, each line's actual location, and the stock at the next midnight."""
    n_products = stock.shape[1]
    flat = stock.ravel()
    midnight = day_start_us(day)
    # overnight: shops on their delivery days and every DC, where stock is below the reorder point
    low = np.flatnonzero(flat < p.watched(launched))
    if day.weekday() not in SHOP_DELIVERY_DAYS:
        low = low[p.is_dc[low // n_products]]
    fill_cell, fill = low, p.target.ravel()[low] - flat[low]
    # shops serve in order until they run out; what they can't serve ships from the country's DC
    key = line_store * n_products + line_product
    have = flat[key] + _at(fill_cell, fill, key)
    short = ~p.is_dc[line_store] & (_cumulative_by_key(key, line_quantity) > have)
    source = np.where(short, p.dc_for_country[line_country], line_store)
    # a DC receives at least what its orders need
    at_dc = p.is_dc[source]
    cells, inverse = np.unique((source * n_products + line_product)[at_dc], return_inverse=True)
    need = np.bincount(inverse, weights=line_quantity[at_dc], minlength=cells.size).astype(np.int64)
    lacking = need > flat[cells] + _at(fill_cell, fill, cells)
    top_up = cells[lacking]
    keep = ~np.isin(fill_cell, top_up)
    fill_cell = np.r_[fill_cell[keep], top_up]
    fill = np.r_[fill[keep], np.maximum(p.target.ravel()[top_up], need[lacking]) - flat[top_up]]
    b_ts, b_store, b_product, b_quantity, b_row = back
    r_store, r_product = np.divmod(fill_cell, n_products)
    ts = np.r_[np.full(fill_cell.size, midnight, np.int64), line_ts, b_ts]
    store = np.r_[r_store, source, b_store].astype(np.int64)
    product = np.r_[r_product, line_product, b_product].astype(np.int64)
    quantity = np.r_[fill, -line_quantity, b_quantity].astype(np.int64)
    kind = np.repeat(np.array([REPLENISHMENT, SALE, RETURN]), [fill_cell.size, line_ts.size, b_ts.size])
    line = np.r_[np.full(fill_cell.size, -1), np.arange(line_ts.size), b_row].astype(np.int64)
    cell = store * n_products + product
    after = running_balance(cell, ts, quantity, flat)
    order = np.argsort(ts, kind="stable")
    moves = Moves(ts[order], store[order], product[order], kind[order], quantity[order], after[order], line[order])
    closing = flat.copy()
    moved, where = np.unique(cell, return_inverse=True)
    closing[moved] += np.bincount(where, weights=quantity, minlength=moved.size).astype(np.int64)
    return moves, source, closing.reshape(stock.shape)


def _at(cells: I64, values: I64, keys: I64) -> I64:
    """``values`` of ``keys`` in the sorted sparse vector (``cells``, ``values``); 0 where absent."""
    if not cells.size:
        return np.zeros(keys.size, dtype=np.int64)
    i = np.searchsorted(cells, keys).clip(0, cells.size - 1)
    return np.where(cells[i] == keys, values[i], 0)


def _cumulative_by_key(key: I64, quantity: I64) -> I64:
    """Each row's running total of ``quantity`` over the earlier rows (and itself) with the same key."""
    order = np.argsort(key, kind="stable")
    total = np.cumsum(quantity[order])
    k = key[order]
    first = np.r_[True, k[1:] != k[:-1]] if k.size else np.zeros(0, bool)
    before = (total - quantity[order])[np.flatnonzero(first)]
    total -= before[np.cumsum(first) - 1]
    out = np.empty_like(total)
    out[order] = total
    return out
