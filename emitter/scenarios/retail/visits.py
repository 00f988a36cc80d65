"""Store visits: who comes in when, where they walk, and who reaches the checkout.

Every visit is a path of stops (entrance, a few zones, checkout for buyers). Each stop is one
foot-traffic sensor row, and for loyalty members (who carry the app) one or more BLE pings inside
the same clock hour. So per store and hour, sensor counts ≥ members seen by BLE ≥ members who buy,
by construction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt

from emitter.core.arrivals import draw_arrivals, shares_cdf
from emitter.core.clock import MICROS_PER_HOUR, MICROS_PER_SECOND, SLOTS_PER_DAY, day_start_us
from emitter.core.rng import BlockKeys
from emitter.scenarios.retail.catalog import (
    BROWSE_ZONES,
    CATEGORIES,
    CHECKOUT,
    ENTRANCE,
    SEGMENTS,
    ZONE_INDEX,
    ZONES,
)
from emitter.scenarios.retail.seasons import STORE_HOURS, extended_hours, store_closed, store_day_factor
from emitter.scenarios.retail.world import RetailWorld

I64 = npt.NDArray[np.int64]
BOOL = npt.NDArray[np.bool_]

HOME_STORE_SHARE = 0.85  # members mostly shop at the store nearest home
ANONYMOUS_PER_MEMBER = 0.35  # non-member parties per member visit
SLOTS_PER_HOUR = SLOTS_PER_DAY // 24
_SEG_CONVERSION = np.array([s.conversion for s in SEGMENTS])
_SEG_DWELL_S = np.array([s.dwell_minutes * 60.0 for s in SEGMENTS])
_ZONE_WEIGHT = np.zeros(len(ZONES))
for _c in CATEGORIES:
    _ZONE_WEIGHT[ZONE_INDEX[_c.zone]] += _c.weight
_BROWSE_CDF = shares_cdf(_ZONE_WEIGHT[list(BROWSE_ZONES)])


def open_hours(world: RetailWorld, day: date) -> tuple[I64, I64]:
    """(open hour, close hour) per store on ``day``; closed stores get open == close."""
    opening, closing = world.store_open_hour.copy(), world.store_close_hour.copy()
    if extended_hours(day):
        opening, closing = np.minimum(opening, 5), np.full_like(closing, 24)
    if store_closed(day):
        closing = np.where(world.store_24h, closing, opening)
    return opening, closing


def delivery_time(world: RetailWorld, day: date) -> I64:
    """When each store receives trucks on ``day``: an hour before opening, midnight for 24/7 stores.

    No sale happens on ``day`` before this moment, which keeps the stock at delivery exact.
    """
    opening, _ = open_hours(world, day)
    hour = np.where(world.store_24h, 0, np.maximum(opening - 1, 0))
    return day_start_us(day) + hour * MICROS_PER_HOUR


def member_rates(world: RetailWorld, day: date, members_per_day: float) -> npt.NDArray[np.float64]:
    """Expected member arrivals per (store, slot): daily level × store size × hour curve inside open hours."""
    opening, closing = open_hours(world, day)
    slot = np.arange(SLOTS_PER_DAY)
    is_open = (slot[None, :] >= opening[:, None] * SLOTS_PER_HOUR) & (slot[None, :] < closing[:, None] * SLOTS_PER_HOUR)
    shape = np.where(is_open, STORE_HOURS[None, :], 0.0)
    mass = shape.sum(axis=1, keepdims=True)
    shape = np.divide(shape, mass, out=np.zeros_like(shape), where=mass > 0)
    per_store = members_per_day * store_day_factor(day) * world.store_traffic / world.store_traffic.sum()
    return np.asarray(per_store[:, None] * shape, dtype=np.float64)


def leave_by_closing(
    rng: np.random.Generator, world: RetailWorld, day: date, store: I64, arrival: I64, leave: I64
) -> I64:
    """Visits that would run past closing (midnight for 24/7 stores) end as far before it as they would have after.

    Mirroring the overrun keeps checkout times smooth up to the closing time instead of piling them up there.
    """
    _, closing = open_hours(world, day)
    close_us = day_start_us(day) + closing[store] * MICROS_PER_HOUR
    mirrored = 2 * close_us - 1 - leave
    spread = arrival + (rng.random(arrival.size) * (close_us - arrival)).astype(np.int64)
    hurried = np.where(mirrored > arrival, mirrored, spread)
    return np.where(leave < close_us, leave, np.minimum(hurried, close_us - 1))


@dataclass
class Visits:
    """Member visits of one day, ordered by store then arrival slot (the id order)."""

    store: I64
    seq: I64  # number of the visit within its store and day: the stable part of receipt ids
    customer: I64
    segment: I64
    arrival: I64
    exit: I64  # checkout time for buyers
    buys: BOOL

    @property
    def size(self) -> int:
        return int(self.store.size)


def draw_visits(world: RetailWorld, keys: BlockKeys, day: date, members_per_day: float) -> Visits:
    rng = keys.rng("visits", day)
    start = day_start_us(day)
    store, arrival = draw_arrivals(rng, member_rates(world, day, members_per_day), start)
    n = store.size
    seq = np.arange(n, dtype=np.int64) - np.searchsorted(store, store, side="left")

    offsets = world.customers_by_store_offsets
    local = offsets[store + 1] - offsets[store]
    at_home = (rng.random(n) < HOME_STORE_SHARE) & (local > 0)
    pick_local = world.customers_by_store[
        np.minimum(offsets[store] + (rng.random(n) * local).astype(np.int64), world.customers_by_store.size - 1)
    ]
    customer = np.where(at_home, pick_local, rng.integers(0, world.n_customers, n))
    segment = world.customer_segment[customer]

    dwell_s = np.clip(rng.lognormal(np.log(_SEG_DWELL_S[segment]), 0.45), 120, 7200)
    exit_ = leave_by_closing(rng, world, day, store, arrival, arrival + (dwell_s * MICROS_PER_SECOND).astype(np.int64))
    buys = rng.random(n) < _SEG_CONVERSION[segment]
    return Visits(store, seq, customer, segment, arrival, exit_, buys)


@dataclass
class Stops:
    """One row per (party, zone) stop: the foot-traffic rows; member stops also carry BLE pings."""

    store: I64
    zone: I64
    ts: I64
    dwell_s: I64
    party: I64  # people in the party
    customer: I64  # -1 for non-members


def walk(world: RetailWorld, keys: BlockKeys, day: date, visits: Visits, members_per_day: float) -> Stops:
    """Expand member visits plus anonymous parties into zone stops."""
    rng = keys.rng("stops", day)
    start = day_start_us(day)
    anon_store, anon_arrival = draw_arrivals(
        rng, member_rates(world, day, members_per_day * ANONYMOUS_PER_MEMBER), start
    )
    anon_dwell = np.clip(rng.lognormal(np.log(12 * 60.0), 0.5, anon_store.size), 60, 3600)
    anon_exit = leave_by_closing(
        rng, world, day, anon_store, anon_arrival, anon_arrival + (anon_dwell * MICROS_PER_SECOND).astype(np.int64)
    )

    store = np.concatenate([visits.store, anon_store])
    arrival = np.concatenate([visits.arrival, anon_arrival])
    exit_ = np.concatenate([visits.exit, anon_exit])
    customer = np.concatenate([visits.customer, np.full(anon_store.size, -1, dtype=np.int64)])
    buys = np.concatenate([visits.buys, np.zeros(anon_store.size, dtype=bool)])
    n = store.size
    party = 1 + np.minimum(rng.poisson(0.45, n), 4)

    browse = 1 + np.minimum(rng.poisson((exit_ - arrival) / (9 * 60 * MICROS_PER_SECOND)), 5)
    per_party = 1 + browse + buys
    owner = np.repeat(np.arange(n), per_party)
    first = np.concatenate([[0], np.cumsum(per_party)[:-1]])
    pos = np.arange(owner.size) - first[owner]
    last = pos == per_party[owner] - 1
    is_checkout = last & buys[owner]
    # relative position inside the visit: entrance 0, browsing stops random, checkout at the end
    frac = np.where(pos == 0, 0.0, np.where(is_checkout, 1.0, rng.random(owner.size) * 0.999))
    order = np.lexsort((frac, owner))
    frac = frac[order]  # owner stays sorted; stops of a party now in time order
    ts = arrival[owner] + (frac * (exit_[owner] - arrival[owner])).astype(np.int64)
    zone = np.where(
        pos == 0,
        ENTRANCE,
        np.where(
            is_checkout,
            CHECKOUT,
            np.asarray(BROWSE_ZONES)[
                np.searchsorted(_BROWSE_CDF, rng.random(owner.size), side="right").clip(0, len(BROWSE_ZONES) - 1)
            ],
        ),
    )
    next_ts = np.where(last, exit_[owner], np.roll(ts, -1))
    dwell_us = np.where(is_checkout, rng.integers(60, 300, owner.size) * MICROS_PER_SECOND, next_ts - ts)
    dwell_s = np.clip(dwell_us // MICROS_PER_SECOND, 1, 3600)
    return Stops(store[owner], zone, ts, dwell_s, party[owner], customer[owner])


@dataclass
class Pings:
    stop: I64  # index into Stops
    ts: I64
    rssi: I64


def ping(keys: BlockKeys, day: date, stops: Stops) -> Pings:
    """BLE sightings of members: the first at the stop's start, more while they linger, all in the same hour."""
    rng = keys.rng("ble", day)
    member = np.flatnonzero(stops.customer >= 0)
    ts0 = stops.ts[member]
    window = np.minimum(stops.dwell_s[member] * MICROS_PER_SECOND, MICROS_PER_HOUR - 1 - ts0 % MICROS_PER_HOUR)
    count = 1 + np.minimum(rng.poisson(stops.dwell_s[member] / 240.0), 8)
    stop = np.repeat(member, count)
    first = np.cumsum(count) - count  # each stop's first sighting (none on a day every store is closed)
    is_first = np.zeros(stop.size, dtype=bool)
    is_first[first] = True
    lag = np.where(is_first, 0, (rng.random(stop.size) * np.repeat(window, count)).astype(np.int64))
    rssi = np.clip(np.rint(rng.normal(-67.0, 8.0, stop.size)), -98, -35).astype(np.int64)
    return Pings(stop, np.repeat(ts0, count) + lag, rssi)
