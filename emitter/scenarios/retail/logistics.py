"""Truck trips from DCs to stores: one shipment per store and delivery day, six status events each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt

from emitter.core.clock import MICROS_PER_HOUR, MICROS_PER_MINUTE, yyyymmdd
from emitter.core.rng import BlockKeys
from emitter.scenarios.retail.visits import delivery_time
from emitter.scenarios.retail.world import RetailWorld, _km

I64 = npt.NDArray[np.int64]
TRUCK_STATUSES = ("SCHEDULED", "LOADING", "IN_TRANSIT", "ARRIVED", "UNLOADING", "COMPLETED")
TRUCK_KMH = 65.0
# Long hauls run with team drivers: a trip is planned, loaded and driven within a day, so the
# events of a delivery fall on its day and the day before.
MAX_DRIVE_HOURS = 18.0
SCHEDULE_LEAD_HOURS = (2.0, 4.0)  # a trip is scheduled this long before dispatch
LOADING_MINUTES = (60.0, 100.0)  # loading starts this long before dispatch


@dataclass
class Shipments:
    """Shipments delivered on one day: per-store trip times plus the (store, product, qty) manifest."""

    day: date
    store: I64  # shipping stores, ascending
    truck: I64  # truck number within the store's DC fleet
    status_ts: I64  # (shipments, 6) timestamps in TRUCK_STATUSES order
    eta: I64
    etd: I64
    delivered_at: I64  # when stock is received; before the store's first sale of the day
    item_store: I64
    item_product: I64
    item_qty: I64

    @property
    def loading_ts(self) -> I64:
        return self.status_ts[:, 1]


def travel_time(world: RetailWorld) -> I64:
    """Drive from each store's DC to the store, in µs, plus 20 minutes at the dock."""
    distance = _km(world.store_lat, world.store_lon, world.dc_lat[world.store_dc], world.dc_lon[world.store_dc])
    travel = (np.minimum(distance / TRUCK_KMH, MAX_DRIVE_HOURS) * MICROS_PER_HOUR).astype(np.int64)
    return travel + 20 * MICROS_PER_MINUTE


def plan_shipments(world: RetailWorld, keys: BlockKeys, day: date, quantities: I64) -> Shipments:
    """Turn tomorrow's order matrix (stores × products) into truck trips arriving on ``day``."""
    rng = keys.rng("trucks", day)
    n = world.n_stores
    # draw for every store so a store's times do not depend on which others ship
    travel = travel_time(world)
    lead = rng.uniform(*SCHEDULE_LEAD_HOURS, n) * MICROS_PER_HOUR
    load = rng.uniform(*LOADING_MINUTES, n) * MICROS_PER_MINUTE
    late = np.clip(rng.normal(0, 6, n), -20, 18) * MICROS_PER_MINUTE
    unload = rng.uniform(2, 8, n) * MICROS_PER_MINUTE
    linger = rng.uniform(0, 15, n) * MICROS_PER_MINUTE

    delivered_at = delivery_time(world, day)
    eta = delivered_at - 30 * MICROS_PER_MINUTE
    etd = delivered_at + 20 * MICROS_PER_MINUTE
    dispatch = eta - travel
    arrived = eta + late.astype(np.int64)
    unloading = np.minimum(arrived + unload.astype(np.int64), delivered_at - MICROS_PER_MINUTE)
    status = np.stack(
        [
            dispatch - lead.astype(np.int64),
            dispatch - load.astype(np.int64),
            dispatch,
            arrived,
            unloading,
            etd + linger.astype(np.int64),
        ],
        axis=1,
    )

    item_store, item_product = np.nonzero(quantities)
    store = np.unique(item_store)
    # a store's trips alternate between its trucks day by day; a trip is over in well under a day
    dc_stores = world.dc_store_count[world.store_dc[store]]
    truck = world.store_rank_in_dc[store] + dc_stores * (day.toordinal() % world.trucks_per_store)
    return Shipments(
        day=day,
        store=store,
        truck=truck,
        status_ts=status[store],
        eta=eta[store],
        etd=etd[store],
        delivered_at=delivered_at,
        item_store=item_store.astype(np.int64),
        item_product=item_product.astype(np.int64),
        item_qty=quantities[item_store, item_product],
    )


def shipment_id_parts(day: date, store: I64) -> list[tuple[npt.ArrayLike, int]]:
    """Parts for ``SHP<yyyymmdd><store>``: derived from the delivery day and store, so stable everywhere."""
    return [(yyyymmdd(day), 8), (store + 1, 5)]
