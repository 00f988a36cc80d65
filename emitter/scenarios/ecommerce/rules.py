"""Business rules of the e-commerce domain as executable checks over generated tables.

``emitter validate`` runs these on backfill output and the tests run them on fresh batches. Each check sees
whole tables (reference tables plus any number of consecutive days of events) and skips what needs a table
that is absent. Rows that refer to something outside the tables at hand (an order placed before the first
day, a session of a day not loaded) are left to the declared foreign keys or skipped, never counted as breaches.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pa_json

from emitter.core.clock import MICROS_PER_DAY
from emitter.scenarios.ecommerce.vocabulary import DEPARTMENTS
from emitter.scenarios.rules import RuleResult

Tables = Mapping[str, pa.Table]
I64 = npt.NDArray[np.int64]
B = npt.NDArray[np.bool_]

STATUS_RANK = {s: i for i, s in enumerate(("placed", "paid", "shipped", "delivered", "cancelled", "returned"))}
PLACED, PAID, SHIPPED, DELIVERED, CANCELLED, RETURNED = range(6)
# the only steps an order takes from one status row to its next
NEXT_STATUS = {(PLACED, PAID), (PLACED, CANCELLED), (PAID, SHIPPED), (PAID, CANCELLED), (SHIPPED, DELIVERED)}
NEXT_STATUS |= {(DELIVERED, RETURNED)}
# movement type: (sign of quantity, carries an order id)
MOVEMENT_SHAPE = {"shipment": (-1, True), "return": (1, True), "restock": (1, False), "transfer_out": (-1, False)}


def _ints(t: pa.Table, name: str, null: int = -1) -> I64:
    col = t.column(name)
    if pa.types.is_timestamp(col.type):
        col = col.cast(pa.int64())
    return np.asarray(pc.fill_null(col, null).to_numpy(), dtype=np.int64)


def _flag(values: pa.ChunkedArray | pa.Array) -> B:
    """A boolean column as numpy, null as False."""
    return np.asarray(pc.fill_null(values, False).to_numpy(zero_copy_only=False), dtype=bool)


def _units(t: pa.Table, name: str) -> I64:
    """Decimal column as integer cents, exactly (the low 64 bits of each decimal128)."""
    col = t.column(name).combine_chunks()
    if col.null_count:
        raise ValueError(f"{name} has nulls")
    words = np.frombuffer(col.buffers()[1], dtype=np.int64)[2 * col.offset : 2 * (col.offset + len(col))]
    return words[0::2].copy()


def _codes(*columns: pa.ChunkedArray | pa.Array) -> list[I64]:
    """Integer codes of string (or id) values shared across columns; -1 for null."""
    arrays = [c.combine_chunks() if isinstance(c, pa.ChunkedArray) else c for c in columns]
    arrays = [a.cast(pa.string()) if pa.types.is_large_string(a.type) else a for a in arrays]
    joint = pc.dictionary_encode(pa.concat_arrays(arrays)).indices
    flat = np.asarray(pc.fill_null(joint, -1).to_numpy(), dtype=np.int64)
    return np.split(flat, np.cumsum([len(a) for a in arrays])[:-1])


def _lookup(keys: I64, table_keys: I64) -> I64:
    """Row of ``table_keys`` holding each of ``keys`` (unique in ``table_keys``), -1 when none or null."""
    if not table_keys.size:
        return np.full(keys.size, -1, np.int64)
    order = np.argsort(table_keys, kind="stable")
    sorted_keys = table_keys[order]
    at = np.searchsorted(sorted_keys, keys).clip(0, sorted_keys.size - 1)
    found = (keys >= 0) & (sorted_keys[at] == keys)
    return np.where(found, order[at], -1).astype(np.int64)


def _result(rule: str, bad: int, what: str, of: int) -> RuleResult:
    return RuleResult(rule, bad == 0, f"{bad} of {of} {what}")


def _days(ts: I64) -> I64:
    return np.unique(ts // MICROS_PER_DAY)


def _statuses(o: pa.Table) -> I64:
    """Rank of each order row's status (see STATUS_RANK), -1 for an unknown status."""
    encoded = pc.dictionary_encode(o.column("status").combine_chunks())
    rank = np.array([STATUS_RANK.get(s, -1) for s in encoded.dictionary.to_pylist()] + [-1], dtype=np.int64)
    return rank[np.asarray(pc.fill_null(encoded.indices, -1).to_numpy(), dtype=np.int64)]


