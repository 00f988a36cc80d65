"""One trading day, decided: demand, sessions and pages, the order book, stock moves, and the follow-ups due.

Replaying the state (``state_at``) and building a day's tables both run this, so a day alone and a day in a
run from the first one hold the same rows.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

import numpy as np
import numpy.typing as npt

from emitter.core.rng import BlockKeys
from emitter.scenarios.fashion.baskets import Baskets, shop_baskets
from emitter.scenarios.fashion.followups import DAMAGED, RETURN, Pending, follow_ups
from emitter.scenarios.fashion.orders import OrderBook, book
from emitter.scenarios.fashion.sessions import Pages, Sessions, draw_pages, draw_sessions, session_ends, web_baskets
from emitter.scenarios.fashion.stock import Moves, move_stock
from emitter.scenarios.fashion.world import FashionWorld

I64 = npt.NDArray[np.int64]


@dataclass(frozen=True)
class FashionState:
    stock: I64  # (store, product) at midnight
    pending: Pending  # returns and reviews not yet due


@dataclass(frozen=True)
class Day:
    sessions: Sessions
    pages: Pages
    ends: I64
    book: OrderBook
    moves: Moves
    returns: Pending  # due today, in time order
    reviews: Pending


def trade(keys: BlockKeys, w: FashionWorld, day: date, state: FashionState) -> tuple[Day, FashionState]:
    demand = w.demand.day(day)
    p = w.products
    sessions = draw_sessions(
        keys.rng("sessions", day),
        day,
        demand,
        w.shoppers,
        w.customers.customer_id,
        w.campaigns,
        w.tests,
        w.conversion,
        w.rates,
    )
    pages = draw_pages(keys.rng("pages", day), sessions, demand, p.size_run, w.rates)
    ends = session_ends(sessions, pages)
    sessions = replace(sessions, end=ends)
    shop = shop_baskets(
        keys.rng("shops", day), day, demand, w.stores, w.shoppers, p.size_run, w.demand.store_extra_lines
    )
    web = web_baskets(keys.rng("web orders", day), sessions, pages, w.stores.dc_for_country)
    ob = book(keys.rng("book", day), day, Baskets.join(shop, web), demand, w.local_price, w.stores.country)
    due, later = state.pending.split(day)
    returns = due.take(np.flatnonzero(due.kind == RETURN))
    reviews = due.take(np.flatnonzero(due.kind != RETURN))
    back = np.flatnonzero(returns.reason != DAMAGED)
    b = ob.baskets
    moves, source, stock = move_stock(
        day,
        state.stock,
        w.policy,
        p.launch <= day.toordinal(),
        b.ts[ob.line_order],
        ob.fulfilled_from,
        b.country[ob.line_order],
        b.product,
        b.quantity,
        (returns.due[back], returns.store[back], returns.product[back], returns.quantity[back], back),
    )
    ob = replace(ob, fulfilled_from=source)
    new = follow_ups(
        keys.rng("follow-ups", day),
        day,
        ob,
        w.shares,
        p.return_propensity,
        w.review_rate,
        w.stores.opening_hour,
        w.stores.closing_hour,
        w.demand.shops_open,
    )
    return Day(sessions, pages, ends, ob, moves, returns, reviews), FashionState(stock, later.then(new))
