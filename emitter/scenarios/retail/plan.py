"""Retail's capacity estimate: expected rows per table and slot from the model's curves, without generating.

Visits are the model's own ``member_rates``; everything a visit leads to (stops, pings, receipts, lines)
is its expectation per visit from the segment and basket settings. Online orders spread their statuses
over the following days by the model's delay distributions. Restocking follows the (s, S) policy with a
normal approximation of each cell's demand since its weekly refill.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from emitter.core.clock import MICROS_PER_DAY, MICROS_PER_HOUR, MICROS_PER_MINUTE, SLOTS_PER_DAY, day_start_us
from emitter.plan.avro_size import Maybe, record_bytes
from emitter.plan.expectations import GH_W, capped_poisson_mean, demand_tail, lognormal_points
from emitter.plan.volume import TableVolume, reference_volumes, spread
from emitter.scenarios.retail import online
from emitter.scenarios.retail.baskets import _SEG_PROMO_USE, PROMO_CODES, PROMO_SHARE
from emitter.scenarios.retail.catalog import CATEGORIES, CHANNEL_SHARE, CHANNELS, DEVICE_SHARE, DEVICES, SEGMENTS, ZONES
from emitter.scenarios.retail.logistics import LOADING_MINUTES, SCHEDULE_LEAD_HOURS, TRUCK_STATUSES, travel_time
from emitter.scenarios.retail.seasons import ONLINE_HOURS, category_boost, online_day_factor
from emitter.scenarios.retail.tables import TENDERS
from emitter.scenarios.retail.visits import ANONYMOUS_PER_MEMBER, delivery_time, member_rates

if TYPE_CHECKING:
    from emitter.scenarios.retail.scenario import RetailScenario

F64 = npt.NDArray[np.float64]
SLOT_US = MICROS_PER_DAY // SLOTS_PER_DAY
TRACE_ID = 31  # TRC + code(2) + run tag(8) + yyyymmdd + row(10)
BROWSE_MINUTES = 9.0  # walk(): a browsing stop per nine minutes of a visit
CHECKOUT_SECONDS = 179.5  # walk(): uniform 60..299 s at the till
PING_SECONDS = 240.0  # ping(): one more sighting per four minutes at a stop


def _mean_len(words: Sequence[str], weights: Sequence[float] | None = None) -> float:
    return float(np.average([len(w) for w in words], weights=weights))


class RetailPlan:
    """The estimate for one scenario instance over a list of consecutive days."""

    def __init__(self, scenario: RetailScenario, days: Sequence[date]) -> None:
        self.s, self.w = scenario, scenario.world
        self.days = list(days)
        # the restocking and online tables reach a week back (and a day ahead) of the range
        self.before = online.ONLINE_LOOKBACK_DAYS + 1
        self.span = [days[0] - timedelta(days=self.before - i) for i in range(self.before)] + [
            *days,
            days[-1] + timedelta(days=1),
        ]
        shares = np.array([scenario.settings.shares.segment.get(seg.name, 0.0) for seg in SEGMENTS])
        self.conv = np.array([seg.conversion for seg in SEGMENTS])
        self.extra = np.array([seg.extra_qty for seg in SEGMENTS])
        self.customer_mix = np.bincount(self.w.customer_segment, minlength=len(SEGMENTS)) / self.w.n_customers
        self.buyer_mix = self.customer_mix * self.conv / float((self.customer_mix * self.conv).sum())
        self.lines_per_basket = 1 + np.maximum(scenario.baskets.lines_mean - 1, 0)
        self.units_per_line = 1 + capped_poisson_mean(self.extra, 11)
        self.segment_shares = shares

    # ---- per-day driver curves ------------------------------------------------------------------
    def _visits(self) -> tuple[F64, F64]:
        """Expected member visits per (day of span, slot), and per (day of span, store)."""
        by_slot, by_store = [], []
        for d in self.span:
            rates = member_rates(self.w, d, self.s.members_per_day)
            by_slot.append(rates.sum(axis=0))
            by_store.append(rates.sum(axis=1))
        return np.array(by_slot), np.array(by_store)

    def volumes(self) -> dict[str, TableVolume]:
        inside = slice(self.before, self.before + len(self.days))
        by_slot, by_store = self._visits()
        per_slot = by_slot[inside]
        conv = float((self.customer_mix * self.conv).sum())
        lines_per_buyer = float((self.buyer_mix * self.lines_per_basket).sum())
        receipts = per_slot * conv
        lines = receipts * lines_per_buyer

        member_dwell = lognormal_points(np.array([seg.dwell_minutes * 60.0 for seg in SEGMENTS]), 0.45, 120, 7200)
        anon_dwell = lognormal_points(12 * 60.0, 0.5, 60, 3600)
        browse_member = 1 + (capped_poisson_mean(member_dwell / (BROWSE_MINUTES * 60), 5) * GH_W).sum(-1)
        browse_anon = 1 + float((capped_poisson_mean(anon_dwell / (BROWSE_MINUTES * 60), 5) * GH_W).sum())
        stops_member = float((self.customer_mix * (1 + browse_member + self.conv)).sum())
        stops_anon = 1 + browse_anon
        foot = per_slot * (stops_member + ANONYMOUS_PER_MEMBER * stops_anon)
        # a stop's sightings: one, plus one per four minutes there; a visit's stops share its dwell
        dwell = (member_dwell * GH_W).sum(-1)
        pings_member = 1 + browse_member + dwell / PING_SECONDS + self.conv * (1 + CHECKOUT_SECONDS / PING_SECONDS)
        pings = per_slot * float((self.customer_mix * pings_member).sum())

        created = np.array([self.s.settings.volume.online_orders_per_day * online_day_factor(d) for d in self.span])
        impressions = np.array(
            [self.s.settings.volume.marketing_impressions_per_day * online_day_factor(d) for d in self.days]
        )
        status_slots = _status_slots(self.s.settings.shares.pickup_in_store)
        orders = _after(created, status_slots.sum(axis=0), self.before, len(self.days))
        online_lines = float((self.customer_mix * self.lines_per_basket).sum())
        order_lines = spread(created[inside] * online_lines, ONLINE_HOURS)
        picks = _after(created * online_lines, status_slots[2], self.before, len(self.days))

        restock = self._restock(by_store)
        out = {
            "receipts": TableVolume.per_day(receipts, self._bytes("receipts")),
            "receipt_lines": TableVolume.per_day(lines, self._bytes("receipt_lines")),
            "store_inventory_txn": TableVolume.per_day(lines + restock.inbound, self._bytes("store_inventory_txn")),
            "dc_inventory_txn": TableVolume.per_day(
                restock.loads + picks + restock.supplier, self._bytes("dc_inventory_txn")
            ),
            "truck_moves": TableVolume.per_day(restock.moves, self._bytes("truck_moves")),
            "foot_traffic": TableVolume.per_day(foot, self._bytes("foot_traffic")),
            "ble_pings": TableVolume.per_day(pings, self._bytes("ble_pings")),
            "marketing": TableVolume.per_day(spread(impressions, ONLINE_HOURS), self._bytes("marketing")),
            "online_orders": TableVolume.per_day(orders, self._bytes("online_orders")),
            "online_order_lines": TableVolume.per_day(order_lines, self._bytes("online_order_lines")),
        }
        reference = reference_volumes(self.s.catalog(), self.w.tables)
        return {spec.id: {**reference, **out}[spec.id] for spec in self.s.catalog().tables}

    # ---- restocking -----------------------------------------------------------------------------
    def _restock(self, per_store_day: F64) -> _Restock:
        w, policy = self.w, self.s.policy
        n_days = len(self.days)
        base_members = self.s.members_per_day * w.store_traffic / w.store_traffic.sum()
        factor = per_store_day / base_members[None, :]  # (span, stores): the day's level against average
        weights = np.array([c.weight for c in CATEGORIES])
        boost = np.stack([category_boost(d) for d in self.span])  # (span, categories)
        cat_factor = boost * weights.sum() / (boost * weights).sum(axis=1, keepdims=True)
        per_buyer = self.s.baskets.expected_units_per_buyer()  # units (segments, products)
        units = (self.segment_shares * self.conv) @ per_buyer  # per member visit, at baseline
        units_per_line = float((self.buyer_mix * self.units_per_line).sum())
        q2 = float((self.buyer_mix * (self.units_per_line**2 + self.extra)).sum())  # E[qty²] per line
        # a cell's expected units over days = base[store] × units[product] × Σ factor × category factor
        cell_units = base_members[:, None] * units[None, :]
        category = w.product_category
        gap = (policy.par - policy.reorder).astype(np.float64)

        inbound = np.zeros((n_days, SLOTS_PER_DAY))
        moves = np.zeros((n_days, SLOTS_PER_DAY))
        loads = np.zeros((n_days, SLOTS_PER_DAY))
        travel = travel_time(w)
        lead = np.mean(SCHEDULE_LEAD_HOURS) * MICROS_PER_HOUR
        load = np.mean(LOADING_MINUTES) * MICROS_PER_MINUTE
        # suppliers refill, once a day, each (DC, product) that loads a truck or picks an online order
        online_units = units / units.sum()
        picks_dc = np.bincount(w.store_dc[w.customer_home_store], minlength=w.n_dcs) / w.n_customers
        online_lines = float((self.customer_mix * self.lines_per_basket).sum())
        of_dc = (w.store_dc[None, :] == np.arange(w.n_dcs)[:, None]).astype(np.float64)  # (dcs, stores)
        cells = np.zeros(n_days)
        previous: tuple[F64, npt.NDArray[np.bool_]] | None = None
        for i in range(n_days + 1):  # deliveries on each range day and the day after
            d = self.span[self.before + i]
            weekly = policy.weekday == d.weekday()
            # sales since the weekly refill, up to the day before d
            back = ((d - timedelta(days=1)).weekday() - policy.weekday) % 7 + 1
            hist = self.before + i - np.arange(1, 8)  # span indices of the 7 days before d
            recent = np.arange(7)[:, None] < back[None, :]  # (7, stores): inside the current week
            level = factor[hist]  # (7, stores)
            week = cell_units * (level.T @ cat_factor[hist])[:, category]
            mu = cell_units * ((recent * level).T @ cat_factor[hist])[:, category]
            mu_prev = mu - cell_units * (recent[0] * level[0])[:, None] * cat_factor[hist[0]][category][None, :]
            crossing = demand_tail(mu, mu / units_per_line * q2, gap) - demand_tail(
                mu_prev, mu_prev / units_per_line * q2, gap
            )
            sold_any = 1 - np.exp(-week / units_per_line)
            p = np.where(weekly[:, None], sold_any, np.clip(crossing, 0, 1))  # (stores, products) refilled on d
            refilled = p.sum(axis=1)
            ships = 1 - np.exp(np.log1p(-np.minimum(p, 1 - 1e-12)).sum(axis=1))

            arrive = delivery_time(w, d) - day_start_us(d)
            dispatch = arrive - 30 * MICROS_PER_MINUTE - travel
            # status times relative to the delivery day's midnight: three before leaving, three at the store
            times = np.stack([dispatch - lead, dispatch - load, dispatch, arrive, arrive, arrive], axis=1)
            for k in range(len(TRUCK_STATUSES)):
                _add(moves, i, times[:, k], ships)
            _add(loads, i, times[:, 1], refilled)
            if i < n_days:
                _add(inbound, i, arrive, refilled)
            same_day = times[:, 1] >= 0  # loading starts on the delivery day itself (else the day before)
            if previous is not None:
                p_before, same_before = previous
                loaded = np.where(same_before[:, None], p_before, 0.0) + np.where(same_day[:, None], 0.0, p)
                log_none = of_dc @ np.log1p(-np.minimum(loaded, 1 - 1e-12))
                picks = self.s.settings.volume.online_orders_per_day * online_day_factor(self.days[i - 1])
                log_none -= picks * online_lines * picks_dc[:, None] * online_units[None, :]
                cells[i - 1] = float((1 - np.exp(log_none)).sum())
            previous = (p, same_day)
        supplier = spread(cells, np.ones(SLOTS_PER_DAY))
        return _Restock(inbound, moves, loads, supplier)

    # ---- bytes ----------------------------------------------------------------------------------
    def _bytes(self, table: str) -> float:
        w, v = self.w, self.s.settings.volume
        price = float(w.product_price.mean())
        basket = price * float((self.buyer_mix * self.lines_per_basket * self.units_per_line).sum())
        tender = _mean_len(TENDERS, [self.s.settings.shares.tender.get(t, 0.0) for t in TENDERS])
        zone = _mean_len(ZONES)
        par = float(self.s.policy.par.mean())
        promo = float((self.buyer_mix * _SEG_PROMO_USE).sum()) * PROMO_SHARE
        pickup = self.s.settings.shares.pickup_in_store
        hints: dict[str, dict[str, float | Maybe]] = {
            "receipts": {
                "trace_id": TRACE_ID,
                "store_id": v.stores,
                "customer_id": v.customers,
                "receipt_id": 22,
                "subtotal": basket,
                "tax": basket * 0.07,
                "total": basket * 1.07,
                "tender_type": tender,
            },
            "receipt_lines": {
                "trace_id": TRACE_ID,
                "receipt_id": 22,
                "line": 3,
                "product_id": v.products,
                "qty": 2,
                "unit_price": price,
                "ext_price": price * 1.3,
                "promo_code": Maybe(_mean_len(PROMO_CODES), promo),
            },
            "store_inventory_txn": {
                "trace_id": TRACE_ID,
                "store_id": v.stores,
                "product_id": v.products,
                "qty_delta": -2,
                "reason": len("SALE"),
                "source": 22,
                "on_hand_after": par,
            },
            "dc_inventory_txn": {
                "trace_id": TRACE_ID,
                "dc_id": v.dcs,
                "product_id": v.products,
                "qty_delta": -par,
                "reason": _mean_len(["SUPPLIER_RECEIPT", "OUTBOUND_SHIPMENT", "ONLINE_ORDER"]),
                "source": 18,
                "on_hand_after": float(self.s.dc_base_stock.mean()),
            },
            "truck_moves": {
                "trace_id": TRACE_ID,
                "truck_id": 11,
                "dc_id": v.dcs,
                "store_id": v.stores,
                "shipment_id": 16,
                "status": _mean_len(TRUCK_STATUSES),
            },
            "foot_traffic": {
                "trace_id": TRACE_ID,
                "store_id": v.stores,
                "sensor_id": len("SENSOR_00001_") + zone,
                "zone": zone,
                "dwell": 300,
                "count": 1,
            },
            "ble_pings": {
                "trace_id": TRACE_ID,
                "store_id": v.stores,
                "beacon_id": len("BEACON_00001_") + zone,
                "customer_ble_id": 12,
                "rssi": -67,
                "zone": zone,
            },
            "marketing": {
                "trace_id": TRACE_ID,
                "channel": _mean_len(CHANNELS, CHANNEL_SHARE),
                "campaign_id": 12,
                "creative_id": 14,
                "customer_ad_id": 11,
                "impression_id": 20,
                "cost": 75,
                "device": _mean_len(DEVICES, DEVICE_SHARE),
            },
            "online_orders": {
                "trace_id": TRACE_ID,
                "order_id": 18,
                "customer_id": v.customers,
                "channel": 3,
                "fulfillment": _mean_len(["SHIP_TO_HOME", "PICKUP_IN_STORE"], [1 - pickup, pickup]),
                "dc_id": v.dcs,
                "store_id": Maybe(v.stores, pickup),
                "status": _mean_len(online.STATUSES),
                "item_count": 6,
                "subtotal": basket,
                "tax": basket * 0.07,
                "shipping_fee": online.SHIPPING_FEE_CENTS,
                "total": basket * 1.07,
                "tender_type": tender,
            },
            "online_order_lines": {
                "trace_id": TRACE_ID,
                "order_id": 18,
                "line": 3,
                "product_id": v.products,
                "qty": 2,
                "unit_price": price,
                "ext_price": price * 1.3,
            },
        }
        catalog = self.s.catalog()
        return record_bytes(catalog.avro(catalog.get(table)), hints[table])


@dataclass
class _Restock:
    """Rows per (range day, slot) of the restocking chain."""

    inbound: F64  # store deliveries: one row per (store, product) refilled
    moves: F64  # truck statuses
    loads: F64  # DC outbound rows
    supplier: F64  # DC supplier receipts


def _add(grid: F64, delivery: int, offset_us: npt.NDArray[np.int64] | F64, rows: F64) -> None:
    """Add ``rows`` (per store) at times ``offset_us`` from delivery day ``delivery``'s midnight."""
    slot = np.floor(np.asarray(offset_us, dtype=np.float64) / SLOT_US).astype(np.int64)
    day = delivery + slot // SLOTS_PER_DAY
    keep = (day >= 0) & (day < grid.shape[0])
    np.add.at(grid, (day[keep], slot[keep] % SLOTS_PER_DAY), np.broadcast_to(rows, slot.shape)[keep])


