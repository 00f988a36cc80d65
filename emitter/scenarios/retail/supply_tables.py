"""Retail's supply-chain event tables for one day: truck trips and DC stock movements."""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from emitter.core.clock import MICROS_PER_MINUTE, day_start_us, yyyymmdd
from emitter.core.columns import concat, fixed_width_ids, pooled, timestamps
from emitter.core.ledgers import running_balance
from emitter.core.rng import BlockKeys
from emitter.scenarios.retail.logistics import TRUCK_STATUSES, Shipments, shipment_id_parts
from emitter.scenarios.retail.online import Orders
from emitter.scenarios.retail.online_tables import order_ids
from emitter.scenarios.retail.tables import EventTables, in_day
from emitter.scenarios.retail.world import RetailWorld

I64 = npt.NDArray[np.int64]


def truck_moves(events: EventTables, world: RetailWorld, day: date, trips: tuple[Shipments, ...]) -> pa.Table:
    """Every status a truck trip reaches on ``day``, for the trips delivering today and tomorrow."""
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
    dc = world.store_dc[c["store"]]
    shipment_day = np.array(
        [
            date.fromordinal(int(o)).year * 10_000 + date.fromordinal(int(o)).month * 100 + date.fromordinal(int(o)).day
            for o in np.unique(c["ship_day"])
        ]
    )
    ship_codes = (
        shipment_day[np.searchsorted(np.unique(c["ship_day"]), c["ship_day"])] if c["ship_day"].size else c["ship_day"]
    )
    return events.finish(
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


def dc_inventory(
    events: EventTables,
    world: RetailWorld,
    keys: BlockKeys,
    day: date,
    trips: tuple[Shipments, ...],
    recent: list[Orders],
    base_stock: I64,
) -> pa.Table:
    """A DC's movements on ``day``: truck loads, online picks, and supplier receipts that cover them."""
    w = world
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
        source.append(order_ids(o).take(owner[sel]))
        reason.append(np.full(int(sel.sum()), 2))
    out_dc, out_product, out_qty, out_ts = (np.concatenate(x) for x in (dc, product, qty, ts))
    # suppliers deliver, ahead of the day's first outbound, exactly what the DC ships that day
    n_p = w.n_products
    cell = out_dc * n_p + out_product
    cells = np.unique(cell)
    need = -np.bincount(cell, weights=out_qty, minlength=w.n_dcs * n_p).astype(np.int64)[cells]
    first_ts = np.full(w.n_dcs * n_p, np.iinfo(np.int64).max)
    np.minimum.at(first_ts, cell, out_ts)
    lead = keys.rng("supplier", day).uniform(30, 120, w.n_dcs * n_p) * MICROS_PER_MINUTE
    in_ts = np.maximum(day_start_us(day), first_ts[cells] - lead[cells].astype(np.int64))
    in_dc, in_product = cells // n_p, cells % n_p
    po = fixed_width_ids("PO", [(yyyymmdd(day), 8), (in_dc + 1, 3), (in_product + 1, 7)])

    all_dc = np.concatenate([in_dc, out_dc])
    all_product = np.concatenate([in_product, out_product])
    all_qty = np.concatenate([need, out_qty])
    all_ts = np.concatenate([in_ts, out_ts])
    # running stock per (dc, product) in event order, from the constant opening stock
    on_hand = running_balance(all_dc * n_p + all_product, all_ts, all_qty, base_stock.ravel())
    return events.finish(
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
