"""Business rules of the e-commerce domain as executable checks over generated tables.

``emitter validate`` runs these on backfill output and the tests run them on fresh batches. Each check sees
whole tables (reference tables plus any number of consecutive days of events) and skips what needs a table
that is absent. Rows that refer to something outside the tables at hand (an order placed before the first
day, a session of a day not loaded) are left to the declared foreign keys or skipped, never counted as breaches.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from emitter.core.clock import MICROS_PER_DAY
from emitter.scenarios.ecommerce.order_rules import amounts, inventory, reviews, statuses
from emitter.scenarios.ecommerce.rule_columns import I64, Tables, attributes_bad, days_of, flag
from emitter.scenarios.ecommerce.vocabulary import DEPARTMENTS
from emitter.scenarios.rules import RuleResult, at_rows, codes, counted, decimal_units, ints, lookup


def products(t: Tables) -> list[RuleResult]:
    if "products" not in t:
        return []
    p = t["products"]
    n = p.num_rows
    price, cost = decimal_units(p, "price"), decimal_units(p, "cost")
    allowed = pa.array([f"{d.name}\x1f{b}" for d in DEPARTMENTS for b in d.brands])
    pair = pc.binary_join_element_wise(p.column("category"), p.column("brand"), "\x1f")
    misfit = n - int(pc.sum(pc.is_in(pair, value_set=allowed)).as_py() or 0)
    return [
        counted("products: 0 < cost < price", int(((cost <= 0) | (price <= cost)).sum()), "products", n),
        counted(
            "products: attributes are JSON with colour and material",
            attributes_bad(p.column("attributes")),
            "products",
            n,
        ),
        counted("products: brand fits the category", misfit, "products", n),
    ]


def customers(t: Tables) -> list[RuleResult]:
    """A customer exists before buying or visiting, unless the visit is the one that signs them up."""
    if "customers" not in t:
        return []
    c = t["customers"]
    ids, registered = ints(c, "customer_id"), ints(c, "registered_at")
    out = []
    if "orders" in t:
        o = t["orders"]
        row = lookup(ints(o, "customer_id"), ids)
        known = row >= 0
        early = int((registered[row[known]] >= ints(o, "placed_at")[known]).sum())
        out.append(counted("customers: registered before each order", early, "order rows", int(known.sum())))
    if "sessions" in t:
        s = t["sessions"]
        row = lookup(ints(s, "customer_id"), ids)
        known = row >= 0
        reg = registered[row[known]]
        start, end = ints(s, "started_at")[known], ints(s, "ended_at")[known]
        signup = flag(s.column("signed_up"))[known]
        bad = np.where(signup, (reg < start) | (reg > end), reg >= start)
        out.append(
            counted(
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
    s_code, k_code = codes(s.column("session_id"), k.column("session_id"))
    signup = flag(s.column("signed_up"))
    row = lookup(k_code, s_code)
    inside = at_rows(signup, row, False)
    ts, customer = ints(k, "event_ts"), ints(k, "customer_id")
    is_signup = flag(pc.equal(k.column("event_type"), "sign_up"))
    moment = np.full(s.num_rows, np.iinfo(np.int64).max)
    np.minimum.at(moment, row[inside & is_signup], ts[inside & is_signup])
    session_customer = at_rows(ints(s, "customer_id"), row, -1)
    after = ts >= at_rows(moment, row, -1)
    bad_clicks = int((inside & np.where(after, customer != session_customer, customer != -1)).sum())
    events = np.bincount(row[inside & is_signup], minlength=s.num_rows)
    reg_row = lookup(ints(s, "customer_id"), ids)
    exact = (events == 1) & (reg_row >= 0)
    exact &= at_rows(registered, reg_row, -1) == np.where(events == 1, moment, -1)
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
        start, end, events = ints(s, "started_at"), ints(s, "ended_at"), ints(s, "events")
        bounce = flag(s.column("is_bounce"))
        converted = flag(s.column("converted"))
        has_order = ~flag(s.column("order_id").is_null())
        cross = (end < start) | (start // MICROS_PER_DAY != end // MICROS_PER_DAY)
        out += [
            counted("sessions: is_bounce ⇔ events = 1", int((bounce != (events == 1)).sum()), "sessions", n),
            counted("sessions: start ≤ end on the same day", int(cross.sum()), "sessions", n),
            counted("sessions: converted ⇔ order_id set", int((converted != has_order).sum()), "sessions", n),
        ]
    if "clickstream" in t:
        out += _clicks(t["clickstream"], t.get("sessions"))
    return out


def _clicks(k: pa.Table, s: pa.Table | None) -> list[RuleResult]:
    m = k.num_rows
    ts, position = ints(k, "event_ts"), ints(k, "position")
    purchase = flag(pc.equal(k.column("event_type"), "purchase"))
    anonymous = flag(k.column("customer_id").is_null())
    if s is None:
        (code,) = codes(k.column("session_id"))
    else:
        s_code, code = codes(s.column("session_id"), k.column("session_id"))
    order = np.lexsort((position, ts, code))
    sc = code[order]
    first = np.r_[True, sc[1:] != sc[:-1]]
    starts = np.flatnonzero(first)
    rank = np.arange(m) - np.repeat(starts, np.diff(np.r_[starts, m]))
    gaps = int((position[order] != rank + 1).sum())
    out = [
        counted("clickstream: positions 1..n in event_ts order", gaps, "clicks", m),
        counted("clickstream: anonymous clicks never purchase", int((purchase & anonymous).sum()), "clicks", m),
    ]
    if s is None:
        return out
    row = lookup(code, s_code)
    known = row >= 0
    outside = ~known | (ts < at_rows(ints(s, "started_at"), row, -1)) | (ts > at_rows(ints(s, "ended_at"), row, -1))
    out.append(
        counted("clickstream: each click inside its session's [started_at, ended_at]", int(outside.sum()), "clicks", m)
    )
    n = s.num_rows
    clicks = np.bincount(row[known], minlength=n)
    views = flag(pc.is_in(k.column("event_type"), value_set=pa.array(["page_view", "product_view"])))
    viewed = np.bincount(row[known & views], minlength=n)
    wrong = (clicks != ints(s, "events")) | (viewed != ints(s, "page_views"))
    out.append(counted("sessions: events and page_views = their clicks", int(wrong.sum()), "sessions", n))
    # a session's order is its purchase click's; checked for sessions whose day of clicks is at hand
    present = np.isin(ints(s, "started_at") // MICROS_PER_DAY, days_of(ts))
    s_order, k_order = codes(s.column("order_id"), k.column("order_id"))
    bought = np.full(n, -1)
    bought[row[known & purchase]] = k_order[known & purchase]
    buys = np.bincount(row[known & purchase], minlength=n)
    mismatch = present & ((buys > 1) | (bought != s_order))
    out.append(
        counted("sessions: order_id = the purchase click's", int(mismatch.sum()), "sessions", int(present.sum()))
    )
    return out


def purchases(t: Tables) -> list[RuleResult]:
    """Each order is placed by a purchase click: same order id, session and moment (both ways, days at hand)."""
    if "orders" not in t or "clickstream" not in t:
        return []
    o, k = t["orders"], t["clickstream"]
    placed = o.filter(pc.equal(o.column("status"), "placed"))
    buys = k.filter(pc.equal(k.column("event_type"), "purchase"))
    o_id, k_id, o_sess, k_sess = codes(
        placed.column("order_id"), buys.column("order_id"), placed.column("session_id"), buys.column("session_id")
    )
    o_ts, k_ts = ints(placed, "placed_at"), ints(buys, "event_ts")
    at_hand = np.isin(o_ts // MICROS_PER_DAY, days_of(ints(k, "event_ts")))
    row = lookup(o_id, k_id)
    unmatched = at_hand & ((row < 0) | (at_rows(k_sess, row, -1) != o_sess) | (at_rows(k_ts, row, -1) != o_ts))
    back = lookup(k_id, o_id)
    orphan = np.isin(k_ts // MICROS_PER_DAY, days_of(ints(o, "event_ts"))) & (back < 0)
    return [
        counted(
            "orders: each placed order has its purchase click (same session and time)",
            int(unmatched.sum()),
            "placed orders",
            int(at_hand.sum()),
        ),
        counted("clickstream: each purchase click has its placed order", int(orphan.sum()), "purchases", buys.num_rows),
    ]


# ---- orders, their lines and statuses ------------------------------------------------------------------


def labels(t: Tables) -> list[RuleResult]:
    if "session_labels" not in t:
        return []
    lab = t["session_labels"]
    is_bot = flag(lab.column("is_bot"))
    out = []
    if "sessions" in t:
        s_code, l_code = codes(t["sessions"].column("session_id"), lab.column("session_id"))
        per = np.bincount(l_code, minlength=int(max(s_code.max(initial=-1), l_code.max(initial=-1))) + 1)
        bad = int((per[s_code] != 1).sum()) + int((~np.isin(l_code, s_code)).sum())
        out.append(counted("session_labels: one label per session", bad, "sessions", s_code.size))
    else:
        (l_code,) = codes(lab.column("session_id"))
        dup = int((np.bincount(l_code) > 1).sum()) if l_code.size else 0
        out.append(counted("session_labels: one label per session", dup, "sessions", lab.num_rows))
    if "clickstream" in t:
        k = t["clickstream"]
        cart = k.filter(
            pc.is_in(k.column("event_type"), value_set=pa.array(["add_to_cart", "purchase", "begin_checkout"]))
        )
        bots = lab.column("session_id").filter(pa.array(is_bot))
        touched = int(pc.sum(pc.is_in(cart.column("session_id"), value_set=bots.combine_chunks())).as_py() or 0)
        out.append(
            counted("session_labels: bots never add to cart", touched, "cart and checkout clicks", cart.num_rows)
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
