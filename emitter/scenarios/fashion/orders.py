"""The day's order book: shop and web baskets priced in local currency, attributed to campaigns, paid and dated."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt

from emitter.core.arrivals import cdf_pick, shares_cdf
from emitter.scenarios.fashion.baskets import Baskets
from emitter.scenarios.fashion.demand import DayDemand
from emitter.scenarios.fashion.money import Lines, Orders, price_lines, price_orders
from emitter.scenarios.fashion.places import COUNTRIES
from emitter.scenarios.fashion.vocabulary import ONLINE_PAYMENT, ONLINE_PAYMENT_DEFAULT, PAYMENT_METHODS, STORE_PAYMENT

I64 = npt.NDArray[np.int64]


def _payment_cdfs() -> tuple[list[npt.NDArray[np.float64]], list[I64]]:
    cdfs, methods = [], []
    for mix in [ONLINE_PAYMENT.get(c.code, ONLINE_PAYMENT_DEFAULT) for c in COUNTRIES] + [STORE_PAYMENT]:
        cdfs.append(shares_cdf(list(mix.values())))
        methods.append(np.array([PAYMENT_METHODS.index(m) for m in mix], dtype=np.int64))
    return cdfs, methods


_PAYMENT_CDFS, _PAYMENT_METHODS = _payment_cdfs()
_SHOP = len(COUNTRIES)  # the shops' mix follows the online ones


@dataclass(frozen=True)
class OrderBook:
    baskets: Baskets
    line_order: I64  # each line's order row
    line_number: I64  # 1, 2, ... within its order
    lines: Lines
    orders: Orders
    payment: I64  # index into PAYMENT_METHODS
    delivery: I64  # date ordinal of delivery, -1 in shops
    fulfilled_from: I64  # store row each line left from (set by the stock pass)


def book(
    rng: np.random.Generator, day: date, b: Baskets, demand: DayDemand, local_price: I64, store_country: I64
) -> OrderBook:
    """Price the joined baskets; ``local_price`` is (country, product) cents, ``store_country`` each store's."""
    line_order = b.line_basket
    starts = np.r_[0, np.cumsum(b.n_lines)[:-1]]
    line_number = np.arange(line_order.size, dtype=np.int64) - starts[line_order] + 1
    country = b.country[line_order]
    lines = price_lines(local_price[country, b.product], b.quantity, demand.discount_pct[country, b.product], country)
    orders = price_orders(line_order, b.ts.size, lines, b.quantity, b.country, b.online)
    # an order a campaign's products are in counts for it, unless the visit came through one already
    hit = demand.campaign[country, b.product]
    first_hit = np.full(b.ts.size, -1, dtype=np.int64)
    rows = np.flatnonzero(hit >= 0)[::-1]
    first_hit[line_order[rows]] = hit[rows]
    campaign = np.where(b.campaign >= 0, b.campaign, first_hit)
    payment = np.empty(b.ts.size, dtype=np.int64)
    mix = np.where(b.online, b.country, _SHOP)
    for m in np.unique(mix):
        at = mix == m
        payment[at] = _PAYMENT_METHODS[m][cdf_pick(rng, _PAYMENT_CDFS[m], int(at.sum()))]
    # a parcel takes a day or two at home, two to four from another country's DC
    abroad = store_country[b.store] != b.country
    transit = 1 + (rng.random(b.ts.size) < 0.4) + abroad * (1 + (rng.random(b.ts.size) < 0.5))
    delivery = np.where(b.online, day.toordinal() + transit, -1).astype(np.int64)
    booked = Baskets(**{**b.__dict__, "campaign": campaign})
    return OrderBook(booked, line_order, line_number, lines, orders, payment, delivery, b.store[line_order])