# ---- catalogue and customers ------------------------------------------------------------------------


def _attributes_bad(attributes: pa.ChunkedArray) -> int:
    """Attributes that are not JSON objects with a colour and a material (parsed in one pass when all parse)."""
    values = attributes.to_pylist()
    try:
        parsed = pa_json.read_json(pa.BufferReader("\n".join(v or "" for v in values).encode()))
        ok = parsed.num_rows == len(values) and {"colour", "material"} <= set(parsed.column_names)
        if ok and not (parsed.column("colour").null_count or parsed.column("material").null_count):
            return 0
    except (pa.ArrowInvalid, ValueError):
        pass
    bad = 0
    for v in values:
        try:
            d = json.loads(v) if v else None
        except ValueError:
            d = None
        bad += not (isinstance(d, dict) and isinstance(d.get("colour"), str) and isinstance(d.get("material"), str))
    return bad


def products(t: Tables) -> list[RuleResult]:
    if "products" not in t:
        return []
    p = t["products"]
    n = p.num_rows
    price, cost = _units(p, "price"), _units(p, "cost")
    allowed = pa.array([f"{d.name}\x1f{b}" for d in DEPARTMENTS for b in d.brands])
    pair = pc.binary_join_element_wise(p.column("category"), p.column("brand"), "\x1f")
    misfit = n - int(pc.sum(pc.is_in(pair, value_set=allowed)).as_py() or 0)
    return [
        _result("products: 0 < cost < price", int(((cost <= 0) | (price <= cost)).sum()), "products", n),
        _result(
            "products: attributes are JSON with colour and material",
            _attributes_bad(p.column("attributes")),
            "products",
            n,
        ),
        _result("products: brand fits the category", misfit, "products", n),
    ]


def customers(t: Tables) -> list[RuleResult]:
    """A customer exists before buying or visiting, unless the visit is the one that signs them up."""
    if "customers" not in t:
        return []
    c = t["customers"]
    ids, registered = _ints(c, "customer_id"), _ints(c, "registered_at")
    out = []
    if "orders" in t:
        o = t["orders"]
        row = _lookup(_ints(o, "customer_id"), ids)
        known = row >= 0
        early = int((registered[row[known]] >= _ints(o, "placed_at")[known]).sum())
        out.append(_result("customers: registered before each order", early, "order rows", int(known.sum())))
    if "sessions" in t:
        s = t["sessions"]
        row = _lookup(_ints(s, "customer_id"), ids)
        known = row >= 0
        reg = registered[row[known]]
        start, end = _ints(s, "started_at")[known], _ints(s, "ended_at")[known]
        signup = _flag(s.column("signed_up"))[known]
        bad = np.where(signup, (reg < start) | (reg > end), reg >= start)
        out.append(
            _result(
                "customers: registered before each session, or during their sign-up session",
                int(bad.sum()),
                "signed-in sessions",
                int(known.sum()),
            )
        )
        if "clickstream" in t:
            out.append(_sign_ups(s, t["clickstream"], ids, registered))
    return out


