"""The retail scenario: stores and their supply chain (seed 002), one day at a time."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cached_property

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from emitter.core.arrivals import cdf_pick, shares_cdf
from emitter.core.clock import yyyymmdd
from emitter.core.columns import (
    Pooled,
    concat,
    decimal_from_units,
    fixed_width_ids,
    numbered_ids,
    pooled,
    round_half_up_div,
)
from emitter.plan.volume import TableVolume
from emitter.scenarios.contract import DayTables, DemoSpec, Scenario
from emitter.scenarios.figures import Figure
from emitter.scenarios.retail.baskets import PROMO_CODES, BasketModel, Lines
from emitter.scenarios.retail.catalog import CHANNELS, DEVICES, SEGMENTS, ZONES
from emitter.scenarios.retail.demo_queries import SAMPLE_QUERIES
from emitter.scenarios.retail.inventory import WARMUP_DAYS, Demand, Policy, policy_from_demand, simulate_day
from emitter.scenarios.retail.logistics import plan_shipments, shipment_id_parts
from emitter.scenarios.retail.marketing import CAMPAIGNS_PER_CHANNEL, draw_impressions
from emitter.scenarios.retail.online import ONLINE_LOOKBACK_DAYS, Orders, draw_orders
from emitter.scenarios.retail.online_tables import online_order_lines, online_orders
from emitter.scenarios.retail.plan import RetailPlan
from emitter.scenarios.retail.report import figures
from emitter.scenarios.retail.rules import check_all
from emitter.scenarios.retail.settings import RetailSettings
from emitter.scenarios.retail.supply_tables import dc_inventory, truck_moves
from emitter.scenarios.retail.table_specs import TABLES
from emitter.scenarios.retail.tables import TENDERS, TRACE_CODES, EventTables, money
from emitter.scenarios.retail.visits import Visits, delivery_time, draw_visits, ping, walk
from emitter.scenarios.retail.world import RetailWorld, build_world
from emitter.scenarios.rules import RuleResult

I64 = npt.NDArray[np.int64]
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
        self.events = EventTables(self.catalog(), self.run_tag, TRACE_CODES)

    def memory_estimate(self) -> int:
        return self.settings.volume.memory_estimate()

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

    def figures(self, tables: Mapping[str, pa.Table]) -> list[Figure]:
        return figures(tables)

    def plan_volumes(self, days: Sequence[date]) -> dict[str, TableVolume]:
        return RetailPlan(self, days).volumes()

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
                out["truck_moves"] = truck_moves(self.events, self.world, day, (today, tomorrow))
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
                out["online_orders"] = online_orders(self.events, day, recent)
            if "online_order_lines" in wanted:
                out["online_order_lines"] = online_order_lines(self.events, day, orders[day])
        if "dc_inventory_txn" in wanted:
            out["dc_inventory_txn"] = dc_inventory(
                self.events, self.world, self.keys, day, (today, tomorrow), recent, self.dc_base_stock
            )
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
            out["receipts"] = self.events.finish(
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
            out["receipt_lines"] = self.events.finish(
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
            out["store_inventory_txn"] = self.events.finish(
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

    def _traffic(self, day: date, visits: Visits, wanted: set[str]) -> DayTables:
        stops = walk(self.world, self.keys, day, visits, self.members_per_day)
        sensors, beacons = self._zone_ids
        zone_key = stops.store * len(ZONES) + stops.zone
        out: DayTables = {}
        if "foot_traffic" in wanted:
            out["foot_traffic"] = self.events.finish(
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
            out["ble_pings"] = self.events.finish(
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
        return self.events.finish(
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
