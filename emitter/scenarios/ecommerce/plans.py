"""What each of a day's sessions will do, decided before any of its clicks: the plan.

A plan holds everything an order depends on — whether the session buys, its cart, when it starts and
when it pays — drawn per session. Orders of any day therefore come from plans alone, which cost a small
fraction of rendering every click (``clicks.py``), and the order history an order's later statuses and
reviews need is cheap to rebuild for any day. Rendering then fits the clicks to the plan.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date

import numpy as np
import numpy.typing as npt

from emitter.core.arrivals import bucket
from emitter.core.clock import MICROS_PER_DAY, MICROS_PER_SECOND, day_start_us
from emitter.core.rng import BlockKeys
from emitter.scenarios.ecommerce.calendar import conversion_factor
from emitter.scenarios.ecommerce.settings import EcommerceSettings
from emitter.scenarios.ecommerce.visits import BOT, INTERESTS, SIGNED_IN, SIGNING_UP, Visits
from emitter.scenarios.ecommerce.world import Products

I64 = npt.NDArray[np.int64]
B = npt.NDArray[np.bool_]
BROWSE_MEDIAN = 11.0  # non-bounce sessions: 2 + lognormal events, median 2 + 11, long tail
BROWSE_SIGMA = 0.95
MAX_BROWSE = 150
BOT_PAGES_MEAN = 60
MAX_BOT_PAGES = 400
INTEREST_SHARES = np.cumsum([0.6, 0.28, 0.12])  # a session's product views: mostly its first interest
EXTRA_LINES_MEAN = 0.45  # a cart holds 1 + Poisson(0.45) products at purchase
STEP_S = 28.0  # typical seconds per step of a session, for its planned timings
SIGNUP_AFTER = 2  # a sign-up happens after at most this many browse events
SIGNED_IN_BOUNCE = 0.6  # a signed-in customer bounces this much less often than the funnel's rate
# a cart line's quantity: 1, else 2, else 3
SINGLE_QTY = 0.85
DOUBLE_QTY = 0.8


@dataclass
class Plan:
    """A day's sessions in start order (``visits`` reordered to match), with what each will do."""

    visits: Visits
    start: I64  # µs of the first event
    anchor: I64  # µs of the event the session's times hang from: the arrival, or a sign-up
    length: I64  # browse events (page views, product views, searches)
    bounce: B
    cart: B  # adds to cart
    checkout: B  # begins checkout
    buys: B  # pays (then ``purchase_at`` is its purchase event's time)
    purchase_at: I64
    line_session: I64  # the cart at purchase, buying sessions only: (session, product, quantity)
    line_product: I64
    line_qty: I64

    @property
    def size(self) -> int:
        return int(self.start.size)

    def signup_position(self) -> I64:
        """Browse events before a session's sign-up."""
        return np.minimum(SIGNUP_AFTER, self.length - 1) + 1


def plan_sessions(visits: Visits, products: Products, keys: BlockKeys, settings: EcommerceSettings, day: date) -> Plan:
    rng = keys.rng("plans", day)
    f = settings.funnel
    n = visits.size
    kind = visits.kind
    bot = kind == BOT
    signing = kind == SIGNING_UP

    bounce_rate = np.where(kind == SIGNED_IN, f.bounce * SIGNED_IN_BOUNCE, f.bounce)
    bounce = (rng.random(n) < bounce_rate) & ~signing & ~bot
    length = 2 + np.floor(rng.lognormal(np.log(BROWSE_MEDIAN), BROWSE_SIGMA, n)).astype(np.int64)
    length = np.where(bounce, 1, np.minimum(length, MAX_BROWSE))
    length[signing] = np.maximum(length[signing], SIGNUP_AFTER + 1)
    length[bot] = np.minimum(15 + rng.geometric(1 / BOT_PAGES_MEAN, int(bot.sum())), MAX_BOT_PAGES)

    # the funnel: anonymous visitors may fill a cart and reach checkout, but buying needs an account
    boost = conversion_factor(day)
    human = ~bot & ~bounce
    cart = human & (rng.random(n) < min(1.0, f.add_to_cart * boost))
    checkout = cart & (rng.random(n) < f.begin_checkout)
    buys = checkout & (rng.random(n) < min(1.0, f.purchase * boost)) & (kind == SIGNED_IN)
    signup_buys = signing & (rng.random(n) < f.signup_purchase)
    buys |= signup_buys
    checkout |= signup_buys
    cart |= signup_buys

    # times: a sign-up session starts a few steps before the registration (never before midnight)
    day_start = day_start_us(day)
    before = np.minimum(SIGNUP_AFTER, length - 1) + 1
    lead = (before * STEP_S * rng.lognormal(0.0, 0.4, n) * MICROS_PER_SECOND).astype(np.int64)
    start = np.where(signing, np.maximum(day_start, visits.arrival - lead), visits.arrival)
    after = np.where(signing, length - before, length)
    lines = np.minimum(1 + rng.poisson(EXTRA_LINES_MEAN, n), np.maximum(length - 1, 1))
    to_pay = ((after + 2 * lines + 2) * STEP_S * rng.lognormal(0.0, 0.3, n) * MICROS_PER_SECOND).astype(np.int64)
    purchase_at = visits.arrival + to_pay
    buys &= purchase_at < day_start + MICROS_PER_DAY  # a session ends at midnight, paid or not
    purchase_at = np.where(buys, purchase_at, -1)

    # the cart at purchase: products of the session's interests, by popularity
    buyer = np.flatnonzero(buys)
    line_session = np.repeat(buyer, lines[buyer])
    which = np.minimum(bucket(rng.random(line_session.size), INTEREST_SHARES), INTERESTS - 1)
    line_product = products.draw(rng, visits.interests[line_session, which])
    line_qty = np.where(
        rng.random(line_session.size) < SINGLE_QTY, 1, np.where(rng.random(line_session.size) < DOUBLE_QTY, 2, 3)
    )

    order = np.argsort(start, kind="stable")
    rank = np.empty(n, np.int64)
    rank[order] = np.arange(n)
    by_line = np.argsort(rank[line_session], kind="stable")
    return Plan(
        Visits(*(getattr(visits, f.name)[order] for f in fields(Visits))),
        start[order],
        visits.arrival[order],
        length[order],
        bounce[order],
        cart[order],
        checkout[order],
        buys[order],
        purchase_at[order],
        rank[line_session][by_line],
        line_product[by_line],
        line_qty[by_line].astype(np.int64),
    )