def _sign_ups(s: pa.Table, k: pa.Table, ids: I64, registered: I64) -> RuleResult:
    """A sign-up session is anonymous until its sign_up event, then carries the new customer, registered then."""
    s_code, k_code = _codes(s.column("session_id"), k.column("session_id"))
    signup = _flag(s.column("signed_up"))
    row = _lookup(k_code, s_code)
    inside = (row >= 0) & signup[np.maximum(row, 0)]
    ts, customer = _ints(k, "event_ts"), _ints(k, "customer_id")
    is_signup = _flag(pc.equal(k.column("event_type"), "sign_up"))
    moment = np.full(s.num_rows, np.iinfo(np.int64).max)
    np.minimum.at(moment, row[inside & is_signup], ts[inside & is_signup])
    session_customer = _ints(s, "customer_id")[np.maximum(row, 0)]
    after = ts >= moment[np.maximum(row, 0)]
    bad_clicks = int((inside & np.where(after, customer != session_customer, customer != -1)).sum())
    events = np.bincount(row[inside & is_signup], minlength=s.num_rows)
    reg_row = _lookup(_ints(s, "customer_id"), ids)
    exact = (events == 1) & (reg_row >= 0)
    exact &= registered[np.maximum(reg_row, 0)] == np.where(events == 1, moment, -1)
    bad_sessions = int((signup & ~exact).sum())
    return RuleResult(
        "sign-up sessions: anonymous until sign_up, then the new customer, registered at that event",
        bad_clicks == 0 and bad_sessions == 0,
        f"{bad_clicks} clicks with the wrong customer, {bad_sessions} of {int(signup.sum())} sign-up sessions "
        "without exactly one sign_up at registered_at",
    )


# ---- sessions and their clicks -------------------------------------------------------------------------


