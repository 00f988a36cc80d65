"""Every rule (declared foreign keys and rules.check_all) holds on generated data, and each notices a breach."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from emitter.scenarios.ecommerce import rules
from emitter.scenarios.rules import check_foreign_keys

from .ecommerce_data import BLACK_FRIDAY, CATALOG, CYBER_MONDAY, SALE_WEEKS, ints, strings

WEEK = timedelta(days=7)

DECLARED_KEYS = sum(len(t.foreign_keys) for t in CATALOG.tables)
RULE_FAMILIES = (
    "products: 0 < cost < price",
    "products: attributes",
    "products: brand fits",
    "customers: registered before each order",
    "customers: registered before each session",
    "sign-up sessions",
    "sessions: is_bounce",
    "sessions: start ≤ end on the same day",
    "sessions: converted",
    "clickstream: positions",
    "clickstream: anonymous clicks never purchase",
    "clickstream: each click inside its session",
    "sessions: events and page_views",
    "orders: each placed order has its purchase click",
    "order_items: line_total",
    "orders: total",
    "orders: every status row",
    "orders: subtotal, discount and item_count",
    "orders: statuses follow",
    "orders: no status twice",
    "orders: never cancelled once shipped",
    "inventory: stock_after ≥ 0",
    "inventory: stock_after = previous",
    "inventory: shipments out",
    "inventory: each shipment matches",
    "inventory: each return matches",
    "reviews: rating 1..5",
    "reviews: by the order's customer",
    "reviews: after the order's delivery",
    "reviews: the product is a line of the order",
    "session_labels: one label per session",
    "session_labels: bots never add to cart",
)


def test_every_rule_holds_around_black_friday(shop, sale_weeks) -> None:
    results = shop.scenario.rules(sale_weeks)
    failed = [r for r in results if not r.ok]
    assert not failed, "\n".join(f"{r.rule}: {r.detail}" for r in failed)
    names = " | ".join(r.rule for r in results)
    for family in RULE_FAMILIES:
        assert family in names, family
    assert len(results) >= DECLARED_KEYS + len(RULE_FAMILIES)


def test_every_rule_holds_on_ordinary_weeks(shop, march) -> None:
    failed = [r for r in shop.scenario.rules(march) if not r.ok]
    assert not failed, "\n".join(f"{r.rule}: {r.detail}" for r in failed)


def test_the_domain_checks_hold_no_foreign_keys(shop, sale_weeks) -> None:
    own = shop.scenario.check(sale_weeks)
    assert not any(r.rule.startswith("fk ") for r in own)
    assert len(shop.scenario.rules(sale_weeks)) == DECLARED_KEYS + len(own)


@pytest.mark.parametrize("table", [t.id for t in CATALOG.tables])
def test_rules_skip_what_is_absent(t, table) -> None:
    """Without one table the others' checks still run and hold; a lone table is checked on its own."""
    without = {k: v for k, v in t.items() if k != table}
    assert all(r.ok for r in rules.check_all(without))
    assert all(r.ok for r in rules.check_all({table: t[table]}))


def test_a_single_day_holds(shop) -> None:
    """Orders placed before the first day and clicks of days not loaded are not breaches."""
    day = shop.days(CYBER_MONDAY, 1)[CYBER_MONDAY]
    failed = [r for r in rules.check_all({**shop.reference, **day}) if not r.ok]
    assert not failed, failed


# ---- the checks can fail: break one thing at a time ---------------------------------------------------


def broken(tables: dict[str, pa.Table], name: str, column: str, row: int, value: object) -> dict[str, pa.Table]:
    t = tables[name]
    idx = t.schema.get_field_index(column)
    field = t.schema.field(idx)
    mask = np.zeros(t.num_rows, bool)
    mask[row] = True
    changed = pc.if_else(pa.array(mask), pa.scalar(value, field.type), t.column(column))
    return {**tables, name: t.set_column(idx, field, changed)}


def failing(tables: dict[str, pa.Table]) -> set[str]:
    return {r.rule for r in [*check_foreign_keys(CATALOG, tables), *rules.check_all(tables)] if not r.ok}


def named(part: str) -> str:
    """The full name of the one rule whose name contains ``part``."""
    (rule,) = [f for f in RULE_NAMES if part in f]
    return rule


RULE_NAMES: list[str] = []