def _status_slots(pickup: float) -> F64:
    """Expected statuses per order created on day 0, by status and slot over the lookback (7, days × slots).

    Rows: created, paid, picked, shipped, delivered or ready, picked up.
    """
    n = (online.ONLINE_LOOKBACK_DAYS + 1) * SLOTS_PER_DAY
    hours = np.arange(n) * 24.0 / SLOTS_PER_DAY

    def lag(pdf: F64) -> F64:  # a delay's pmf on the slot grid
        return np.asarray(pdf / pdf.sum(), dtype=np.float64)

    def uniform(low_h: float, high_h: float) -> F64:
        return lag(((hours >= low_h) & (hours < high_h)).astype(np.float64) + 1e-300)

    def conv(a: F64, b: F64) -> F64:
        return np.convolve(a, b)[:n]

    created = np.zeros(n)
    created[:SLOTS_PER_DAY] = ONLINE_HOURS / ONLINE_HOURS.sum()
    paid = created  # minutes later: the same slot
    pick_h = lognormal_points(online.PICK_MEDIAN_HOURS, online.PICK_SIGMA, *online.PICK_HOURS_RANGE)
    pick = np.zeros(n)
    np.add.at(pick, np.minimum((pick_h * SLOTS_PER_DAY / 24).astype(np.int64), n - 1), GH_W)
    picked = conv(created, pick)
    shipped = conv(picked, uniform(*online.SHIP_HOURS))
    by_day = shipped.reshape(-1, SLOTS_PER_DAY).sum(axis=1)
    delivered_days = np.zeros(by_day.size)
    low, high = online.DELIVERY_DAYS
    for k in range(low, high + 1):
        delivered_days[k:] += by_day[: by_day.size - k] / (high - low + 1)
    within = uniform(*online.DELIVERY_HOURS)[:SLOTS_PER_DAY]
    delivered = (delivered_days[:, None] * (within / within.sum())[None, :]).ravel()
    ready = conv(shipped, uniform(*online.READY_HOURS))
    picked_up = conv(ready, uniform(*online.PICKUP_HOURS))
    rows = [created, paid, picked, shipped, (1 - pickup) * delivered + pickup * ready, pickup * picked_up]
    return np.stack(rows).reshape(len(rows), online.ONLINE_LOOKBACK_DAYS + 1, SLOTS_PER_DAY)


def _after(created: F64, lags: F64, before: int, n_days: int) -> F64:
    """Rows per (range day, slot): each span day's ``created`` count spread by ``lags`` (lag days × slots)."""
    out = np.zeros((n_days, SLOTS_PER_DAY))
    for i in range(n_days):
        for j in range(lags.shape[0]):
            out[i] += created[before + i - j] * lags[j]
    return out
