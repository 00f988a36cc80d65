"""Business rules of the retail domain as executable checks over generated tables.

``emitter validate`` runs these on backfill output and the tests run them on fresh batches. Each
check sees whole tables (reference tables plus any number of consecutive days of events). Foreign
keys are declared with the tables (``table_specs.py``) and checked by the contract for every scenario.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from emitter.scenarios.rules import RuleResult, decimal_units, unresolved

Tables = Mapping[str, pa.Table]


def _col(t: pa.Table, name: str) -> npt.NDArray[np.int64]:
    return np.asarray(t.column(name).to_numpy(), dtype=np.int64)


def _ts(t: pa.Table, name: str = "event_ts") -> npt.NDArray[np.int64]:
    return np.asarray(t.column(name).cast(pa.int64()).to_numpy(), dtype=np.int64)


def receipt_arithmetic(t: Tables) -> list[RuleResult]:
    if "receipts" not in t or "receipt_lines" not in t:
        return []
    r, lines = t["receipts"], t["receipt_lines"]
    qty, unit, ext = _col(lines, "qty"), decimal_units(lines, "unit_price"), decimal_units(lines, "ext_price")
    bad_ext = int((qty * unit != ext).sum())
    idx = pc.index_in(lines.column("receipt_id"), value_set=r.column("receipt_id").combine_chunks()).to_numpy(
        zero_copy_only=False
    )
    known = ~np.isnan(idx.astype(np.float64)) if idx.dtype == object else idx >= 0
    sums = np.bincount(np.asarray(idx[known], dtype=np.int64), weights=ext[known], minlength=r.num_rows).astype(
        np.int64
    )
    subtotal, tax, total = decimal_units(r, "subtotal"), decimal_units(r, "tax"), decimal_units(r, "total")
    bad_sub = int((sums != subtotal).sum())
    bad_total = int((subtotal + tax != total).sum())
    return [
        RuleResult("receipt_lines.ext_price = qty × unit_price", bad_ext == 0, f"{bad_ext} lines differ"),
        RuleResult("receipts.subtotal = Σ ext_price", bad_sub == 0, f"{bad_sub} receipts differ"),
        RuleResult("receipts.total = subtotal + tax", bad_total == 0, f"{bad_total} receipts differ"),
        RuleResult(
            "receipts have lines",
            int((np.bincount(np.asarray(idx[known], dtype=np.int64), minlength=r.num_rows) == 0).sum()) == 0,
            "",
        ),
    ]


def _running_stock(t: pa.Table, key: tuple[str, str]) -> list[RuleResult]:
    """on_hand_after never negative, and each row = previous row of the same key + qty_delta."""
    name = "store" if key[0] == "store_id" else "dc"
    on_hand, delta = _col(t, "on_hand_after"), _col(t, "qty_delta")
    cell = _col(t, key[0]) * 10_000_000 + _col(t, key[1])
    order = np.lexsort((np.arange(t.num_rows), _ts(t), cell))
    c, h, d = cell[order], on_hand[order], delta[order]
    same = c[1:] == c[:-1]
    broken = int((h[1:][same] != h[:-1][same] + d[1:][same]).sum())
    return [
        RuleResult(f"{name} stock never negative", int((on_hand < 0).sum()) == 0, f"min {on_hand.min(initial=0)}"),
        RuleResult(f"{name} stock moves by qty_delta", broken == 0, f"{broken} breaks in the running balance"),
    ]


def inventory(t: Tables) -> list[RuleResult]:
    out: list[RuleResult] = []
    if "store_inventory_txn" in t:
        s = t["store_inventory_txn"]
        out += _running_stock(s, ("store_id", "product_id"))
        reason = s.column("reason")
        sales = _col(s.filter(pc.equal(reason, "SALE")), "qty_delta")
        inbound = _col(s.filter(pc.equal(reason, "INBOUND_SHIPMENT")), "qty_delta")
        out.append(RuleResult("sales reduce store stock", bool((sales < 0).all()), ""))
        out.append(RuleResult("deliveries raise store stock", bool((inbound > 0).all()), ""))
        if "receipt_lines" in t:
            sold = int(-sales.sum())
            bought = int(_col(t["receipt_lines"], "qty").sum())
            out.append(RuleResult("store sales = receipt line units", sold == bought, f"{sold} vs {bought}"))
        if "truck_moves" in t:
            arrived = t["truck_moves"].filter(pc.equal(t["truck_moves"].column("status"), "COMPLETED"))
            src = s.filter(pc.equal(reason, "INBOUND_SHIPMENT")).column("source")
            missing = unresolved(src, arrived.column("shipment_id"))
            out.append(RuleResult("every delivery matches a truck trip", missing == 0, f"{missing} without a trip"))
    if "dc_inventory_txn" in t:
        d = t["dc_inventory_txn"]
        out += _running_stock(d, ("dc_id", "product_id"))
        if "truck_moves" in t:
            tm = t["truck_moves"]
            loading = tm.filter(pc.equal(tm.column("status"), "LOADING")).column("shipment_id")
            shipped = d.filter(pc.equal(d.column("reason"), "OUTBOUND_SHIPMENT")).column("source")
            missing = unresolved(loading, shipped)
            out.append(RuleResult("every truck trip starts from a DC shipment", missing == 0, f"{missing} trips"))
    if "truck_moves" in t:
        out.append(_truck_progress(t["truck_moves"]))
        out.append(_one_trip_per_truck(t["truck_moves"]))
    return out


def _one_trip_per_truck(tm: pa.Table) -> RuleResult:
    """No truck is on two trips at once (a trip spans its first to its last status event)."""
    ship = pc.dictionary_encode(tm.column("shipment_id")).combine_chunks()
    sid = ship.indices.to_numpy().astype(np.int64)
    truck = pc.dictionary_encode(tm.column("truck_id")).combine_chunks().indices.to_numpy().astype(np.int64)
    ts = _ts(tm)
    n = len(ship.dictionary)
    begin = np.full(n, np.iinfo(np.int64).max)
    end = np.full(n, np.iinfo(np.int64).min)
    np.minimum.at(begin, sid, ts)
    np.maximum.at(end, sid, ts)
    trip_truck = np.zeros(n, dtype=np.int64)
    trip_truck[sid] = truck
    order = np.lexsort((begin, trip_truck))
    same = trip_truck[order][1:] == trip_truck[order][:-1]
    clashes = int((begin[order][1:][same] < end[order][:-1][same]).sum())
    return RuleResult("a truck is on one trip at a time", clashes == 0, f"{clashes} overlapping trips")


def _truck_progress(tm: pa.Table) -> RuleResult:
    """Statuses of one shipment advance in order, and ETA precedes ETD."""
    rank = {s: i for i, s in enumerate(("SCHEDULED", "LOADING", "IN_TRANSIT", "ARRIVED", "UNLOADING", "COMPLETED"))}
    status = (
        np.array([rank[s] for s in tm.column("status").to_pylist()], dtype=np.int64) if tm.num_rows else np.zeros(0)
    )
    ship = pc.dictionary_encode(tm.column("shipment_id")).combine_chunks().indices.to_numpy()
    ts = _ts(tm)
    order = np.lexsort((status, ship))
    same = ship[order][1:] == ship[order][:-1]
    backwards = int((np.diff(ts[order])[same] < 0).sum())
    eta_etd = int((_ts(tm, "eta") >= _ts(tm, "etd")).sum())
    return RuleResult(
        "truck statuses progress in time; eta < etd",
        backwards == 0 and eta_etd == 0,
        f"{backwards} out of order, {eta_etd} eta ≥ etd",
    )


def store_traffic(t: Tables) -> list[RuleResult]:
    """Per store and hour: Σ foot-traffic count ≥ distinct members seen by BLE ≥ distinct buyers."""
    if not {"foot_traffic", "ble_pings", "receipts"} <= set(t):
        return []
    hour = 3_600_000_000

    def per_hour(table: pa.Table, weights: npt.NDArray[np.int64] | None, distinct: str | None) -> dict[int, int]:
        key = _col(table, "store_id") * 10_000_000 + _ts(table) // hour
        if distinct is not None:
            ids = pc.dictionary_encode(table.column(distinct)).combine_chunks().indices.to_numpy().astype(np.int64)
            pairs = np.unique(np.stack([key, ids], axis=1), axis=0) if key.size else np.zeros((0, 2), np.int64)
            key = pairs[:, 0]
        k, inv = np.unique(key, return_inverse=True)
        return dict(zip(k.tolist(), np.bincount(inv, weights=weights).astype(np.int64).tolist(), strict=True))

    foot = per_hour(t["foot_traffic"], _col(t["foot_traffic"], "count"), None)
    ble = per_hour(t["ble_pings"], None, "customer_ble_id")
    buy = per_hour(t["receipts"], None, "customer_id")
    bad1 = sum(1 for k, v in ble.items() if foot.get(k, 0) < v)
    bad2 = sum(1 for k, v in buy.items() if ble.get(k, 0) < v)
    return [
        RuleResult("foot traffic ≥ BLE customers per store-hour", bad1 == 0, f"{bad1} store-hours"),
        RuleResult("BLE customers ≥ buyers per store-hour", bad2 == 0, f"{bad2} store-hours"),
    ]


def online_orders(t: Tables) -> list[RuleResult]:
    if "online_orders" not in t:
        return []
    o = t["online_orders"]
    bad_total = int(
        (
            decimal_units(o, "subtotal") + decimal_units(o, "tax") + decimal_units(o, "shipping_fee")
            != decimal_units(o, "total")
        ).sum()
    )
    out = [RuleResult("online total = subtotal + tax + shipping", bad_total == 0, f"{bad_total} rows differ")]
    if "online_order_lines" in t:
        lines = t["online_order_lines"]
        ext = decimal_units(lines, "ext_price")
        out.append(
            RuleResult(
                "online ext_price = qty × unit_price",
                bool((_col(lines, "qty") * decimal_units(lines, "unit_price") == ext).all()),
                "",
            )
        )
        created = o.filter(pc.equal(o.column("status"), "CREATED"))
        idx = pc.index_in(lines.column("order_id"), value_set=created.column("order_id").combine_chunks())
        idx_np = idx.to_numpy(zero_copy_only=False)
        known = ~pc.is_null(idx).to_numpy(zero_copy_only=False)
        sums = np.bincount(
            np.asarray(idx_np[known], dtype=np.int64), weights=ext[known], minlength=created.num_rows
        ).astype(np.int64)
        bad = int((sums != decimal_units(created, "subtotal")).sum())
        out.append(RuleResult("online subtotal = Σ line ext_price", bad == 0, f"{bad} orders differ"))
    return out


CHECKS: tuple[Callable[[Tables], list[RuleResult]], ...] = (
    receipt_arithmetic,
    inventory,
    store_traffic,
    online_orders,
)


def check_all(t: Tables) -> list[RuleResult]:
    return [result for check in CHECKS for result in check(t)]
