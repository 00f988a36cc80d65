"""Online orders: placed on the web or app, picked and shipped by the DC serving the customer's home store.

An order lives about a week (created → paid → picked → shipped → delivered, or ready and picked up in
store), so a day's status events come from orders created up to ONLINE_LOOKBACK_DAYS before it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt

from emitter.core.arrivals import cdf_pick, draw_arrivals, shares_cdf
from emitter.core.clock import MICROS_PER_DAY, MICROS_PER_HOUR, MICROS_PER_SECOND, SLOTS_PER_DAY, day_start_us
from emitter.core.columns import round_half_up_div
from emitter.core.rng import BlockKeys
from emitter.scenarios.retail.baskets import BasketModel, Lines
from emitter.scenarios.retail.seasons import ONLINE_HOURS, online_day_factor
from emitter.scenarios.retail.world import RetailWorld

I64 = npt.NDArray[np.int64]
ONLINE_LOOKBACK_DAYS = 7
STATUSES = ("CREATED", "PAID", "PICKED", "SHIPPED", "DELIVERED", "READY_FOR_PICKUP", "PICKED_UP")
FREE_SHIPPING_CENTS = 3500
SHIPPING_FEE_CENTS = 599
# How an order moves after it is placed (uniform ranges unless said otherwise)
PAY_SECONDS = (10.0, 300.0)
PICK_MEDIAN_HOURS, PICK_SIGMA, PICK_HOURS_RANGE = 6.0, 0.6, (1.0, 30.0)  # lognormal, clipped
SHIP_HOURS = (1.0, 6.0)  # after picking
DELIVERY_DAYS = (1, 4)  # whole days after the shipping day, inclusive
DELIVERY_HOURS = (9.0, 20.0)  # time of day of a delivery
READY_HOURS = (8.0, 30.0)  # after shipping, for pickup orders
PICKUP_HOURS = (1.0, 72.0)  # after ready


@dataclass
class Orders:
    """Orders created on one day."""

    day: date
    customer: I64
    channel: I64  # 0 WEB, 1 APP
    pickup: npt.NDArray[np.bool_]
    store: I64  # pickup store (home store) for every order; used only when pickup
    dc: I64
    tender: I64
    item_count: I64
    subtotal: I64
    tax: I64
    shipping: I64
    status_ts: I64  # (orders, 6): CREATED, PAID, PICKED, SHIPPED, then DELIVERED or READY_FOR_PICKUP, PICKED_UP
    lines: Lines

    @property
    def size(self) -> int:
        return int(self.customer.size)


def draw_orders(
    world: RetailWorld,
    baskets: BasketModel,
    keys: BlockKeys,
    day: date,
    per_day: float,
    tender_cdf: npt.NDArray[np.float64],
    pickup_share: float,
) -> Orders:
    rng = keys.rng("online", day)
    rate = (per_day * online_day_factor(day) / SLOTS_PER_DAY) * ONLINE_HOURS[None, :]
    _, created = draw_arrivals(rng, rate, day_start_us(day))
    created = np.sort(created)
    n = created.size
    customer = rng.integers(0, world.n_customers, n)
    store = world.customer_home_store[customer]
    pickup = rng.random(n) < pickup_share
    channel = (rng.random(n) < 0.55).astype(np.int64)
    tender = cdf_pick(rng, tender_cdf, n)

    lines = baskets.draw(keys, day, "online_baskets", world.customer_segment[customer], customer)
    ext = lines.qty * lines.unit_price
    subtotal = np.bincount(lines.owner, weights=ext, minlength=n).astype(np.int64)
    tax = round_half_up_div(subtotal * world.geo_tax_bp[world.store_geo[store]], 10_000)
    shipping = np.where(pickup | (subtotal >= FREE_SHIPPING_CENTS), 0, SHIPPING_FEE_CENTS)

    hour = MICROS_PER_HOUR
    paid = created + (rng.uniform(*PAY_SECONDS, n) * MICROS_PER_SECOND).astype(np.int64)
    pick_hours = np.clip(rng.lognormal(np.log(PICK_MEDIAN_HOURS), PICK_SIGMA, n), *PICK_HOURS_RANGE)
    picked = created + (pick_hours * hour).astype(np.int64)
    shipped = picked + (rng.uniform(*SHIP_HOURS, n) * hour).astype(np.int64)
    ship_day = shipped - shipped % MICROS_PER_DAY
    delivered = (
        ship_day
        + rng.integers(DELIVERY_DAYS[0], DELIVERY_DAYS[1] + 1, n) * MICROS_PER_DAY
        + (rng.uniform(*DELIVERY_HOURS, n) * hour).astype(np.int64)
    )
    ready = shipped + (rng.uniform(*READY_HOURS, n) * hour).astype(np.int64)
    picked_up = ready + (rng.uniform(*PICKUP_HOURS, n) * hour).astype(np.int64)
    status_ts = np.stack(
        [created, paid, picked, shipped, np.where(pickup, ready, delivered), np.where(pickup, picked_up, -1)],
        axis=1,
    )
    return Orders(
        day=day,
        customer=customer,
        channel=channel,
        pickup=pickup,
        store=store,
        dc=world.store_dc[store],
        tender=tender,
        item_count=np.bincount(lines.owner, weights=lines.qty, minlength=n).astype(np.int64),
        subtotal=subtotal,
        tax=tax,
        shipping=shipping,
        status_ts=status_ts,
        lines=lines,
    )


def tender_cdf(shares: dict[str, float], names: tuple[str, ...]) -> npt.NDArray[np.float64]:
    return shares_cdf([shares.get(n, 0.0) for n in names])