@pytest.fixture(scope="module")
def t(shop, sale_weeks) -> dict[str, pa.Table]:
    """Black Friday to the Thursday after (a week of the sale weeks, a quick one to check again and again)."""
    RULE_NAMES[:] = [r.rule for r in rules.check_all(sale_weeks)]
    week = [tables for day, tables in shop.days(*SALE_WEEKS).items() if BLACK_FRIDAY <= day < BLACK_FRIDAY + WEEK]
    tables = {**shop.reference, **{n: pa.concat_tables([d[n] for d in week]) for n in week[0]}}
    assert not failing(tables)
    return tables


def first(mask: np.ndarray) -> int:
    hits = np.flatnonzero(mask)
    assert hits.size, "no row to break"
    return int(hits[0])


def value(t: dict[str, pa.Table], name: str, column: str, row: int) -> object:
    return t[name].column(column)[row].as_py()


def row_of(table: pa.Table, column: str, wanted: object) -> int:
    return first(strings(table, column) == wanted)


def test_cost_above_price_is_caught(t) -> None:
    price = value(t, "products", "price", 0)
    assert failing(broken(t, "products", "cost", 0, price + Decimal("0.01"))) == {named("0 < cost < price")}


@pytest.mark.parametrize("attributes", ['{"colour": "red"}', "[1, 2]", "not json", '{"material": "oak"}'])
def test_bad_attributes_are_caught(t, attributes) -> None:
    assert failing(broken(t, "products", "attributes", 3, attributes)) == {named("attributes")}


def test_a_brand_of_another_department_is_caught(t) -> None:
    row = row_of(t["products"], "category", "Apparel")
    assert failing(broken(t, "products", "brand", row, "Voltix")) == {named("brand fits")}


def test_an_order_before_registration_is_caught(t) -> None:
    customer, placed = value(t, "orders", "customer_id", 0), value(t, "orders", "placed_at", 0)
    row = first(ints(t["customers"], "customer_id") == customer)
    assert named("registered before each order") in failing(
        broken(t, "customers", "registered_at", row, placed + timedelta(seconds=1))
    )


def test_a_visit_before_registration_is_caught(t) -> None:
    s = t["sessions"]
    row = first((ints(s, "customer_id") > 0) & ~np.asarray(s.column("signed_up").to_numpy(zero_copy_only=False)))
    customer, start = value(t, "sessions", "customer_id", row), value(t, "sessions", "started_at", row)
    c_row = first(ints(t["customers"], "customer_id") == customer)
    assert named("registered before each session") in failing(
        broken(t, "customers", "registered_at", c_row, start + timedelta(seconds=1))
    )


def test_a_sign_up_after_its_session_is_caught(t) -> None:
    s = t["sessions"]
    row = first(np.asarray(s.column("signed_up").to_numpy(zero_copy_only=False), dtype=bool))
    customer, end = value(t, "sessions", "customer_id", row), value(t, "sessions", "ended_at", row)
    c_row = first(ints(t["customers"], "customer_id") == customer)
    got = failing(broken(t, "customers", "registered_at", c_row, end + timedelta(hours=1)))
    assert {named("registered before each session"), named("sign-up sessions")} <= got


def test_a_signed_in_click_before_sign_up_is_caught(t) -> None:
    s, k = t["sessions"], t["clickstream"]
    signup_ids = s.filter(s.column("signed_up")).column("session_id").combine_chunks()
    in_signup = np.asarray(pc.is_in(k.column("session_id"), value_set=signup_ids).to_numpy(), dtype=bool)
    row = first(in_signup & (ints(k, "position") == 1))
    customer = int(ints(k, "customer_id")[first(in_signup & (strings(k, "event_type") == "sign_up"))])
    assert failing(broken(t, "clickstream", "customer_id", row, customer)) == {named("sign-up sessions")}


def test_a_wrong_bounce_flag_is_caught(t) -> None:
    flag = value(t, "sessions", "is_bounce", 0)
    assert failing(broken(t, "sessions", "is_bounce", 0, not flag)) == {named("is_bounce")}


def test_a_session_past_midnight_is_caught(t) -> None:
    start = value(t, "sessions", "started_at", 0)
    assert failing(broken(t, "sessions", "ended_at", 0, start + timedelta(days=1))) == {named("same day")}


def test_a_converted_session_without_order_is_caught(t) -> None:
    row = first(~np.asarray(t["sessions"].column("converted").to_numpy(zero_copy_only=False), dtype=bool))
    assert failing(broken(t, "sessions", "converted", row, True)) == {named("converted ⇔")}


