"""A day's clickstream: each session's events, in order, rendered to fit its plan (``plans.py``).

A session is a browse sequence in which product views cluster in the session's departments and follow
popularity; searches name a product the catalogue holds and lead to it. A session that buys views and
adds each product of its planned cart along the way (perhaps adding and removing others), then checks
out and pays at its planned moment; one that only fills a cart adds after some views and may remove,
reach checkout and leave. Bots walk the catalogue in id order, fast, and never touch a cart. Events are
placed by think times; a session ends at midnight at the latest, as web analytics sessions do.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import date

import numpy as np
import numpy.typing as npt

from emitter.core.arrivals import bucket
from emitter.core.clock import MICROS_PER_DAY, MICROS_PER_SECOND, day_start_us
from emitter.core.ordering import time_order
from emitter.core.rng import BlockKeys
from emitter.scenarios.ecommerce.event_types import (
    ADD,
    CHECKOUT,
    PAGE_VIEW,
    PRODUCT_VIEW,
    PURCHASE,
    REMOVE,
    SEARCH,
    SIGN_UP,
)
from emitter.scenarios.ecommerce.pages import Pages
from emitter.scenarios.ecommerce.plans import INTEREST_SHARES, Plan
from emitter.scenarios.ecommerce.visits import BOT, INTERESTS, SIGNED_IN, SIGNING_UP
from emitter.scenarios.ecommerce.vocabulary import BOT_KINDS
from emitter.scenarios.ecommerce.world import Products

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
B = npt.NDArray[np.bool_]

# median think time before an event of each type (seconds), lognormal with sigma THINK_SIGMA
THINK_S = np.array([14.0, 26.0, 11.0, 7.0, 6.0, 25.0, 75.0, 50.0])
THINK_SIGMA = 0.9
MAX_GAP_S = 25 * 60  # a longer pause would end the session
ADD_SHARE = 0.25  # product views added in a session that only fills a cart (its last view always is)
REMOVE_SHARE = 0.2  # of those adds, removed again
SECOND_THOUGHTS = 0.1  # product views a buying session adds, beyond its cart, and then removes
THROTTLED_SCRAPERS = 0.5
BOT_PRODUCT_VIEWS = 0.75  # a bot's pages: product pages, else category pages
SCRAPER = BOT_KINDS.index("scraper")
KEY_STEPS = 20  # order keys count twentieths of a browse step
SESSION_STRIDE = KEY_STEPS * 4096  # above any session's largest key
BROWSE_TYPES = np.cumsum([0.52, 0.26, 0.12])  # product view, category page, search; the rest: home, help, account


@dataclass
class Clicks:
    """A day's events sorted by session (sessions in start order), then position."""

    session: I64
    position: I64  # 1 for a session's first event
    ts: I64
    type: I64
    page: I64  # index into Pages.urls
    product: I64  # -1 when none
    query: I64  # -1 when none; index into Products.queries
    quantity: I64  # signed: negative for removals, 0 when none
    signed_in: B  # the event carries the session's customer id

    @property
    def size(self) -> int:
        return int(self.ts.size)

    def sorted_by_time(self) -> Clicks:
        """The same events in time order across sessions (ties keep session order)."""
        order = time_order(self.ts)
        return Clicks(*(getattr(self, f.name)[order] for f in fields(Clicks)))


@dataclass
class Sessions:
    """A day's sessions in start order, and their clicks."""

    plan: Plan
    end: I64
    first: I64  # index of each session's first click (and the end)
    clicks: Clicks

    @property
    def size(self) -> int:
        return self.plan.size

    @property
    def start(self) -> I64:
        return self.plan.start

    def count(self, mask: B) -> I64:
        """Clicks matching ``mask`` per session."""
        return np.bincount(self.clicks.session[mask], minlength=self.size).astype(np.int64)


def merge_positions(main_key: I64, extra_key: I64) -> Callable[[I64, I64], I64]:
    """Merge a few extra rows into rows already sorted by ``main_key``, as a stable sort of both would.

    Returns a function that lays out (main column, extra column) in the merged order. No key of one side
    equals a key of the other.
    """
    by_key = np.argsort(extra_key, kind="stable")
    at = np.searchsorted(main_key, extra_key[by_key], side="right") + np.arange(by_key.size)
    is_extra = np.zeros(main_key.size + by_key.size, bool)
    is_extra[at] = True
    main_at = np.flatnonzero(~is_extra)

    def place(main: I64, extra: I64) -> I64:
        out = np.empty(main.size + extra.size, dtype=np.result_type(main, extra))
        out[main_at] = main
        out[at] = extra[by_key]
        return out

    return place