def sessions(t: Tables) -> list[RuleResult]:
    out = []
    if "sessions" in t:
        s = t["sessions"]
        n = s.num_rows
        start, end, events = _ints(s, "started_at"), _ints(s, "ended_at"), _ints(s, "events")
        bounce = _flag(s.column("is_bounce"))
        converted = _flag(s.column("converted"))
        has_order = ~_flag(s.column("order_id").is_null())
        cross = (end < start) | (start // MICROS_PER_DAY != end // MICROS_PER_DAY)
        out += [
            _result("sessions: is_bounce ⇔ events = 1", int((bounce != (events == 1)).sum()), "sessions", n),
            _result("sessions: start ≤ end on the same day", int(cross.sum()), "sessions", n),
            _result("sessions: converted ⇔ order_id set", int((converted != has_order).sum()), "sessions", n),
        ]
    if "clickstream" in t:
        out += _clicks(t["clickstream"], t.get("sessions"))
    return out


def _clicks(k: pa.Table, s: pa.Table | None) -> list[RuleResult]:
    m = k.num_rows
    ts, position = _ints(k, "event_ts"), _ints(k, "position")
    purchase = _flag(pc.equal(k.column("event_type"), "purchase"))
    anonymous = _flag(k.column("customer_id").is_null())
    if s is None:
        (code,) = _codes(k.column("session_id"))
    else:
        s_code, code = _codes(s.column("session_id"), k.column("session_id"))
    order = np.lexsort((position, ts, code))
    sc = code[order]
    first = np.r_[True, sc[1:] != sc[:-1]]
    starts = np.flatnonzero(first)
    rank = np.arange(m) - np.repeat(starts, np.diff(np.r_[starts, m]))
    gaps = int((position[order] != rank + 1).sum())
    out = [
        _result("clickstream: positions 1..n in event_ts order", gaps, "clicks", m),
        _result("clickstream: anonymous clicks never purchase", int((purchase & anonymous).sum()), "clicks", m),
    ]
    if s is None:
        return out
    row = _lookup(code, s_code)
    known = row >= 0
    r = np.maximum(row, 0)
    outside = ~known | (ts < _ints(s, "started_at")[r]) | (ts > _ints(s, "ended_at")[r])
    out.append(
        _result("clickstream: each click inside its session's [started_at, ended_at]", int(outside.sum()), "clicks", m)
    )
    n = s.num_rows
    counted = np.bincount(row[known], minlength=n)
    views = _flag(pc.is_in(k.column("event_type"), value_set=pa.array(["page_view", "product_view"])))
    viewed = np.bincount(row[known & views], minlength=n)
    wrong = (counted != _ints(s, "events")) | (viewed != _ints(s, "page_views"))
    out.append(_result("sessions: events and page_views = their clicks", int(wrong.sum()), "sessions", n))
    # a session's order is its purchase click's; checked for sessions whose day of clicks is at hand
    present = np.isin(_ints(s, "started_at") // MICROS_PER_DAY, _days(ts))
    s_order, k_order = _codes(s.column("order_id"), k.column("order_id"))
    bought = np.full(n, -1)
    bought[row[known & purchase]] = k_order[known & purchase]
    buys = np.bincount(row[known & purchase], minlength=n)
    mismatch = present & ((buys > 1) | (bought != s_order))
    out.append(
        _result("sessions: order_id = the purchase click's", int(mismatch.sum()), "sessions", int(present.sum()))
    )
    return out


def purchases(t: Tables) -> list[RuleResult]:
    """Each order is placed by a purchase click: same order id, session and moment (both ways, days at hand)."""
    if "orders" not in t or "clickstream" not in t:
        return []
    o, k = t["orders"], t["clickstream"]
    placed = o.filter(pc.equal(o.column("status"), "placed"))
    buys = k.filter(pc.equal(k.column("event_type"), "purchase"))
    o_id, k_id, o_sess, k_sess = _codes(
        placed.column("order_id"), buys.column("order_id"), placed.column("session_id"), buys.column("session_id")
    )
    o_ts, k_ts = _ints(placed, "placed_at"), _ints(buys, "event_ts")
    at_hand = np.isin(o_ts // MICROS_PER_DAY, _days(_ints(k, "event_ts")))
    row = _lookup(o_id, k_id)
    r = np.maximum(row, 0)
    unmatched = at_hand & ((row < 0) | (k_sess[r] != o_sess) | (k_ts[r] != o_ts))
    back = _lookup(k_id, o_id)
    orphan = np.isin(k_ts // MICROS_PER_DAY, _days(_ints(o, "event_ts"))) & (back < 0)
    return [
        _result(
            "orders: each placed order has its purchase click (same session and time)",
            int(unmatched.sum()),
            "placed orders",
            int(at_hand.sum()),
        ),
        _result("clickstream: each purchase click has its placed order", int(orphan.sum()), "purchases", buys.num_rows),
    ]


# ---- orders, their lines and statuses ------------------------------------------------------------------


def amounts(t: Tables) -> list[RuleResult]:
    out = []
    if "order_items" in t:
        i = t["order_items"]
        gross = _ints(i, "quantity") * _units(i, "unit_price")
        bad = int((gross - _units(i, "discount") != _units(i, "line_total")).sum())
        out.append(_result("order_items: line_total = quantity × unit_price − discount", bad, "lines", i.num_rows))
    if "orders" not in t:
        return out
    o = t["orders"]
    n = o.num_rows
    subtotal, discount, fee, tax, total = (
        _units(o, c) for c in ("subtotal", "discount", "shipping_fee", "tax", "total")
    )
    out.append(
        _result(
            "orders: total = subtotal − discount + shipping_fee + tax",
            int((subtotal - discount + fee + tax != total).sum()),
            "order rows",
            n,
        )
    )
    (code,) = _codes(o.column("order_id"))
    same = [subtotal, discount, fee, tax, total, _ints(o, "placed_at"), _ints(o, "customer_id"), _ints(o, "item_count")]
    same += _codes(o.column("session_id"))
    order = np.argsort(code, kind="stable")
    follows = code[order][1:] == code[order][:-1]
    differ = np.zeros(follows.size, bool)
    for values in same:
        differ |= values[order][1:] != values[order][:-1]
    out.append(
        _result(
            "orders: every status row of an order carries the same amounts",
            int((follows & differ).sum()),
            "consecutive rows",
            int(follows.sum()),
        )
    )
    if "order_items" in t:
        i = t["order_items"]
        placed = _statuses(o) == PLACED
        o_code, i_code = _codes(o.column("order_id").filter(placed), i.column("order_id"))
        row = _lookup(i_code, o_code)
        known = row >= 0
        qty = _ints(i, "quantity")
        sums = [
            np.bincount(row[known], weights=w[known], minlength=o_code.size).astype(np.int64)
            for w in (qty * _units(i, "unit_price"), _units(i, "discount"), qty)
        ]
        lines = np.bincount(row[known], minlength=o_code.size) > 0
        want = [subtotal[placed], discount[placed], _ints(o, "item_count")[placed]]
        bad = int((lines & ((sums[0] != want[0]) | (sums[1] != want[1]) | (sums[2] != want[2]))).sum())
        out.append(
            _result(
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
    (code,) = _codes(o.column("order_id"))
    status, ts = _statuses(o), _ints(o, "event_ts")
    order = np.lexsort((status, ts, code))
    c, s = code[order], status[order]
    follows = c[1:] == c[:-1]
    steps = s[:-1] * 8 + s[1:]
    allowed = np.isin(steps, [a * 8 + b for a, b in NEXT_STATUS])
    wrong_step = int((follows & ~allowed).sum())
    # the first row seen of an order is `placed` (at placed_at) unless the order was placed before these days
    first = np.r_[True, ~follows]
    placed_at = _ints(o, "placed_at")[order]
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
        _result(
            "orders: statuses follow placed → paid → shipped → delivered → returned or → cancelled",
            wrong_step + int(wrong_first.sum()) + int((status < 0).sum()),
            "status rows",
            o.num_rows,
        ),
        _result("orders: no status twice", int((twice > 1).sum()), "orders", n_orders),
        _result("orders: never cancelled once shipped", late, "orders", n_orders),
    ]


# ---- stock and reviews ------------------------------------------------------------------------------


def _per_status(o: pa.Table, wanted: int) -> tuple[pa.ChunkedArray, I64, I64]:
    rows = o.filter(pa.array(_statuses(o) == wanted))
    return rows.column("order_id"), _ints(rows, "event_ts"), _ints(rows, "warehouse_id")


def inventory(t: Tables) -> list[RuleResult]:
    if "inventory" not in t:
        return []
    v = t["inventory"]
    m = v.num_rows
    after, qty, ts = _ints(v, "stock_after"), _ints(v, "quantity"), _ints(v, "event_ts")
    cell = _ints(v, "warehouse_id") * (1 << 32) + _ints(v, "product_id")
    order = np.lexsort((np.arange(m), ts, cell))
    c, h, d = cell[order], after[order], qty[order]
    same = c[1:] == c[:-1]
    broken = int((h[1:][same] != h[:-1][same] + d[1:][same]).sum())
    kind = np.asarray(v.column("movement_type").to_numpy(zero_copy_only=False))
    has_order = ~_flag(v.column("order_id").is_null())
    shape_ok = np.zeros(m, bool)
    for name, (sign, with_order) in MOVEMENT_SHAPE.items():
        shape_ok |= (kind == name) & (np.sign(qty) == sign) & (has_order == with_order)
    out = [
        _result("inventory: stock_after ≥ 0", int((after < 0).sum()), "movements", m),
        _result("inventory: stock_after = previous stock_after + quantity", broken, "movements", m),
        _result(
            "inventory: shipments out with an order, returns and restocks in", int((~shape_ok).sum()), "movements", m
        ),
    ]
    if "orders" in t:
        o = t["orders"]
        days = _days(_ints(o, "event_ts"))
        moves = _days(ts)
        for movement, status in (("shipment", SHIPPED), ("return", RETURNED)):
            ids, when, warehouse = _per_status(o, status)
            rows = v.filter(pc.equal(v.column("movement_type"), movement))
            s_code, m_code = _codes(ids, rows.column("order_id"))
            m_ts = _ints(rows, "event_ts")
            row = _lookup(m_code, s_code)
            r = np.maximum(row, 0)
            at_hand = np.isin(m_ts // MICROS_PER_DAY, days)
            bad = at_hand & ((row < 0) | (when[r] != m_ts) | (warehouse[r] != _ints(rows, "warehouse_id")))
            units = np.bincount(row[row >= 0], weights=np.abs(_ints(rows, "quantity"))[row >= 0], minlength=s_code.size)
            count_row = o.filter(pa.array(_statuses(o) == status))
            short = np.isin(when // MICROS_PER_DAY, moves) & (units.astype(np.int64) != _ints(count_row, "item_count"))
            label = "shipped" if status == SHIPPED else "returned"
            out.append(
                _result(
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
    rating = _ints(r, "rating")
    out = [_result("reviews: rating 1..5", int(((rating < 1) | (rating > 5)).sum()), "reviews", n)]
    if "orders" in t:
        o = t["orders"]
        r_code, o_code = _codes(r.column("order_id"), o.column("order_id"))
        row = _lookup(r_code, o_code)  # any row of the order: they all carry its customer
        known = row >= 0
        stranger = known & (_ints(o, "customer_id")[np.maximum(row, 0)] != _ints(r, "customer_id"))
        out.append(
            _result(
                "reviews: by the order's customer", int(stranger.sum()), "reviews of known orders", int(known.sum())
            )
        )
        ids, delivered, _ = _per_status(o, DELIVERED)
        d_code, r_code2 = _codes(ids, r.column("order_id"))
        drow = _lookup(r_code2, d_code)
        early = (drow >= 0) & (delivered[np.maximum(drow, 0)] >= _ints(r, "event_ts"))
        out.append(_result("reviews: after the order's delivery", int(early.sum()), "reviews", n))
    if "order_items" in t:
        i = t["order_items"]
        r_code, i_code = _codes(r.column("order_id"), i.column("order_id"))
        line_key = i_code * (1 << 32) + _ints(i, "product_id")
        has_items = np.isin(r_code, i_code)
        on_line = np.isin(r_code * (1 << 32) + _ints(r, "product_id"), line_key)
        out.append(
            _result(
                "reviews: the product is a line of the order",
                int((has_items & ~on_line).sum()),
                "reviews of orders with lines",
                int(has_items.sum()),
            )
        )
    return out


def labels(t: Tables) -> list[RuleResult]:
    if "session_labels" not in t:
        return []
    lab = t["session_labels"]
    is_bot = _flag(lab.column("is_bot"))
    out = []
    if "sessions" in t:
        s_code, l_code = _codes(t["sessions"].column("session_id"), lab.column("session_id"))
        per = np.bincount(l_code, minlength=int(max(s_code.max(initial=-1), l_code.max(initial=-1))) + 1)
        bad = int((per[s_code] != 1).sum()) + int((~np.isin(l_code, s_code)).sum())
        out.append(_result("session_labels: one label per session", bad, "sessions", s_code.size))
    else:
        (l_code,) = _codes(lab.column("session_id"))
        dup = int((np.bincount(l_code) > 1).sum()) if l_code.size else 0
        out.append(_result("session_labels: one label per session", dup, "sessions", lab.num_rows))
    if "clickstream" in t:
        k = t["clickstream"]
        cart = k.filter(
            pc.is_in(k.column("event_type"), value_set=pa.array(["add_to_cart", "purchase", "begin_checkout"]))
        )
        bots = lab.column("session_id").filter(pa.array(is_bot))
        touched = int(pc.sum(pc.is_in(cart.column("session_id"), value_set=bots.combine_chunks())).as_py() or 0)
        out.append(
            _result("session_labels: bots never add to cart", touched, "cart and checkout clicks", cart.num_rows)
        )
    return out


CHECKS: Sequence[Callable[[Tables], list[RuleResult]]] = (
    products,
    customers,
    sessions,
    purchases,
    amounts,
    statuses,
    inventory,
    reviews,
    labels,
)


def check_all(tables: Tables) -> list[RuleResult]:
    """Every e-commerce rule whose tables are present."""
    return [result for check in CHECKS for result in check(tables)]
