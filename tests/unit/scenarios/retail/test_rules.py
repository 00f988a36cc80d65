"""Every rule (declared foreign keys and rules.check_all) passes on generated data, and each notices a breach."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from emitter.scenarios.retail import rules
from emitter.scenarios.rules import check_foreign_keys

from .retail_data import CATALOG, RULE_WINDOWS, RetailRun

DECLARED_KEYS = sum(len(t.foreign_keys) for t in CATALOG.tables)


@pytest.mark.parametrize("window", RULE_WINDOWS.values(), ids=RULE_WINDOWS.keys())
def test_every_rule_holds(retail: RetailRun, window: tuple[date, int]) -> None:
    results = retail.scenario.rules(retail.with_master(*window))
    failed = [r for r in results if not r.ok]
    assert not failed, "\n".join(f"{r.rule}: {r.detail}" for r in failed)
    # every check had the tables it needs, so every family of rules actually ran
    names = " | ".join(r.rule for r in results)
    for expected in (
        "fk ",
        "subtotal",
        "store stock never negative",
        "dc stock moves",
        "truck statuses",
        "foot traffic",
        "online total",
        "every delivery matches a truck trip",
    ):
        assert expected in names
    assert len(results) >= DECLARED_KEYS + 15


def test_every_declared_foreign_key_is_checked(retail: RetailRun) -> None:
    results = check_foreign_keys(CATALOG, retail.with_master(*RULE_WINDOWS["month_end"]))
    assert len(results) == DECLARED_KEYS
    assert all(r.ok for r in results), [r for r in results if not r.ok]
    assert "fk receipt_lines.receipt_id -> receipts.receipt_id" in {r.rule for r in results}


def test_the_domain_checks_hold_no_foreign_keys(retail: RetailRun) -> None:
    """check() is the domain's own rules; rules() adds the declared keys, so nothing is checked twice."""
    tables = retail.with_master(*RULE_WINDOWS["month_end"])
    assert not any(r.rule.startswith("fk ") for r in retail.scenario.check(tables))
    assert len(retail.scenario.rules(tables)) == DECLARED_KEYS + len(retail.scenario.check(tables))


# ---- the checks can fail: break one thing at a time ---------------------------------------------------


def broken(tables: dict[str, pa.Table], name: str, column: str, row: int, value: object) -> dict[str, pa.Table]:
    t = tables[name]
    values = t.column(column).to_pylist()
    values[row] = value
    idx = t.schema.get_field_index(column)
    return {
        **tables,
        name: t.set_column(idx, t.schema.field(idx), pa.array(values, type=t.schema.field(idx).type)),
    }


def failing(tables: dict[str, pa.Table]) -> set[str]:
    return {r.rule for r in [*check_foreign_keys(CATALOG, tables), *rules.check_all(tables)] if not r.ok}


@pytest.fixture(scope="module")
def month_end(retail: RetailRun) -> dict[str, pa.Table]:
    return retail.with_master(*RULE_WINDOWS["month_end"])


def test_a_wrong_total_is_caught(month_end: dict[str, pa.Table]) -> None:
    total = month_end["receipts"].column("total")[5].as_py()
    assert failing(broken(month_end, "receipts", "total", 5, total + Decimal("0.01"))) == {
        "receipts.total = subtotal + tax"
    }


def test_a_wrong_line_is_caught(month_end: dict[str, pa.Table]) -> None:
    ext = month_end["receipt_lines"].column("ext_price")[3].as_py()
    assert failing(broken(month_end, "receipt_lines", "ext_price", 3, ext + 1)) == {
        "receipt_lines.ext_price = qty × unit_price",
        "receipts.subtotal = Σ ext_price",
    }


def test_negative_and_inconsistent_stock_is_caught(month_end: dict[str, pa.Table]) -> None:
    assert failing(broken(month_end, "store_inventory_txn", "on_hand_after", 10, -1)) >= {
        "store stock never negative",
        "store stock moves by qty_delta",
    }


def test_an_unknown_customer_is_caught(month_end: dict[str, pa.Table]) -> None:
    assert failing(broken(month_end, "receipts", "customer_id", 0, 10**8)) == {
        "fk receipts.customer_id -> customers.customer_id"
    }


def test_a_delivery_without_a_truck_is_caught(month_end: dict[str, pa.Table]) -> None:
    s = month_end["store_inventory_txn"]
    row = pc.index(s.column("reason"), "INBOUND_SHIPMENT").as_py()
    assert "every delivery matches a truck trip" in failing(
        broken(month_end, "store_inventory_txn", "source", row, "SHP2099010100001")
    )


def test_trucks_going_back_in_time_are_caught(month_end: dict[str, pa.Table]) -> None:
    tm = month_end["truck_moves"]
    completed = max(i for i, s in enumerate(tm.column("status").to_pylist()) if s == "COMPLETED")  # a whole trip
    # an hour before the planned arrival: after the trip was scheduled, before the truck arrived
    early = tm.column("eta")[completed].as_py() - timedelta(hours=1)
    assert failing(broken(month_end, "truck_moves", "event_ts", completed, early)) == {
        "truck statuses progress in time; eta < etd"
    }


def test_more_buyers_than_shoppers_is_caught(month_end: dict[str, pa.Table]) -> None:
    ble = month_end["ble_pings"]
    keep = pc.not_equal(ble.column("store_id"), month_end["receipts"].column("store_id")[0])
    thinned = {**month_end, "ble_pings": ble.filter(keep)}
    assert failing(thinned) == {"BLE customers ≥ buyers per store-hour"}
