"""Orders from the day's purchase events: lines, amounts to the cent, and every later status with its time.

An order is placed at its purchase event's timestamp with the session's cart (added minus removed). It
is then paid (or fails payment), may be cancelled before it ships, ships from the warehouse serving its
address on a later working hour, is delivered, and may come back. Reviews follow delivery.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cached_property

import numpy as np
import numpy.typing as npt

from emitter.core.arrivals import cdf_pick, shares_cdf
from emitter.core.clock import MICROS_PER_DAY, MICROS_PER_HOUR, MICROS_PER_MINUTE, MICROS_PER_SECOND, yyyymmdd
from emitter.core.columns import FixedIds, fixed_width_ids, round_half_up_div
from emitter.core.rng import BlockKeys
from emitter.scenarios.ecommerce.calendar import sale_day
from emitter.scenarios.ecommerce.plans import Plan
from emitter.scenarios.ecommerce.settings import EcommerceSettings
from emitter.scenarios.ecommerce.visits import SIGNING_UP
from emitter.scenarios.ecommerce.vocabulary import (
    CANCEL_REASONS,
    DEPARTMENTS,
    PAYMENT_SHARES,
    PLACES,
    PROMO_CODES,
    RETURN_REASONS,
)
from emitter.scenarios.ecommerce.world import EcommerceWorld

I64 = npt.NDArray[np.int64]
B = npt.NDArray[np.bool_]
NONE = -1
FREE_SHIPPING_CENTS = 5_000
SHIPPING_CENTS = (599, 1_499)  # standard, express
TRANSIT_DAYS = ((2, 5), (1, 2))  # min, max per shipping method
RETURN_WINDOW_DAYS = 30
RETURN_AFTER_DAYS = 3  # the earliest a return arrives after delivery
EXPRESS_SHARE = 0.15
WORKING_HOURS = (8, 20)  # shipments and deliveries happen between these hours
SHIP_CUTOFF_HOUR = 14  # placed after this, an order ships from the next day
SHIP_WITHIN_DAYS = 3  # then on one of this many days
SHIP_AFTER_MINUTES = 30
ABROAD_DAYS = 3  # extra transit outside the warehouse's region
PRONE_RETURNS = 2.0  # return rate multiplier of an order with apparel or shoes; others
OTHER_RETURNS = 0.7
REVIEW_LAG_DAYS = 5.0  # mean of the exponential delay after delivery, plus the minimum
REVIEW_MIN_DAYS = 0.05
SALE_PROMO = 0.55  # orders using the sale's code on sale days; the save code on other days; the friends code
SAVE_PROMO = 0.1
FRIENDS_PROMO = 0.006
REVIEW_WINDOW_DAYS = 30
# the longest an order stays in motion: ships within 3 days, arrives within 5 more (8 abroad), then a return
LOOKBACK_DAYS = 3 + 8 + RETURN_WINDOW_DAYS + 1
PRONE_DEPARTMENTS = [i for i, d in enumerate(DEPARTMENTS) if d.name in ("Apparel", "Shoes")]
STATUSES = ("placed", "paid", "shipped", "delivered", "cancelled", "returned")
PLACED, PAID, SHIPPED, DELIVERED, CANCELLED, RETURNED = range(len(STATUSES))
PROMO_PERCENT = np.array([p for _, p in PROMO_CODES])
WELCOME, SAVE, SALE, FRIENDS = range(len(PROMO_CODES))


@dataclass
class Orders:
    """The orders placed on one day, with their lines and their whole future (times are -1 when never)."""

    day: date
    session: I64  # session index of that day
    customer: I64
    place: I64
    warehouse: I64
    status_ts: I64  # (orders, STATUSES)
    cancel_reason: I64  # -1, or index into CANCEL_REASONS
    return_reason: I64
    promo: I64  # -1 or index into PROMO_CODES
    payment: I64
    shipping_method: I64
    subtotal: I64  # cents
    discount: I64
    shipping: I64
    tax: I64
    line_order: I64  # per line: its order
    line_product: I64
    line_qty: I64
    line_price: I64
    line_discount: I64
    review_ts: I64  # per line, -1 when not reviewed
    review_rating: I64
    review_text: I64  # template index

    @property
    def size(self) -> int:
        return int(self.session.size)

    @cached_property
    def ids(self) -> FixedIds:
        """ORD<yyyymmdd of placing><n:06d>, built once however many later days refer to the order."""
        return fixed_width_ids("ORD", [(yyyymmdd(self.day), 8), (np.arange(self.size), 6)])

    @cached_property
    def session_ids(self) -> FixedIds:
        """The id of the session each order was placed in."""
        return fixed_width_ids("SES", [(yyyymmdd(self.day), 8), (self.session, 7)])

    @property
    def total(self) -> I64:
        return self.subtotal - self.discount + self.shipping + self.tax

    @property
    def item_count(self) -> I64:
        return np.bincount(self.line_order, weights=self.line_qty, minlength=self.size).astype(np.int64)


def place_orders(world: EcommerceWorld, keys: BlockKeys, settings: EcommerceSettings, day: date, plan: Plan) -> Orders:
    """One order per buying session of ``plan``, numbered in the order they are paid, and what follows it."""
    rng = keys.rng("orders", day)
    session = np.flatnonzero(plan.buys)
    session = session[np.argsort(plan.purchase_at[session], kind="stable")]
    n = session.size
    index_of = np.full(plan.size, -1)
    index_of[session] = np.arange(n)
    # the cart at purchase, a product added twice on one line
    key = index_of[plan.line_session] * world.products.size + plan.line_product
    lines, where = np.unique(key, return_inverse=True)
    qty = np.bincount(where, weights=plan.line_qty).astype(np.int64)
    line_order = lines // world.products.size
    line_product = lines % world.products.size
    price = world.products.price[line_product]

    v = plan.visits
    customer = v.customer[session]
    place = world.customers.place[customer]
    warehouse = np.array([p.warehouse for p in PLACES])[place]
    # promotions: the sale's code on sale days, a welcome code on a first order, a few others
    promo = np.full(n, NONE)
    u = rng.random(n)
    if sale_day(day):
        promo[u < SALE_PROMO] = SALE
    else:
        promo[u < SAVE_PROMO] = SAVE
    promo[v.kind[session] == SIGNING_UP] = WELCOME
    promo[rng.random(n) < FRIENDS_PROMO] = FRIENDS
    percent = np.where(promo >= 0, PROMO_PERCENT[np.maximum(promo, 0)], 0)
    gross = qty * price
    line_discount = round_half_up_div(gross * percent[line_order], 100)
    subtotal = np.bincount(line_order, weights=gross, minlength=n).astype(np.int64)
    discount = np.bincount(line_order, weights=line_discount, minlength=n).astype(np.int64)
    method = (rng.random(n) < EXPRESS_SHARE).astype(np.int64)
    fee = np.array(SHIPPING_CENTS)[method]
    shipping = np.where((method == 0) & (subtotal - discount >= FREE_SHIPPING_CENTS), 0, fee)
    tax_bp = np.array([p.tax_bp for p in PLACES])[place]
    tax = round_half_up_div((subtotal - discount + shipping) * tax_bp, 10_000)
    payment = cdf_pick(rng, shares_cdf(PAYMENT_SHARES), n)

    status_ts, cancel_reason, return_reason = _timeline(
        rng, settings, plan.purchase_at[session], method, place, line_order, line_product, world
    )
    review_ts, rating, text = _reviews(rng, settings, status_ts, line_order, line_product, return_reason, world)
    return Orders(
        day, session, customer, place, warehouse, status_ts, cancel_reason, return_reason, promo, payment, method,
        subtotal, discount, shipping, tax, line_order, line_product, qty, price, line_discount, review_ts, rating, text,
    )  # fmt: skip


def _at_hours(rng: np.random.Generator, day_us: I64, first_hour: int, last_hour: int) -> I64:
    """A uniform moment between two hours of the given days (µs at midnight)."""
    span = (last_hour - first_hour) * MICROS_PER_HOUR
    return day_us + first_hour * MICROS_PER_HOUR + (rng.random(day_us.size) * span).astype(np.int64)


def abroad_places() -> B:
    """Per place: whether its orders travel ABROAD_DAYS longer (outside US and CA, not served by the EU centre)."""
    return np.array([p.country not in ("US", "CA") and p.warehouse != 2 for p in PLACES])


def _timeline(
    rng: np.random.Generator,
    settings: EcommerceSettings,
    placed: I64,
    method: I64,
    place: I64,
    line_order: I64,
    line_product: I64,
    world: EcommerceWorld,
) -> tuple[I64, I64, I64]:
    o = settings.orders
    n = placed.size
    ts = np.full((n, len(STATUSES)), NONE, np.int64)
    ts[:, PLACED] = placed
    failed = rng.random(n) < o.payment_failed
    ts[:, PAID] = np.where(failed, NONE, placed + (rng.uniform(2, 90, n) * MICROS_PER_SECOND).astype(np.int64))
    # ships on a working hour 0-2 days later (next day when placed after 14:00)
    midnight = placed - placed % MICROS_PER_DAY
    late = (placed - midnight) >= SHIP_CUTOFF_HOUR * MICROS_PER_HOUR
    ship_day = midnight + (late + rng.integers(0, SHIP_WITHIN_DAYS, n)) * MICROS_PER_DAY
    shipped = np.maximum(_at_hours(rng, ship_day, *WORKING_HOURS), placed + SHIP_AFTER_MINUTES * MICROS_PER_MINUTE)
    cancelled = ~failed & (rng.random(n) < o.cancelled)
    ts[:, CANCELLED] = np.where(
        failed,
        placed + (rng.uniform(1, 5, n) * MICROS_PER_MINUTE).astype(np.int64),
        np.where(cancelled, placed + ((shipped - placed) * rng.uniform(0.05, 0.95, n)).astype(np.int64), NONE),
    )
    moving = ~failed & ~cancelled
    ts[:, SHIPPED] = np.where(moving, shipped, NONE)
    lo, hi = np.array([t[0] for t in TRANSIT_DAYS])[method], np.array([t[1] for t in TRANSIT_DAYS])[method]
    abroad = abroad_places()[place]
    transit = rng.integers(lo, hi + 1) + abroad * ABROAD_DAYS
    arrive_day = shipped - shipped % MICROS_PER_DAY + transit * MICROS_PER_DAY
    ts[:, DELIVERED] = np.where(moving, _at_hours(rng, arrive_day, *WORKING_HOURS), NONE)
    # returns: apparel and shoes come back twice as often
    prone = np.zeros(n, bool)
    departments = world.products.department[line_product]
    np.logical_or.at(prone, line_order, np.isin(departments, PRONE_DEPARTMENTS))
    returned = moving & (rng.random(n) < o.returned * np.where(prone, PRONE_RETURNS, OTHER_RETURNS))
    back = ts[:, DELIVERED] + (rng.uniform(RETURN_AFTER_DAYS, RETURN_WINDOW_DAYS, n) * MICROS_PER_DAY).astype(np.int64)
    ts[:, RETURNED] = np.where(returned, back, NONE)
    cancel_reason = np.where(failed, 0, np.where(cancelled, len(CANCEL_REASONS) - 1, NONE))
    return_reason = np.where(returned, rng.integers(0, len(RETURN_REASONS), n), NONE)
    return ts, cancel_reason, return_reason


# J-shaped star ratings: mostly 5s and 4s, a long tail down to 1
RATING_SHARES = np.array([0.09, 0.04, 0.08, 0.22, 0.57])


def _reviews(
    rng: np.random.Generator,
    settings: EcommerceSettings,
    status_ts: I64,
    line_order: I64,
    line_product: I64,
    return_reason: I64,
    world: EcommerceWorld,
) -> tuple[I64, I64, I64]:
    """Per line: when its customer reviews it (after delivery, -1 for never), the stars and a text template."""
    m = line_order.size
    delivered = status_ts[line_order, DELIVERED]
    writes = (delivered >= 0) & (rng.random(m) < settings.orders.reviewed)
    lag = np.minimum(rng.exponential(REVIEW_LAG_DAYS, m) + REVIEW_MIN_DAYS, REVIEW_WINDOW_DAYS) * MICROS_PER_DAY
    review_ts = np.where(writes, delivered + lag.astype(np.int64), NONE)
    # the product's quality and a return pull the stars down
    quality = world.products.quality[line_product] - 1.2 * (return_reason[line_order] >= 0)
    base = np.searchsorted(np.cumsum(RATING_SHARES), rng.random(m), side="right").clip(0, 4) + 1
    rating = np.clip(np.round(base + quality + rng.normal(0, 0.3, m)), 1, 5).astype(np.int64)
    text = rng.integers(0, 1 << 20, m)
    return review_ts, rating, text