def render(plan: Plan, products: Products, pages: Pages, keys: BlockKeys, day: date) -> Sessions:
    """Every event of the day's sessions, fitted to their plans."""
    rng = keys.rng("clicks", day)
    v = plan.visits
    n = plan.size
    kind, length = v.kind, plan.length
    bot = kind == BOT

    # ---- the browse sequence -------------------------------------------------------------------------
    sess = np.repeat(np.arange(n), length)
    first = np.r_[0, np.cumsum(length)]
    j = np.arange(sess.size) - first[sess]
    m = sess.size
    u = rng.random(m)
    etype = bucket(u, BROWSE_TYPES)
    etype = np.array([PRODUCT_VIEW, PAGE_VIEW, SEARCH, -1])[etype]
    at_start = j == 0
    etype[at_start] = np.where(v.landing[sess[at_start]] == 2, PRODUCT_VIEW, PAGE_VIEW)
    is_bot = bot[sess]
    etype[is_bot] = np.where(u[is_bot] < BOT_PRODUCT_VIEWS, PRODUCT_VIEW, PAGE_VIEW)
    which = np.minimum(bucket(rng.random(m), INTEREST_SHARES), INTERESTS - 1)
    department = v.interests[sess, which]
    product = products.draw(rng, department)
    walk = rng.integers(0, products.size, n)  # bots crawl the catalogue in id order from a random product
    product[is_bot] = (walk[sess[is_bot]] + j[is_bot]) % products.size
    variant = rng.integers(0, 3, m)

    # ---- the cart ------------------------------------------------------------------------------------
    # a buying session views each product of its cart, spread over its browsing, and adds it
    ls = plan.line_session
    k = np.bincount(ls, minlength=n)
    line_first = np.r_[0, np.cumsum(k)]
    i = np.arange(ls.size) - line_first[ls]
    planned = first[ls] + (i + 1) * length[ls] // (k[ls] + 1)
    etype[planned] = PRODUCT_VIEW
    product[planned] = plan.line_product
    department[planned] = products.department[plan.line_product]
    # a session that only fills a cart needs a product view to add: its last browse event becomes one
    abandons = plan.cart & ~plan.buys
    views = np.bincount(sess[etype == PRODUCT_VIEW], minlength=n)
    etype[first[1:][abandons & (views == 0)] - 1] = PRODUCT_VIEW
    # a search names the product viewed next, when a view follows it
    search = etype == SEARCH
    follows = np.flatnonzero(search[:-1] & (etype[1:] == PRODUCT_VIEW) & (sess[1:] == sess[:-1]))
    product[follows] = product[follows + 1]
    query = np.where(search, products.query[product, variant], -1)
    viewed = etype == PRODUCT_VIEW
    last_view = np.full(n, -1)
    np.maximum.at(last_view, sess[viewed], np.flatnonzero(viewed))
    is_planned = np.zeros(m, bool)
    is_planned[planned] = True
    chance = np.where(abandons[sess], ADD_SHARE, np.where(plan.buys[sess], SECOND_THOUGHTS, 0.0))
    extra = np.flatnonzero(viewed & ~is_planned & (rng.random(m) < chance))
    keeps_last = abandons[sess] & viewed & (np.arange(m) == last_view[sess]) & ~is_planned
    extra = np.union1d(extra, np.flatnonzero(keeps_last))
    removed = np.where(
        plan.buys[sess[extra]], True, (rng.random(extra.size) < REMOVE_SHARE) & (extra != last_view[sess[extra]])
    )
    extra_qty = np.where(rng.random(extra.size) < 0.85, 1, 2)
    add_at = np.concatenate([planned, extra])
    add_qty = np.concatenate([plan.line_qty, extra_qty])
    remove_at = extra[removed]
    remove_qty = extra_qty[removed]
    checkout_s = np.flatnonzero(plan.checkout)
    buy_s = np.flatnonzero(plan.buys)
    signup_s = np.flatnonzero(kind == SIGNING_UP)
    signup_key = np.full(n, np.iinfo(np.int64).max // 2)
    signup_key[signup_s] = plan.signup_position()[signup_s] * KEY_STEPS - 6  # just before that browse event

    # ---- all events in order: browse positions, an add just after its view, then cart page and checkout ----
    # keys in twentieths of a browse step; browse events are already in order, the few others are merged in
    end_key = length * KEY_STEPS
    ins_key = np.concatenate(
        [
            j[add_at] * KEY_STEPS + 10,
            end_key[sess[remove_at]] + 1,
            end_key[checkout_s] + 2,
            end_key[buy_s] + 6,
            signup_key[signup_s],
        ]
    )
    ins_sess = np.concatenate([sess[add_at], sess[remove_at], checkout_s, buy_s, signup_s])
    ins_type = np.concatenate(
        [
            np.full(add_at.size, ADD),
            np.full(remove_at.size, REMOVE),
            np.full(checkout_s.size, CHECKOUT),
            np.full(buy_s.size, PURCHASE),
            np.full(signup_s.size, SIGN_UP),
        ]
    )
    none = np.full(checkout_s.size + buy_s.size + signup_s.size, -1)
    ins_product = np.concatenate([product[add_at], product[remove_at], none])
    ins_query = np.full(ins_key.size, -1)
    ins_qty = np.concatenate([add_qty, -remove_qty, np.zeros(none.size, np.int64)])
    ins_dept = np.concatenate([department[add_at], department[remove_at], np.zeros(none.size, np.int64)])
    place = merge_positions(sess * SESSION_STRIDE + j * KEY_STEPS, ins_sess * SESSION_STRIDE + ins_key)
    e_sess, e_type, e_product, e_query, e_qty, e_dept, key = (
        place(a, b)
        for a, b in (
            (sess, ins_sess),
            (etype, ins_type),
            (product, ins_product),
            (query, ins_query),
            (np.zeros(m, np.int64), ins_qty),
            (department, ins_dept),
            (j * KEY_STEPS, ins_key),
        )
    )
    e_first = np.searchsorted(e_sess, np.arange(n + 1))

    # ---- time: think gaps around the anchor, stretched to land on the plan's start and purchase --------
    gap = rng.lognormal(np.log(THINK_S[np.maximum(e_type, 0)]), THINK_SIGMA) * MICROS_PER_SECOND
    gap = np.minimum(gap, MAX_GAP_S * MICROS_PER_SECOND)
    # crawlers and half the scrapers fetch a page a second; the other scrapers throttle to pass for people
    throttled = (v.bot_kind == SCRAPER) & (rng.random(n) < THROTTLED_SCRAPERS)
    e_bot = bot[e_sess]
    pace = np.where(throttled, 5.0, 0.6)[e_sess[e_bot]]
    gap[e_bot] = pace * rng.uniform(0.25, 2.0, int(e_bot.sum())) * MICROS_PER_SECOND
    gap[e_first[:-1]] = 0.0
    cum = np.cumsum(gap)
    cum -= cum[e_first[:-1]][e_sess]
    anchor = np.zeros(n)
    signup_event = np.flatnonzero(e_type == SIGN_UP)
    anchor[e_sess[signup_event]] = cum[signup_event]
    rel = cum - anchor[e_sess]
    lead = -rel[e_first[:-1]]  # ≥ 0: how long before its anchor a session begins
    pre = np.where(lead > 0, (plan.anchor - plan.start) / np.maximum(lead, 1.0), 0.0)
    purchase_event = np.flatnonzero(e_type == PURCHASE)
    post = np.ones(n)
    post[e_sess[purchase_event]] = (plan.purchase_at - plan.anchor)[e_sess[purchase_event]] / np.maximum(
        rel[purchase_event], 1.0
    )
    rel = np.where(rel < 0, rel * pre[e_sess], rel * post[e_sess])
    ts = plan.anchor[e_sess] + rel.astype(np.int64)
    ts[e_first[:-1]] = np.where(lead > 0, plan.start, ts[e_first[:-1]])
    ts[purchase_event] = plan.purchase_at[e_sess[purchase_event]]
    inside = ts < day_start_us(day) + MICROS_PER_DAY  # a session ends at midnight
    e_sess, ts, e_type, e_product, e_query, e_qty, e_dept, key = (
        a[inside] for a in (e_sess, ts, e_type, e_product, e_query, e_qty, e_dept, key)
    )

    rest = e_type == -1
    e_type[rest] = PAGE_VIEW
    page = pages.for_events(rng, e_type, e_product, e_query, e_dept, key, v.landing[e_sess], rest)
    signed_in = (kind[e_sess] == SIGNED_IN) | (key >= signup_key[e_sess])
    starts = np.searchsorted(e_sess, np.arange(n + 1))
    clicks = Clicks(
        e_sess, 1 + np.arange(e_sess.size) - starts[e_sess], ts, e_type, page, e_product, e_query, e_qty, signed_in
    )
    return Sessions(plan, ts[starts[1:] - 1], starts, clicks)