def test_a_gap_in_positions_is_caught(t) -> None:
    assert failing(broken(t, "clickstream", "position", 5, 999)) == {named("positions")}


def test_an_anonymous_purchase_is_caught(t) -> None:
    k = t["clickstream"]
    s = t["sessions"]
    signup_ids = s.filter(s.column("signed_up")).column("session_id").combine_chunks()
    plain = ~np.asarray(pc.is_in(k.column("session_id"), value_set=signup_ids).to_numpy(), dtype=bool)
    row = first(plain & (strings(k, "event_type") == "purchase"))
    assert failing(broken(t, "clickstream", "customer_id", row, None)) == {named("anonymous clicks")}


def test_a_click_outside_its_session_is_caught(t) -> None:
    k = t["clickstream"]
    row = first(ints(k, "position") == 1)
    early = value(t, "clickstream", "event_ts", row) - timedelta(hours=1)
    assert named("inside its session") in failing(broken(t, "clickstream", "event_ts", row, early))


def test_a_miscounted_session_is_caught(t) -> None:
    row = first(ints(t["sessions"], "events") > 3)
    assert failing(broken(t, "sessions", "events", row, value(t, "sessions", "events", row) + 1)) == {
        named("events and page_views")
    }


def test_a_session_with_another_order_is_caught(t) -> None:
    converted = np.flatnonzero(np.asarray(t["sessions"].column("converted").to_numpy(zero_copy_only=False)))
    other = value(t, "sessions", "order_id", int(converted[1]))
    assert failing(broken(t, "sessions", "order_id", int(converted[0]), other)) == {named("the purchase click's")}


def test_an_order_placed_off_its_purchase_is_caught(t) -> None:
    k = t["clickstream"]
    row = first(strings(k, "event_type") == "purchase")
    late = value(t, "clickstream", "event_ts", row) - timedelta(microseconds=1)
    assert failing(broken(t, "clickstream", "event_ts", row, late)) == {named("each placed order has its purchase")}


def test_a_purchase_without_its_order_is_caught(t) -> None:
    o = t["orders"]
    placed = strings(o, "status") == "placed"
    keep = pa.array(~(placed & (np.cumsum(placed) == 1)))
    got = failing({**t, "orders": o.filter(keep)})
    # its purchase has no order, and its later statuses (inside the window) have no placement
    assert {named("each purchase click has its placed order"), named("statuses follow")} <= got


def test_a_wrong_line_total_is_caught(t) -> None:
    total = value(t, "order_items", "line_total", 2)
    assert failing(broken(t, "order_items", "line_total", 2, total + Decimal("0.01"))) == {named("line_total")}


def test_a_wrong_order_total_is_caught(t) -> None:
    total = value(t, "orders", "total", 4)
    got = failing(broken(t, "orders", "total", 4, total + Decimal("0.01")))
    assert named("orders: total") in got
    assert got <= {named("orders: total"), named("every status row")}


def test_a_status_row_with_other_amounts_is_caught(t) -> None:
    row = row_of(t["orders"], "status", "paid")
    tax, total = value(t, "orders", "tax", row), value(t, "orders", "total", row)
    changed = broken(broken(t, "orders", "tax", row, tax + 1), "orders", "total", row, total + 1)
    assert failing(changed) == {named("every status row")}


def test_lines_that_do_not_add_up_are_caught(t) -> None:
    price, total, qty = (value(t, "order_items", c, 0) for c in ("unit_price", "line_total", "quantity"))
    changed = broken(t, "order_items", "unit_price", 0, price + 1)
    changed = broken(changed, "order_items", "line_total", 0, total + qty)
    assert failing(changed) == {named("Σ of their lines")}


def _sequence(t: dict[str, pa.Table], statuses: tuple[str, ...]) -> np.ndarray:
    """Rows (in table order) of the first order whose status rows in the window are exactly ``statuses``."""
    o = t["orders"]
    ids, status = strings(o, "order_id"), strings(o, "status")
    seen: dict[str, list[int]] = {}
    for i, oid in enumerate(ids):
        seen.setdefault(oid, []).append(i)
    for rows in seen.values():
        if tuple(status[rows]) == statuses:
            return np.array(rows)
    raise AssertionError(f"no order with statuses {statuses}")


def test_a_skipped_status_is_caught(t) -> None:
    rows = _sequence(t, ("placed", "paid", "shipped", "delivered"))
    assert named("statuses follow") in failing(broken(t, "orders", "status", int(rows[1]), "delivered"))


