"""Store and DC stock, checked directly from the transaction tables (not through rules.py)."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pytest

from .readers import epoch_day, ints, lookup, micros, strings
from .retail_data import NOVEMBER, RULE_WINDOWS, RetailRun

I64 = npt.NDArray[np.int64]


def event_order(key: I64, ts: I64) -> I64:
    """Rows grouped by key, in time order; rows at the same time keep their table order."""
    return np.lexsort((np.arange(key.size), ts, key))


def check_running_balance(table: pa.Table, entity: str) -> None:
    """on_hand_after ≥ 0, and each row = the previous row of the same (entity, product) + qty_delta."""
    after, delta = ints(table, "on_hand_after"), ints(table, "qty_delta")
    assert (after >= 0).all(), f"negative {entity} stock"
    assert (delta != 0).all()
    cell = ints(table, entity) * 10**7 + ints(table, "product_id")
    order = event_order(cell, micros(table))
    c, a, d = cell[order], after[order], delta[order]
    same = c[1:] == c[:-1]
    broken = np.flatnonzero(same & (a[1:] != a[:-1] + d[1:]))
    assert broken.size == 0, f"{broken.size} breaks, first at {table.take([int(order[broken[0] + 1])]).to_pylist()}"


@pytest.mark.parametrize("window", [*RULE_WINDOWS.values(), NOVEMBER], ids=[*RULE_WINDOWS, "november"])
def test_store_stock_is_a_running_balance_across_days(retail: RetailRun, window: tuple[date, int]) -> None:
    check_running_balance(retail.window(*window)["store_inventory_txn"], "store_id")


@pytest.mark.parametrize("window", RULE_WINDOWS.values(), ids=RULE_WINDOWS.keys())
def test_dc_stock_is_a_running_balance_across_days(retail: RetailRun, window: tuple[date, int]) -> None:
    check_running_balance(retail.window(*window)["dc_inventory_txn"], "dc_id")


def test_store_reasons_and_signs(retail: RetailRun) -> None:
    s = retail.window(*NOVEMBER)["store_inventory_txn"]
    reason, delta = strings(s, "reason"), ints(s, "qty_delta")
    assert set(reason) == {"SALE", "INBOUND_SHIPMENT"}
    assert (delta[reason == "SALE"] < 0).all()
    assert (delta[reason == "INBOUND_SHIPMENT"] > 0).all()


def test_sales_are_the_receipt_lines(retail: RetailRun) -> None:
    """Each SALE row points at its receipt, at the same store and time, for the units on its lines."""
    w = retail.window(*RULE_WINDOWS["thanksgiving"])
    s, receipts, lines = w["store_inventory_txn"], w["receipts"], w["receipt_lines"]
    sale = strings(s, "reason") == "SALE"
    src = strings(s, "source")[sale]
    r = lookup(src, strings(receipts, "receipt_id"))
    assert (ints(receipts, "store_id")[r] == ints(s, "store_id")[sale]).all()
    assert (micros(receipts)[r] == micros(s)[sale]).all()
    sold = Counter()
    for rid, product, qty in zip(src, ints(s, "product_id")[sale], -ints(s, "qty_delta")[sale], strict=True):
        sold[rid, int(product)] += int(qty)
    bought = Counter()
    for rid, product, qty in zip(
        strings(lines, "receipt_id"), ints(lines, "product_id"), ints(lines, "qty"), strict=True
    ):
        bought[rid, int(product)] += int(qty)
    assert sold == bought


def test_deliveries_fill_to_a_level_that_never_drops(retail: RetailRun) -> None:
    """Trucks fill a product to a level; later fills never go lower, and stock never exceeds the fill."""
    s = retail.window(*NOVEMBER)["store_inventory_txn"]
    cell = ints(s, "store_id") * 10**7 + ints(s, "product_id")
    after = ints(s, "on_hand_after")
    inbound = strings(s, "reason") == "INBOUND_SHIPMENT"
    order = event_order(cell[inbound], micros(s)[inbound])
    c, a = cell[inbound][order], after[inbound][order]
    same = c[1:] == c[:-1]
    assert (a[1:][same] >= a[:-1][same]).all(), "a delivery filled to a lower level than the one before"
    filled, level_index = np.unique(c, return_inverse=True)
    level = np.zeros(filled.size, dtype=np.int64)
    np.maximum.at(level, level_index, a)
    known = np.isin(cell, filled)
    assert known.mean() > 0.9
    assert (after[known] <= level[np.searchsorted(filled, cell[known])]).all(), "stock above the fill level"


def test_weekly_truck_tops_every_product_up(retail: RetailRun) -> None:
    """On stores.replenish_weekday, every product that closed below its fill level is delivered up to it."""
    start, n = NOVEMBER
    s = retail.window(start, n)["store_inventory_txn"]
    stores = retail.master["stores"]
    store, product, ts = ints(s, "store_id"), ints(s, "product_id"), micros(s)
    after, inbound = ints(s, "on_hand_after"), strings(s, "reason") == "INBOUND_SHIPMENT"
    day = epoch_day(ts)
    checked = 0
    for sid, weekday in zip(ints(stores, "store_id"), ints(stores, "replenish_weekday"), strict=True):
        mine = store == sid
        level: dict[int, int] = {}
        for p, a in zip(product[mine & inbound], after[mine & inbound], strict=True):
            level[int(p)] = max(level.get(int(p), 0), int(a))
        for d in (start + timedelta(days=i) for i in range(1, n)):
            if d.weekday() != weekday:
                continue
            before = mine & (day < epoch_day(d))
            order = event_order(product[before], ts[before])
            p_sorted, a_sorted = product[before][order], after[before][order]
            last = np.r_[p_sorted[1:] != p_sorted[:-1], True]
            closing = dict(zip(p_sorted[last].tolist(), a_sorted[last].tolist(), strict=True))
            today = mine & inbound & (day == epoch_day(d))
            delivered = dict(zip(product[today].tolist(), after[today].tolist(), strict=True))
            for p, stock in closing.items():
                if p in level and stock < level[p]:
                    assert delivered.get(p) == level[p], (sid, d, p, stock, level[p])
                    checked += 1
    assert checked > 1000


def test_deliveries_arrive_before_the_days_first_sale(retail: RetailRun) -> None:
    s = retail.window(*NOVEMBER)["store_inventory_txn"]
    key = ints(s, "store_id") * 100_000 + epoch_day(micros(s))
    inbound = strings(s, "reason") == "INBOUND_SHIPMENT"
    ts = micros(s)
    first_sale: dict[int, int] = {}
    for k, t in zip(key[~inbound].tolist(), ts[~inbound].tolist(), strict=True):
        first_sale[k] = min(first_sale.get(k, t), t)
    late = [
        (k, t)
        for k, t in zip(key[inbound].tolist(), ts[inbound].tolist(), strict=True)
        if k in first_sale and t >= first_sale[k]
    ]
    assert not late


def test_dc_reasons_sources_and_signs(retail: RetailRun) -> None:
    w = retail.window(*RULE_WINDOWS["month_end"])
    d = w["dc_inventory_txn"]
    reason, delta, source = strings(d, "reason"), ints(d, "qty_delta"), strings(d, "source")
    assert set(reason) == {"SUPPLIER_RECEIPT", "OUTBOUND_SHIPMENT", "ONLINE_ORDER"}
    assert (delta[reason == "SUPPLIER_RECEIPT"] > 0).all()
    assert (delta[reason != "SUPPLIER_RECEIPT"] < 0).all()
    for r, prefix in (("SUPPLIER_RECEIPT", "PO"), ("OUTBOUND_SHIPMENT", "SHP"), ("ONLINE_ORDER", "ORD")):
        assert all(s.startswith(prefix) for s in source[reason == r]), r


def test_online_orders_are_picked_from_their_dc(retail: RetailRun) -> None:
    """ONLINE_ORDER rows take each order's lines out of the order's DC when it is picked."""
    w = retail.window(*RULE_WINDOWS["month_end"])
    d, orders, lines = w["dc_inventory_txn"], w["online_orders"], w["online_order_lines"]
    picked_rows = strings(orders, "status") == "PICKED"
    picked = dict(
        zip(
            strings(orders, "order_id")[picked_rows].tolist(),
            zip(ints(orders, "dc_id")[picked_rows].tolist(), micros(orders)[picked_rows].tolist(), strict=True),
            strict=True,
        )
    )
    online = strings(d, "reason") == "ONLINE_ORDER"
    taken = Counter()
    for oid, dc, ts, product, qty in zip(
        strings(d, "source")[online],
        ints(d, "dc_id")[online],
        micros(d)[online],
        ints(d, "product_id")[online],
        ints(d, "qty_delta")[online],
        strict=True,
    ):
        assert picked[oid] == (dc, ts), oid
        taken[oid, int(product)] -= int(qty)
    ordered = Counter()
    for oid, product, qty in zip(
        strings(lines, "order_id"), ints(lines, "product_id"), ints(lines, "qty"), strict=True
    ):
        if oid in picked:
            ordered[oid, int(product)] += int(qty)
    # orders created inside the window and picked inside it: the DC took exactly their lines
    taken_orders = {o for o, _ in taken}
    both = {k for k in ordered if k[0] in taken_orders}
    assert len(both) > 100
    assert {k: taken[k] for k in both} == {k: ordered[k] for k in both}
