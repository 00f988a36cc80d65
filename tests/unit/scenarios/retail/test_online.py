"""Online orders: status life cycle, money and fulfilment, checked directly from the tables."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pyarrow as pa
import pytest

from emitter.core.holidays import black_friday, cyber_monday
from emitter.scenarios.retail.online import FREE_SHIPPING_CENTS, SHIPPING_FEE_CENTS

from .retail_data import THANKSGIVING_WEEK, RetailRun

HOME = ("CREATED", "PAID", "PICKED", "SHIPPED", "DELIVERED")
PICKUP = ("CREATED", "PAID", "PICKED", "SHIPPED", "READY_FOR_PICKUP", "PICKED_UP")
FIXED = (
    "customer_id",
    "channel",
    "fulfillment",
    "dc_id",
    "store_id",
    "item_count",
    "subtotal",
    "tax",
    "shipping_fee",
    "total",
    "tender_type",
)


@pytest.fixture(scope="module")
def week(retail: RetailRun) -> dict[str, pa.Table]:
    return retail.with_master(*THANKSGIVING_WEEK)


@pytest.fixture(scope="module")
def orders(week: dict[str, pa.Table]) -> dict[str, list[dict[str, object]]]:
    """Status rows per order id, in time order."""
    out: dict[str, list[dict[str, object]]] = defaultdict(list)
    for row in week["online_orders"].to_pylist():
        out[row["order_id"]].append(row)
    return out


def test_statuses_follow_the_life_cycle(orders: dict[str, list[dict[str, object]]]) -> None:
    start, _ = THANKSGIVING_WEEK
    whole = 0
    for oid, rows in orders.items():
        statuses = tuple(r["status"] for r in rows)
        times = [r["event_ts"] for r in rows]
        assert times == sorted(times), oid
        flow = PICKUP if rows[0]["fulfillment"] == "PICKUP_IN_STORE" else HOME
        # the window may cut the beginning or the end of a life cycle, never the middle
        first = flow.index(statuses[0])
        assert statuses == flow[first : first + len(statuses)], (oid, statuses)
        for field in FIXED:
            assert len({r[field] for r in rows}) == 1, (oid, field)
        created = rows[0]["event_ts"].date() if statuses[0] == "CREATED" else None
        if created is not None and created <= start + timedelta(days=1):
            assert statuses == flow, f"{oid} created on {created} should finish inside the window"
            whole += 1
    assert whole > 300


def test_money_and_fulfilment(week: dict[str, pa.Table], orders: dict[str, list[dict[str, object]]]) -> None:
    customers, stores, geos = week["customers"], week["stores"], week["geographies"]
    home = dict(
        zip(
            customers.column("customer_id").to_pylist(),
            customers.column("home_store_id").to_pylist(),
            strict=True,
        )
    )
    customer_geo = dict(
        zip(
            customers.column("customer_id").to_pylist(),
            customers.column("geography_id").to_pylist(),
            strict=True,
        )
    )
    store_geo = dict(zip(stores.column("store_id").to_pylist(), stores.column("geography_id").to_pylist(), strict=True))
    store_dc = dict(zip(stores.column("store_id").to_pylist(), stores.column("dc_id").to_pylist(), strict=True))
    rate = dict(zip(geos.column("geography_id").to_pylist(), geos.column("tax_rate").to_pylist(), strict=True))
    fee, free_from = Decimal(SHIPPING_FEE_CENTS).scaleb(-2), Decimal(FREE_SHIPPING_CENTS).scaleb(-2)
    pickups = 0
    for oid, rows in orders.items():
        o = rows[0]
        assert o["subtotal"] > 0 and o["item_count"] >= 1, oid
        assert o["total"] == o["subtotal"] + o["tax"] + o["shipping_fee"], oid
        assert o["dc_id"] == store_dc[home[o["customer_id"]]], f"{oid}: not the DC serving the customer's store"
        if o["fulfillment"] == "PICKUP_IN_STORE":
            pickups += 1
            assert o["store_id"] == home[o["customer_id"]], oid
            assert o["shipping_fee"] == 0, oid
            geo = store_geo[o["store_id"]]
        else:
            assert o["fulfillment"] == "SHIP_TO_HOME", oid
            assert o["store_id"] is None, oid
            assert o["shipping_fee"] == (0 if o["subtotal"] >= free_from else fee), oid
            geo = customer_geo[o["customer_id"]]  # tax where the parcel goes
        assert o["tax"] == (o["subtotal"] * rate[geo]).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP), oid
    assert pickups / len(orders) == pytest.approx(0.3, abs=0.04)


def test_pickup_share_follows_the_config(retail: RetailRun, orders: dict[str, list[dict[str, object]]]) -> None:
    pickup = sum(rows[0]["fulfillment"] == "PICKUP_IN_STORE" for rows in orders.values())
    assert pickup / len(orders) == pytest.approx(retail.settings.shares.pickup_in_store, abs=0.03)


def test_lines_add_up_to_the_order(week: dict[str, pa.Table], orders: dict[str, list[dict[str, object]]]) -> None:
    lines = week["online_order_lines"]
    subtotal: Counter[str] = Counter()
    items: Counter[str] = Counter()
    numbers: dict[str, list[int]] = defaultdict(list)
    created_at = {oid: rows[0]["event_ts"] for oid, rows in orders.items() if rows[0]["status"] == "CREATED"}
    for row in lines.to_pylist():
        assert row["ext_price"] == row["qty"] * row["unit_price"]
        assert row["event_ts"] == created_at[row["order_id"]], "lines are written when the order is created"
        subtotal[row["order_id"]] += int(row["ext_price"] * 100)
        items[row["order_id"]] += row["qty"]
        numbers[row["order_id"]].append(row["line"])
    assert set(subtotal) == set(created_at)
    for oid in created_at:
        o = orders[oid][0]
        assert subtotal[oid] == int(o["subtotal"] * 100) and items[oid] == o["item_count"], oid
        assert sorted(numbers[oid]) == list(range(1, len(numbers[oid]) + 1)), oid


def test_cyber_monday_is_the_busiest_online_day(retail: RetailRun) -> None:
    """Cyber Monday drives online volume: about 3x a plain November day."""
    created: dict[date, int] = {}
    for day, tables in retail.days(*THANKSGIVING_WEEK):
        created[day] = tables["online_orders"].column("status").to_pylist().count("CREATED")
    cm = cyber_monday(2024)
    assert max(created, key=created.__getitem__) == cm
    plain = [n for d, n in created.items() if d.month == 11 and d != black_friday(2024)]
    assert created[cm] / (sum(plain) / len(plain)) == pytest.approx(3.0, rel=0.2)
