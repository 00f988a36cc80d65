"""Retail's online event tables for one day: order statuses and order lines."""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pyarrow as pa

from emitter.core.clock import yyyymmdd
from emitter.core.columns import concat, numbered_ids, pooled
from emitter.scenarios.retail.online import STATUSES, Orders
from emitter.scenarios.retail.tables import TENDERS, EventTables, in_day, money


def order_ids(o: Orders) -> pa.Array:
    """ORD<yyyymmdd of placing><n:07d>, one per order of the day."""
    return numbered_ids(f"ORD{yyyymmdd(o.day)}", o.size, 7)


def online_orders(events: EventTables, day: date, recent: list[Orders]) -> pa.Table:
    """One row per status an order of the last days reaches on ``day``."""
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
    ids = concat([order_ids(o).take(i) for o, i in parts["order"]])
    return events.finish(
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


def online_order_lines(events: EventTables, day: date, o: Orders) -> pa.Table:
    """The lines of the orders placed on ``day``, written when the order is placed."""
    owner = o.lines.owner
    return events.finish(
        "online_order_lines",
        day,
        o.status_ts[owner, 0],
        {
            "order_id": order_ids(o).take(owner),
            "line": 1 + np.arange(owner.size) - np.searchsorted(owner, owner, side="left"),
            "product_id": o.lines.product + 1,
            "qty": o.lines.qty,
            "unit_price": money(o.lines.unit_price),
            "ext_price": money(o.lines.qty * o.lines.unit_price),
        },
    )
