"""E-commerce rules of orders after they are placed: amounts to the cent, status order, stock, reviews."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from emitter.core.clock import MICROS_PER_DAY
from emitter.scenarios.ecommerce.orders import CANCELLED, DELIVERED, PLACED, RETURNED, SHIPPED
from emitter.scenarios.ecommerce.rule_columns import (
    I64,
    MOVEMENT_SHAPE,
    NEXT_STATUS,
    Tables,
    days_of,
    flag,
    status_codes,
)
from emitter.scenarios.rules import RuleResult, at_rows, codes, counted, decimal_units, ints, lookup


def amounts(t: Tables) -> list[RuleResult]:
    out = []
    if "order_items" in t:
        i = t["order_items"]
        gross = ints(i, "quantity") * decimal_units(i, "unit_price")
        bad = int((gross - decimal_units(i, "discount") != decimal_units(i, "line_total")).sum())
        out.append(counted("order_items: line_total = quantity × unit_price − discount", bad, "lines", i.num_rows))
    if "orders" not in t:
        return out
    o = t["orders"]
    n = o.num_rows
    subtotal, discount, fee, tax, total = (
        decimal_units(o, c) for c in ("subtotal", "discount", "shipping_fee", "tax", "total")
    )
    out.append(
        counted(
            "orders: total = subtotal − discount + shipping_fee + tax",
            int((subtotal - discount + fee + tax != total).sum()),
            "order rows",
            n,
        )
    )
    (code,) = codes(o.column("order_id"))
    same = [subtotal, discount, fee, tax, total, ints(o, "placed_at"), ints(o, "customer_id"), ints(o, "item_count")]
    same += codes(o.column("session_id"))
    order = np.argsort(code, kind="stable")
    follows = code[order][1:] == code[order][:-1]
    differ = np.zeros(follows.size, bool)
    for values in same:
        differ |= values[order][1:] != values[order][:-1]
    out.append(
        counted(
            "orders: every status row of an order carries the same amounts, customer and session",
            int((follows & differ).sum()),
            "consecutive rows",
            int(follows.sum()),
        )
    )
    if "order_items" in t:
        i = t["order_items"]
        placed = status_codes(o) == PLACED
        o_code, i_code = codes(o.column("order_id").filter(placed), i.column("order_id"))
        row = lookup(i_code, o_code)
        known = row >= 0
        qty = ints(i, "quantity")
        sums = [
            np.bincount(row[known], weights=w[known], minlength=o_code.size).astype(np.int64)
            for w in (qty * decimal_units(i, "unit_price"), decimal_units(i, "discount"), qty)
        ]
        lines = np.bincount(row[known], minlength=o_code.size) > 0
        want = [subtotal[placed], discount[placed], ints(o, "item_count")[placed]]
        bad = int((lines & ((sums[0] != want[0]) | (sums[1] != want[1]) | (sums[2] != want[2]))).sum())
        out.append(
            counted(
                "orders: subtotal, discount and item_count = Σ of their lines",
                bad,
                "placed orders with lines",
                int(lines.sum()),
            )
        )
    return out


def statuses(t: Tables) -> list[RuleResult]:
    """placed → paid → shipped → delivered [→ returned], or placed → [paid →] cancelled; each status once."""
    if "orders" not in t:
        return []
    o = t["orders"]
    (code,) = codes(o.column("order_id"))
    status, ts = status_codes(o), ints(o, "event_ts")
    order = np.lexsort((status, ts, code))
    c, s = code[order], status[order]
    follows = c[1:] == c[:-1]
    steps = s[:-1] * 8 + s[1:]
    allowed = np.isin(steps, [a * 8 + b for a, b in NEXT_STATUS])
    wrong_step = int((follows & ~allowed).sum())
    # the first row seen of an order is `placed` (at placed_at) unless the order was placed before these days
    first = np.r_[True, ~follows]
    placed_at = ints(o, "placed_at")[order]
    before = placed_at // MICROS_PER_DAY < (ts.min() if ts.size else 0) // MICROS_PER_DAY
    wrong_first = first & ~before & ((s != PLACED) | (ts[order] != placed_at))
    twice = np.unique(code * 8 + status, return_counts=True)[1]
    n_orders = int(first.sum())
    size = int(code.max(initial=-1)) + 1
    shipped, cancelled = np.full(size, -1), np.full(size, -1)
    shipped[code[status == SHIPPED]] = ts[status == SHIPPED]
    cancelled[code[status == CANCELLED]] = ts[status == CANCELLED]
    late = int(((shipped >= 0) & (cancelled >= 0)).sum())
    return [
        counted(
            "orders: statuses follow placed → paid → shipped → delivered → returned or → cancelled",
            wrong_step + int(wrong_first.sum()) + int((status < 0).sum()),
            "status rows",
            o.num_rows,
        ),
        counted("orders: no status twice", int((twice > 1).sum()), "orders", n_orders),
        counted("orders: never cancelled once shipped", late, "orders", n_orders),
    ]


# ---- stock and reviews ------------------------------------------------------------------------------


def _per_status(o: pa.Table, wanted: int) -> tuple[pa.ChunkedArray, I64, I64]:
    rows = o.filter(pa.array(status_codes(o) == wanted))
    return rows.column("order_id"), ints(rows, "event_ts"), ints(rows, "warehouse_id")


def inventory(t: Tables) -> list[RuleResult]:
    if "inventory" not in t:
        return []
    v = t["inventory"]
    m = v.num_rows
    after, qty, ts = ints(v, "stock_after"), ints(v, "quantity"), ints(v, "event_ts")
    cell = ints(v, "warehouse_id") * (1 << 32) + ints(v, "product_id")
    order = np.lexsort((np.arange(m), ts, cell))
    c, h, d = cell[order], after[order], qty[order]
    same = c[1:] == c[:-1]
    broken = int((h[1:][same] != h[:-1][same] + d[1:][same]).sum())
    has_order = ~flag(v.column("order_id").is_null())
    shape_ok = np.zeros(m, bool)
    for name, (sign, with_order) in MOVEMENT_SHAPE.items():
        kind = flag(pc.equal(v.column("movement_type"), name))
        shape_ok |= kind & (np.sign(qty) == sign) & (has_order == with_order)
    out = [
        counted("inventory: stock_after ≥ 0", int((after < 0).sum()), "movements", m),
        counted("inventory: stock_after = previous stock_after + quantity", broken, "movements", m),
        counted(
            "inventory: shipments out with an order, returns and restocks in", int((~shape_ok).sum()), "movements", m
        ),
    ]
    if "orders" in t:
        o = t["orders"]
        days = days_of(ints(o, "event_ts"))
        moves = days_of(ts)
        for movement, status in (("shipment", SHIPPED), ("return", RETURNED)):
            ids, when, warehouse = _per_status(o, status)
            rows = v.filter(pc.equal(v.column("movement_type"), movement))
            s_code, m_code = codes(ids, rows.column("order_id"))
            m_ts = ints(rows, "event_ts")
            row = lookup(m_code, s_code)
            at_hand = np.isin(m_ts // MICROS_PER_DAY, days)
            elsewhere = at_rows(warehouse, row, -1) != ints(rows, "warehouse_id")
            bad = at_hand & ((row < 0) | (at_rows(when, row, -1) != m_ts) | elsewhere)
            units = np.bincount(row[row >= 0], weights=np.abs(ints(rows, "quantity"))[row >= 0], minlength=s_code.size)
            count_row = o.filter(pa.array(status_codes(o) == status))
            short = np.isin(when // MICROS_PER_DAY, moves) & (units.astype(np.int64) != ints(count_row, "item_count"))
            label = "shipped" if status == SHIPPED else "returned"
            out.append(
                counted(
                    f"inventory: each {movement} matches its order's `{label}` row (time, warehouse, units)",
                    int(bad.sum()) + int(short.sum()),
                    f"{movement}s and {label} orders",
                    rows.num_rows + s_code.size,
                )
            )
    return out


def reviews(t: Tables) -> list[RuleResult]:
    if "reviews" not in t:
        return []
    r = t["reviews"]
    n = r.num_rows
    rating = ints(r, "rating")
    out = [counted("reviews: rating 1..5", int(((rating < 1) | (rating > 5)).sum()), "reviews", n)]
    if "orders" in t:
        o = t["orders"]
        r_code, o_code = codes(r.column("order_id"), o.column("order_id"))
        row = lookup(r_code, o_code)  # any row of the order: they all carry its customer
        known = row >= 0
        stranger = known & (at_rows(ints(o, "customer_id"), row, -1) != ints(r, "customer_id"))
        out.append(
            counted(
                "reviews: by the order's customer", int(stranger.sum()), "reviews of known orders", int(known.sum())
            )
        )
        ids, delivered, _ = _per_status(o, DELIVERED)
        d_code, r_code2 = codes(ids, r.column("order_id"))
        drow = lookup(r_code2, d_code)
        early = (drow >= 0) & (at_rows(delivered, drow, -1) >= ints(r, "event_ts"))
        out.append(counted("reviews: after the order's delivery", int(early.sum()), "reviews", n))
    if "order_items" in t:
        i = t["order_items"]
        r_code, i_code = codes(r.column("order_id"), i.column("order_id"))
        line_key = i_code * (1 << 32) + ints(i, "product_id")
        has_items = np.isin(r_code, i_code)
        on_line = np.isin(r_code * (1 << 32) + ints(r, "product_id"), line_key)
        out.append(
            counted(
                "reviews: the product is a line of the order",
                int((has_items & ~on_line).sum()),
                "reviews of orders with lines",
                int(has_items.sum()),
            )
        )
    return out
