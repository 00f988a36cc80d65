"""The retail scenario: stores and their supply chain (seed 002), one day at a time."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from emitter.core.arrivals import cdf_pick, shares_cdf
from emitter.core.clock import MICROS_PER_MINUTE, day_start_us, yyyymmdd
from emitter.core.columns import (
    Pooled,
    concat,
    decimal_from_units,
    fixed_width_ids,
    numbered_ids,
    pooled,
    round_half_up_div,
    timestamps,
)
from emitter.scenarios.contract import DayTables, DemoSpec, Scenario
from emitter.scenarios.retail.baskets import PROMO_CODES, BasketModel, Lines
from emitter.scenarios.retail.catalog import CHANNELS, DEVICES, SEGMENTS, ZONES
from emitter.scenarios.retail.demo_queries import SAMPLE_QUERIES
from emitter.scenarios.retail.inventory import WARMUP_DAYS, Demand, Policy, policy_from_demand, simulate_day
from emitter.scenarios.retail.logistics import TRUCK_STATUSES, Shipments, plan_shipments, shipment_id_parts
from emitter.scenarios.retail.marketing import CAMPAIGNS_PER_CHANNEL, draw_impressions
from emitter.scenarios.retail.online import ONLINE_LOOKBACK_DAYS, STATUSES, Orders, draw_orders
from emitter.scenarios.retail.rules import check_all
from emitter.scenarios.retail.settings import RetailSettings
from emitter.scenarios.retail.table_specs import TABLES
from emitter.scenarios.retail.tables import finish, in_day, money
from emitter.scenarios.retail.visits import Visits, delivery_time, draw_visits, ping, walk
from emitter.scenarios.retail.world import RetailWorld, build_world
from emitter.scenarios.rules import RuleResult

I64 = npt.NDArray[np.int64]
TENDERS = ("CREDIT_CARD", "DEBIT_CARD", "CASH", "MOBILE_PAY", "GIFT_CARD")
RECEIPT_ID_STORE = slice(11, 16)  # RCP<yyyymmdd><store:05d><n:06d>


@dataclass
class _Carry:
    """Stock at the start of ``day``, what trucks bring that morning, and the online orders still moving."""

    day: date
    opening: I64
    pending: I64
    orders: dict[date, Orders] = field(default_factory=dict)


@dataclass
class _Sales:
    visits: Visits
    buyers: I64  # visit indices of buyers
    lines: Lines  # owner = index into buyers
    demand: Demand


class RetailScenario(Scenario[RetailSettings]):
    """Retail stores and their supply chain (seed 002)."""

    name = "retail"
    title = "Retail stores and their supply chain: receipts, stock, trucks, foot traffic, online orders"
    settings_model = RetailSettings
    TABLES = TABLES
    demo = DemoSpec(
        start=datetime(2024, 11, 29, 6, 0),  # Black Friday morning
        speed=1200.0,
        queries=SAMPLE_QUERIES,
        hint="SELECT store_id, count(*), sum(total) FROM retail.receipts GROUP BY 1 ORDER BY 3 DESC LIMIT 10",
    )

    def __init__(self, seed: int, settings: RetailSettings) -> None:
        super().__init__(seed, settings)
        self.members_per_day = float(settings.volume.customers_per_day)

    # ---- the world, built on first use -------------------------------------------------------
    @cached_property
    def world(self) -> RetailWorld:
        return build_world(self.keys, self.settings, self.catalog())

    @cached_property
    def baskets(self) -> BasketModel:
        shares = np.array([self.settings.shares.segment.get(s.name, 0.0) for s in SEGMENTS])
        return BasketModel(self.world, self.settings.volume.items_per_ticket_mean, shares)

    @cached_property
    def policy(self) -> Policy:
        w = self.world
        conv = np.array([s.conversion for s in SEGMENTS])
        shares = np.array([self.settings.shares.segment.get(s.name, 0.0) for s in SEGMENTS])
        per_buyer = self.baskets.expected_units_per_buyer()  # (segments, products)
        per_member = (shares * conv) @ per_buyer
        members = self.members_per_day * w.store_traffic / w.store_traffic.sum()
        return policy_from_demand(members[:, None] * per_member[None, :], w.store_weekday)

    @cached_property
    def dc_base_stock(self) -> I64:
        """Constant DC stock between days: a week of par for every store it serves."""
        base = np.zeros((self.world.n_dcs, self.world.n_products), dtype=np.int64)
        np.add.at(base, self.world.store_dc, self.policy.par)
        return base

    @cached_property
    def tender_cdf(self) -> npt.NDArray[np.float64]:
        return shares_cdf([self.settings.shares.tender.get(t, 0.0) for t in TENDERS])

    @cached_property
    def _zone_ids(self) -> tuple[pa.Array, pa.Array]:
        """Sensor and beacon ids per (store, zone), e.g. SENSOR_00015_ENTRANCE."""
        n = self.world.n_stores
        sensors = [f"SENSOR_{s + 1:05d}_{z}" for s in range(n) for z in ZONES]
        beacons = [f"BEACON_{s + 1:05d}_{z}" for s in range(n) for z in ZONES]
        return pa.array(sensors), pa.array(beacons)

    def reference(self) -> DayTables:
        return dict(self.world.tables)

    def check(self, tables: Mapping[str, pa.Table]) -> list[RuleResult]:
        return check_all(tables)

    def stream_keys(self, table: str, batch: pa.Table) -> pa.Array:
        if table != "receipt_lines":
            return super().stream_keys(table, batch)
        # the store part of the receipt id, so a receipt's lines follow it onto the store's partition
        column = batch.column("receipt_id").combine_chunks()
        store = pc.utf8_slice_codeunits(column, RECEIPT_ID_STORE.start, RECEIPT_ID_STORE.stop)
        return pc.cast(pc.cast(store, pa.int64()), pa.string())

    # ---- facts ----------------------------------------------------------------------------------
    def _sales(self, day: date) -> _Sales:
        visits = draw_visits(self.world, self.keys, day, self.members_per_day)
        buyers = np.flatnonzero(visits.buys)
        lines = self.baskets.draw(self.keys, day, "baskets", visits.segment[buyers], visits.customer[buyers])
        owner_visit = buyers[lines.owner]
        demand = Demand(visits.store[owner_visit], lines.product, lines.qty, visits.exit[owner_visit])
        return _Sales(visits, buyers, lines, demand)

    def state_at(self, day: date) -> _Carry:
        """Replay the week before ``day``; the weekly refill makes the result exact (see inventory)."""
        p = self.policy
        opening, pending = p.par.copy(), np.zeros_like(p.par)
        for back in range(WARMUP_DAYS, 0, -1):
            d = day - timedelta(days=back)
            stock = simulate_day(p, opening, pending, self._sales(d).demand, d)
            opening, pending = stock.closing, stock.next_delivery
        return _Carry(day, opening, pending)

    def generate(self, day: date, state: _Carry, tables: Collection[str]) -> tuple[DayTables, _Carry]:
        carry, wanted, orders = state, set(tables), state.orders
        sales = self._sales(day)
        stock = simulate_day(self.policy, carry.opening, carry.pending, sales.demand, day)
        nxt = _Carry(day + timedelta(days=1), stock.closing, stock.next_delivery, orders)
        out: DayTables = {}
        if wanted & {"receipts", "receipt_lines", "store_inventory_txn"}:
            out.update(self._receipts(day, sales, stock.sold, stock.on_hand_after_sale, carry, wanted))
        if wanted & {"truck_moves", "dc_inventory_txn"}:
            today = plan_shipments(self.world, self.keys, day, carry.pending)
            tomorrow = plan_shipments(self.world, self.keys, nxt.day, stock.next_delivery)
            if "truck_moves" in wanted:
                out["truck_moves"] = self._truck_moves(day, (today, tomorrow))
        if wanted & {"online_orders", "online_order_lines", "dc_inventory_txn"}:
            for stale in [d for d in orders if (day - d).days > ONLINE_LOOKBACK_DAYS]:
                del orders[stale]
            for back in range(ONLINE_LOOKBACK_DAYS, -1, -1):
                d = day - timedelta(days=back)
                if d not in orders:
                    orders[d] = draw_orders(
                        self.world,
                        self.baskets,
                        self.keys,
                        d,
                        self.settings.volume.online_orders_per_day,
                        self.tender_cdf,
                        self.settings.shares.pickup_in_store,
                    )
            recent = [orders[day - timedelta(days=b)] for b in range(ONLINE_LOOKBACK_DAYS, -1, -1)]
            if "online_orders" in wanted:
                out["online_orders"] = self._online_orders(day, recent)
            if "online_order_lines" in wanted:
                out["online_order_lines"] = self._online_order_lines(day, orders[day])
        if "dc_inventory_txn" in wanted:
            out["dc_inventory_txn"] = self._dc_inventory(day, (today, tomorrow), recent)
        if wanted & {"foot_traffic", "ble_pings"}:
            out.update(self._traffic(day, sales.visits, wanted))
        if "marketing" in wanted:
            out["marketing"] = self._marketing(day)
        return out, nxt

    # ---- table builders -------------------------------------------------------------------------
    def _receipts(
        self, day: date, sales: _Sales, sold: I64, on_hand: I64, carry: _Carry, wanted: set[str]
    ) -> DayTables:
        w, v, lines = self.world, sales.visits, sales.lines
        n_buyers = sales.buyers.size
        keep = sold > 0
        owner = lines.owner[keep]
        qty, unit = sold[keep], lines.unit_price[keep]
        ext = qty * unit
        line_no = 1 + np.arange(owner.size) - np.searchsorted(owner, owner, side="left")
        store, seq, ts = v.store[sales.buyers], v.seq[sales.buyers], v.exit[sales.buyers]
        receipt_id = fixed_width_ids("RCP", [(yyyymmdd(day), 8), (store + 1, 5), (seq, 6)])
        out: DayTables = {}
        line_receipt = receipt_id.take(owner)
        if "receipts" in wanted:
            subtotal = np.bincount(owner, weights=ext, minlength=n_buyers).astype(np.int64)
            tax = round_half_up_div(subtotal * w.geo_tax_bp[w.store_geo[store]], 10_000)
            tender = cdf_pick(self.keys.rng("tender", day), self.tender_cdf, n_buyers)
            has = np.flatnonzero(np.bincount(owner, minlength=n_buyers) > 0)
            out["receipts"] = finish(
                self.catalog(),
                "receipts",
                day,
                ts[has],
                {
                    "store_id": store[has] + 1,
                    "customer_id": v.customer[sales.buyers][has] + 1,
                    "receipt_id": receipt_id.take(has),
                    "subtotal": money(subtotal[has]),
                    "tax": money(tax[has]),
                    "total": money(subtotal[has] + tax[has]),
                    "tender_type": pooled(TENDERS, tender[has]),
                },
            )
        if "receipt_lines" in wanted:
            promo = lines.promo[keep]
            out["receipt_lines"] = finish(
                self.catalog(),
                "receipt_lines",
                day,
                ts[owner],
                {
                    "receipt_id": line_receipt,
                    "line": line_no,
                    "product_id": lines.product[keep] + 1,
                    "qty": qty,
                    "unit_price": money(unit),
                    "ext_price": money(ext),
                    "promo_code": pooled(pa.array([None, *PROMO_CODES], type=pa.string()), promo + 1),
                },
            )
        if "store_inventory_txn" in wanted:
            in_store, in_product = np.nonzero(carry.pending)
            in_qty = carry.pending[in_store, in_product]
            n_in = in_store.size
            shipment = fixed_width_ids("SHP", shipment_id_parts(day, in_store))
            out["store_inventory_txn"] = finish(
                self.catalog(),
                "store_inventory_txn",
                day,
                np.concatenate([delivery_time(w, day)[in_store], ts[owner]]),
                {
                    "store_id": np.concatenate([in_store, store[owner]]) + 1,
                    "product_id": np.concatenate([in_product, lines.product[keep]]) + 1,
                    "qty_delta": np.concatenate([in_qty, -qty]),
                    "reason": pooled(
                        ["INBOUND_SHIPMENT", "SALE"],
                        np.r_[np.zeros(n_in, np.int64), np.ones(qty.size, np.int64)],
                    ),
                    "source": concat([shipment, line_receipt]),
                    "on_hand_after": np.concatenate([carry.opening[in_store, in_product] + in_qty, on_hand[keep]]),
                },
            )
        return out

    def _truck_moves(self, day: date, trips: tuple[Shipments, ...]) -> pa.Table:
        cols: dict[str, list[Any]] = {k: [] for k in ("ts", "store", "truck", "status", "eta", "etd", "ship_day")}
        for s in trips:
            n = s.store.size
            ts = s.status_ts.ravel()
            sel = in_day(ts, day)
            row = np.repeat(np.arange(n), len(TRUCK_STATUSES))[sel]
            cols["ts"].append(ts[sel])
            cols["store"].append(s.store[row])
            cols["truck"].append(s.truck[row])
            cols["status"].append(np.tile(np.arange(len(TRUCK_STATUSES)), n)[sel])
            cols["eta"].append(s.eta[row])
            cols["etd"].append(s.etd[row])
            cols["ship_day"].append(np.full(row.size, s.day.toordinal()))
        c = {k: np.concatenate(v) for k, v in cols.items()}
        dc = self.world.store_dc[c["store"]]
        shipment_day = np.array(
            [
                date.fromordinal(int(o)).year * 10_000
                + date.fromordinal(int(o)).month * 100
                + date.fromordinal(int(o)).day
                for o in np.unique(c["ship_day"])
            ]
        )
        ship_codes = (
            shipment_day[np.searchsorted(np.unique(c["ship_day"]), c["ship_day"])]
            if c["ship_day"].size
            else c["ship_day"]
        )
        return finish(
            self.catalog(),
            "truck_moves",
            day,
            c["ts"],
            {
                "truck_id": fixed_width_ids("TRK", [(dc + 1, 3), (c["truck"] + 1, 5)]),
                "dc_id": dc + 1,
                "store_id": c["store"] + 1,
                "shipment_id": fixed_width_ids("SHP", [(ship_codes, 8), (c["store"] + 1, 5)]),
                "status": pooled(TRUCK_STATUSES, c["status"]),
                "eta": timestamps(c["eta"]),
                "etd": timestamps(c["etd"]),
            },
        )

    def _dc_inventory(self, day: date, trips: tuple[Shipments, ...], recent: list[Orders]) -> pa.Table:
        w = self.world
        dc, product, qty, ts, source, reason = [], [], [], [], [], []
        for s in trips:
            load = s.loading_ts[np.searchsorted(s.store, s.item_store)]
            sel = in_day(load, day)
            dc.append(w.store_dc[s.item_store[sel]])
            product.append(s.item_product[sel])
            qty.append(-s.item_qty[sel])
            ts.append(load[sel])
            source.append(fixed_width_ids("SHP", shipment_id_parts(s.day, s.item_store[sel])))
            reason.append(np.full(int(sel.sum()), 1))
        for o in recent:
            picked = o.status_ts[:, 2]
            owner = o.lines.owner
            sel = in_day(picked[owner], day)
            dc.append(o.dc[owner[sel]])
            product.append(o.lines.product[sel])
            qty.append(-o.lines.qty[sel])
            ts.append(picked[owner[sel]])
            source.append(self._order_ids(o).take(owner[sel]))
            reason.append(np.full(int(sel.sum()), 2))
        out_dc, out_product, out_qty, out_ts = (np.concatenate(x) for x in (dc, product, qty, ts))
        # suppliers deliver, ahead of the day's first outbound, exactly what the DC ships that day
        n_p = w.n_products
        cell = out_dc * n_p + out_product
        cells = np.unique(cell)
        need = -np.bincount(cell, weights=out_qty, minlength=w.n_dcs * n_p).astype(np.int64)[cells]
        first_ts = np.full(w.n_dcs * n_p, np.iinfo(np.int64).max)
        np.minimum.at(first_ts, cell, out_ts)
        lead = self.keys.rng("supplier", day).uniform(30, 120, w.n_dcs * n_p) * MICROS_PER_MINUTE
        in_ts = np.maximum(day_start_us(day), first_ts[cells] - lead[cells].astype(np.int64))
        in_dc, in_product = cells // n_p, cells % n_p
        po = fixed_width_ids("PO", [(yyyymmdd(day), 8), (in_dc + 1, 3), (in_product + 1, 7)])

        all_dc = np.concatenate([in_dc, out_dc])
        all_product = np.concatenate([in_product, out_product])
        all_qty = np.concatenate([need, out_qty])
        all_ts = np.concatenate([in_ts, out_ts])
        # running stock per (dc, product) in event order, from the constant opening stock
        time_rank = np.empty(all_ts.size, dtype=np.int64)
        time_rank[np.argsort(all_ts, kind="stable")] = np.arange(all_ts.size)
        all_cell = all_dc * n_p + all_product
        order = np.lexsort((time_rank, all_cell))
        cum = np.cumsum(all_qty[order])
        start = np.r_[True, all_cell[order][1:] != all_cell[order][:-1]]
        cum -= np.maximum.accumulate(np.where(start, cum - all_qty[order], np.iinfo(np.int64).min))
        on_hand = np.empty_like(cum)
        on_hand[order] = self.dc_base_stock.ravel()[all_cell[order]] + cum
        return finish(
            self.catalog(),
            "dc_inventory_txn",
            day,
            all_ts,
            {
                "dc_id": all_dc + 1,
                "product_id": all_product + 1,
                "qty_delta": all_qty,
                "reason": pooled(
                    ["SUPPLIER_RECEIPT", "OUTBOUND_SHIPMENT", "ONLINE_ORDER"],
                    np.concatenate([np.zeros(cells.size, np.int64), *reason]),
                ),
                "source": concat([po, *source]),
                "on_hand_after": on_hand,
            },
        )

    @staticmethod
    def _order_ids(o: Orders) -> pa.Array:
        return numbered_ids(f"ORD{yyyymmdd(o.day)}", o.size, 7)

    def _online_orders(self, day: date, recent: list[Orders]) -> pa.Table:
        parts: dict[str, list[Any]] = {k: [] for k in ("ts", "status", "order", "ids")}
        for o in recent:
            status = np.where(o.pickup[:, None], [0, 1, 2, 3, 5, 6], [0, 1, 2, 3, 4, -1])
            ts = o.status_ts.ravel()
            sel = in_day(ts, day) & (status.ravel() >= 0)
            order = np.repeat(np.arange(o.size), 6)[sel]
            parts["ts"].append(ts[sel])
            parts["status"].append(status.ravel()[sel])
            parts["order"].append((o, order))
        ts = np.concatenate(parts["ts"])
        pick = {
            k: np.concatenate([getattr(o, k)[i] for o, i in parts["order"]])
            for k in (
                "customer",
                "channel",
                "pickup",
                "store",
                "dc",
                "tender",
                "item_count",
                "subtotal",
                "tax",
                "shipping",
            )
        }
        ids = concat([self._order_ids(o).take(i) for o, i in parts["order"]])
        return finish(
            self.catalog(),
            "online_orders",
            day,
            ts,
            {
                "order_id": ids,
                "customer_id": pick["customer"] + 1,
                "channel": pooled(["WEB", "APP"], pick["channel"]),
                "fulfillment": pooled(["SHIP_TO_HOME", "PICKUP_IN_STORE"], pick["pickup"].astype(np.int64)),
                "dc_id": pick["dc"] + 1,
                "store_id": pa.array(pick["store"] + 1, mask=~pick["pickup"], type=pa.int32()),
                "status": pooled(STATUSES, np.concatenate(parts["status"])),
                "item_count": pick["item_count"],
                "subtotal": money(pick["subtotal"]),
                "tax": money(pick["tax"]),
                "shipping_fee": money(pick["shipping"]),
                "total": money(pick["subtotal"] + pick["tax"] + pick["shipping"]),
                "tender_type": pooled(TENDERS, pick["tender"]),
            },
        )

    def _online_order_lines(self, day: date, o: Orders) -> pa.Table:
        owner = o.lines.owner
        return finish(
            self.catalog(),
            "online_order_lines",
            day,
            o.status_ts[owner, 0],
            {
                "order_id": self._order_ids(o).take(owner),
                "line": 1 + np.arange(owner.size) - np.searchsorted(owner, owner, side="left"),
                "product_id": o.lines.product + 1,
                "qty": o.lines.qty,
                "unit_price": money(o.lines.unit_price),
                "ext_price": money(o.lines.qty * o.lines.unit_price),
            },
        )

    def _traffic(self, day: date, visits: Visits, wanted: set[str]) -> DayTables:
        stops = walk(self.world, self.keys, day, visits, self.members_per_day)
        sensors, beacons = self._zone_ids
        zone_key = stops.store * len(ZONES) + stops.zone
        out: DayTables = {}
        if "foot_traffic" in wanted:
            out["foot_traffic"] = finish(
                self.catalog(),
                "foot_traffic",
                day,
                stops.ts,
                {
                    "store_id": stops.store + 1,
                    "sensor_id": Pooled(sensors, zone_key),
                    "zone": pooled(ZONES, stops.zone),
                    "dwell": stops.dwell_s,
                    "count": stops.party,
                },
            )
        if "ble_pings" in wanted:
            pings = ping(self.keys, day, stops)
            st = pings.stop
            out["ble_pings"] = finish(
                self.catalog(),
                "ble_pings",
                day,
                pings.ts,
                {
                    "store_id": stops.store[st] + 1,
                    "beacon_id": Pooled(beacons, zone_key[st]),
                    "customer_ble_id": fixed_width_ids("BLE", [(stops.customer[st] + 1, 9)]),
                    "rssi": pings.rssi,
                    "zone": pooled(ZONES, stops.zone[st]),
                },
            )
        return out

    def _marketing(self, day: date) -> pa.Table:
        imp = draw_impressions(
            self.keys, day, self.settings.volume.marketing_impressions_per_day, self.world.n_customers
        )
        n = imp.ts.size
        month = np.full(n, day.year * 100 + day.month)
        campaign = imp.channel * CAMPAIGNS_PER_CHANNEL + imp.campaign
        customer = imp.customer + 1
        return finish(
            self.catalog(),
            "marketing",
            day,
            imp.ts,
            {
                "channel": pooled(CHANNELS, imp.channel),
                "campaign_id": fixed_width_ids("CMP", [(month, 6), (campaign + 1, 3)]),
                "creative_id": fixed_width_ids("CRV", [(month, 6), (campaign + 1, 3), (imp.creative + 1, 2)]),
                "customer_ad_id": fixed_width_ids("AD", [(customer * 7_919_003 % 1_000_000_000, 9)]),
                "impression_id": numbered_ids(f"IMP{yyyymmdd(day)}", n, 9),
                "cost": decimal_from_units(imp.cost, 10, 4),
                "device": pooled(DEVICES, imp.device),
            },
        )
