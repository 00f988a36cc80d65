"""Baskets: orders and their lines before ids, prices and stock; shop baskets are drawn here, web ones in sessions.

A basket's lines are contiguous and in line order; ``Baskets.join`` puts shop and web baskets in one book.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date

import numpy as np
import numpy.typing as npt

from emitter.core.arrivals import cdf_pick, shares_cdf
from emitter.core.clock import MICROS_PER_HOUR, day_start_us
from emitter.scenarios.fashion.catalog import SIZE_RUNS, SIZE_WEIGHTS
from emitter.scenarios.fashion.demand import DayDemand, pick_products
from emitter.scenarios.fashion.places import COUNTRIES
from emitter.scenarios.fashion.shoppers import Shoppers
from emitter.scenarios.fashion.stores import Stores

I64 = npt.NDArray[np.int64]
UTC_OFFSET = np.array([c.cet_offset + 1 for c in COUNTRIES], dtype=np.int64)  # local hour minus UTC (winter)
SIZE_LABELS = tuple(s for run in SIZE_RUNS for s in run)
_SIZE_FIRST = np.cumsum([0, *(len(r) for r in SIZE_RUNS)])[:-1]
_SIZE_CDFS = [shares_cdf(w) for w in SIZE_WEIGHTS]
# Where in the opening hours shop orders fall: a lunch peak and a bigger after-work one.
_SPAN = np.interp(np.linspace(0, 1, 48), [0, 0.3, 0.45, 0.75, 1], [0.4, 1.0, 0.8, 1.3, 0.5])
_SPAN_CDF = shares_cdf(_SPAN)
_QUANTITY_CDF = shares_cdf([0.92, 0.07, 0.01])  # 1, 2 or 3 of a line


@dataclass(frozen=True)
class Baskets:
    # per basket
    ts: I64
    customer: I64  # row in customers
    country: I64
    store: I64  # row in stores: the shop, or the distribution centre shipping an online order
    online: npt.NDArray[np.bool_]
    session: I64  # row in the day's sessions, -1 in shops
    campaign: I64  # row in campaigns, -1 for none
    n_lines: I64
    # per line
    product: I64
    size: I64  # index into SIZE_LABELS
    quantity: I64

    @property
    def line_basket(self) -> I64:
        return np.repeat(np.arange(self.ts.size, dtype=np.int64), self.n_lines)

    @staticmethod
    def join(a: Baskets, b: Baskets) -> Baskets:
        """Both books in one, baskets in time order (lines follow their basket)."""
        ts = np.r_[a.ts, b.ts]
        order = np.argsort(ts, kind="stable")
        per_basket = {f.name: np.r_[getattr(a, f.name), getattr(b, f.name)][order] for f in fields(Baskets)[:8]}
        lines = np.r_[a.line_basket, b.line_basket + a.ts.size]
        rank = np.empty(order.size, dtype=np.int64)
        rank[order] = np.arange(order.size)
        line_order = np.argsort(rank[lines], kind="stable")
        per_line = {n: np.r_[getattr(a, n), getattr(b, n)][line_order] for n in ("product", "size", "quantity")}
        return Baskets(**per_basket, **per_line)


def pick_sizes(rng: np.random.Generator, size_run: I64) -> I64:
    """A size of each line's run, as the run's sizes sell (most in the middle)."""
    out = np.empty(size_run.size, dtype=np.int64)
    for run in np.unique(size_run):
        at = size_run == run
        out[at] = _SIZE_FIRST[run] + cdf_pick(rng, _SIZE_CDFS[run], int(at.sum()))
    return out


def quantities(rng: np.random.Generator, n: int) -> I64:
    return 1 + cdf_pick(rng, _QUANTITY_CDF, n)


def shop_baskets(
    rng: np.random.Generator,
    day: date,
    demand: DayDemand,
    stores: Stores,
    shoppers: Shoppers,
    size_run: I64,
    extra_lines: float,
) -> Baskets:
    """The day's shop orders: a Poisson count per open shop, inside its opening hours, by its country's customers."""
    n = rng.poisson(demand.store_orders * demand.store_open)
    store = np.repeat(np.arange(n.size, dtype=np.int64), n)
    country = stores.country[store]
    opens, closes = stores.opening_hour[store], stores.closing_hour[store]
    span = (cdf_pick(rng, _SPAN_CDF, store.size) + rng.random(store.size)) / _SPAN.size
    local = opens * MICROS_PER_HOUR + (span * (closes - opens) * MICROS_PER_HOUR).astype(np.int64)
    ts = day_start_us(day) + local - UTC_OFFSET[country] * MICROS_PER_HOUR
    customer = shoppers.pick(rng, country, day_start_us(day))
    keep = customer >= 0
    order = np.argsort(ts[keep], kind="stable")
    store, country, ts, customer = store[keep][order], country[keep][order], ts[keep][order], customer[keep][order]
    n_lines = 1 + rng.poisson(extra_lines, store.size)
    line_country = np.repeat(country, n_lines)
    product = pick_products(rng, demand.product_cdf, line_country)
    none = np.full(store.size, -1, dtype=np.int64)
    return Baskets(
        ts=ts,
        customer=customer,
        country=country,
        store=store,
        online=np.zeros(store.size, dtype=bool),
        session=none,
        campaign=none.copy(),
        n_lines=n_lines,
        product=product,
        size=pick_sizes(rng, size_run[product]),
        quantity=quantities(rng, product.size),
    )