def test_a_status_twice_is_caught(t) -> None:
    o = t["orders"]
    rows = _sequence(t, ("placed", "paid"))
    twice = pa.concat_tables([o, o.take([int(rows[1])])])
    assert named("no status twice") in failing({**t, "orders": twice})


def test_a_cancellation_after_shipping_is_caught(t) -> None:
    rows = _sequence(t, ("placed", "paid", "shipped", "delivered"))
    got = failing(broken(t, "orders", "status", int(rows[3]), "cancelled"))
    assert {named("never cancelled once shipped"), named("statuses follow")} <= got


def test_negative_stock_is_caught(t) -> None:
    got = failing(broken(t, "inventory", "stock_after", 10, -1))
    assert {named("stock_after ≥ 0"), named("stock_after = previous")} <= got


def test_a_break_in_the_running_stock_is_caught(t) -> None:
    v = t["inventory"]
    cell = ints(v, "warehouse_id") * 10_000 + ints(v, "product_id")
    _, first_of_cell = np.unique(cell, return_index=True)
    later = np.ones(v.num_rows, bool)
    later[first_of_cell] = False  # a cell's first movement in the window has no balance to follow
    row = first(later & (strings(v, "movement_type") == "restock"))
    assert failing(broken(t, "inventory", "quantity", row, value(t, "inventory", "quantity", row) + 1)) == {
        named("stock_after = previous")
    }


def test_a_shipment_without_order_is_caught(t) -> None:
    row = row_of(t["inventory"], "movement_type", "shipment")
    assert named("shipments out") in failing(broken(t, "inventory", "order_id", row, None))


@pytest.mark.parametrize("movement", ["shipment", "return"])
def test_a_movement_off_its_status_is_caught(t, movement) -> None:
    row = row_of(t["inventory"], "movement_type", movement)
    late = value(t, "inventory", "event_ts", row) + timedelta(seconds=1)
    assert named(f"each {movement} matches") in failing(broken(t, "inventory", "event_ts", row, late))


def test_a_six_star_review_is_caught(t) -> None:
    assert failing(broken(t, "reviews", "rating", 0, 6)) == {named("rating 1..5")}


def test_a_review_by_a_stranger_is_caught(t) -> None:
    r = t["reviews"]
    known = np.asarray(pc.is_in(r.column("order_id"), value_set=t["orders"].column("order_id").combine_chunks()))
    row = first(known)
    other = value(t, "reviews", "customer_id", row) % 2000 + 1
    assert failing(broken(t, "reviews", "customer_id", row, other)) == {named("by the order's customer")}


def test_a_review_before_delivery_is_caught(t) -> None:
    o, r = t["orders"], t["reviews"]
    delivered = o.filter(pc.equal(o.column("status"), "delivered"))
    row = first(np.asarray(pc.is_in(r.column("order_id"), value_set=delivered.column("order_id").combine_chunks())))
    when = delivered.column("event_ts")[row_of(delivered, "order_id", value(t, "reviews", "order_id", row))].as_py()
    assert failing(broken(t, "reviews", "event_ts", row, when - timedelta(hours=1))) == {named("after the order's")}


def test_a_review_of_a_product_not_bought_is_caught(t) -> None:
    r, items = t["reviews"], t["order_items"]
    row = first(np.asarray(pc.is_in(r.column("order_id"), value_set=items.column("order_id").combine_chunks())))
    bought = set(
        ints(
            items.filter(pc.equal(items.column("order_id"), value(t, "reviews", "order_id", row))), "product_id"
        ).tolist()
    )
    other = next(p for p in range(1, 401) if p not in bought)
    assert failing(broken(t, "reviews", "product_id", row, other)) == {named("a line of the order")}


def test_a_session_labelled_twice_is_caught(t) -> None:
    lab = t["session_labels"]
    assert failing({**t, "session_labels": pa.concat_tables([lab, lab.slice(7, 1)])}) == {named("one label")}


def test_an_unlabelled_session_is_caught(t) -> None:
    lab = t["session_labels"]
    assert failing({**t, "session_labels": lab.slice(1)}) == {named("one label")}


def test_a_bot_with_a_cart_is_caught(t) -> None:
    k, lab = t["clickstream"], t["session_labels"]
    session = value(t, "clickstream", "session_id", row_of(k, "event_type", "add_to_cart"))
    assert failing(broken(t, "session_labels", "is_bot", row_of(lab, "session_id", session), True)) == {
        named("bots never add to cart")
    }
