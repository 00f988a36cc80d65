"""Receipts and their lines, checked directly (not through rules.py): money, tax, promotions, numbering."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pyarrow as pa
import pytest

from emitter.scenarios.retail.catalog import CATEGORIES, STATE_TAX_BP

from .readers import cents, ints, lookup, micros, strings
from .retail_data import CHRISTMAS_WEEK, RULE_WINDOWS, THANKSGIVING_WEEK, RetailRun

CENT = Decimal("0.01")
MONEY = {
    "products": ("cost", "price"),
    "receipts": ("subtotal", "tax", "total"),
    "receipt_lines": ("unit_price", "ext_price"),
    "online_orders": ("subtotal", "tax", "shipping_fee", "total"),
    "online_order_lines": ("unit_price", "ext_price"),
}


@pytest.fixture(scope="module")
def week(retail: RetailRun) -> dict[str, pa.Table]:
    return retail.with_master(*THANKSGIVING_WEEK)


def receipt_of_line(week: dict[str, pa.Table]) -> np.ndarray:
    return lookup(strings(week["receipt_lines"], "receipt_id"), strings(week["receipts"], "receipt_id"))


def test_money_has_two_decimals(week: dict[str, pa.Table]) -> None:
    for table, columns in MONEY.items():
        for column in columns:
            col = week[table].column(column)
            assert col.type == pa.decimal128(12, 2), f"{table}.{column}"
            values = col.drop_null().to_pylist()
            assert values and all(v.as_tuple().exponent == -2 for v in values), f"{table}.{column}"
            assert min(values) >= 0, f"{table}.{column} negative"


def test_receipt_ids_are_unique(week: dict[str, pa.Table]) -> None:
    ids = strings(week["receipts"], "receipt_id")
    assert np.unique(ids).size == ids.size


def test_line_arithmetic(week: dict[str, pa.Table]) -> None:
    lines = week["receipt_lines"]
    qty = ints(lines, "qty")
    assert (qty >= 1).all()
    assert (cents(lines, "unit_price") > 0).all()
    assert (qty * cents(lines, "unit_price") == cents(lines, "ext_price")).all()


def test_receipt_arithmetic(week: dict[str, pa.Table]) -> None:
    receipts, lines = week["receipts"], week["receipt_lines"]
    owner = receipt_of_line(week)
    subtotal = np.bincount(owner, weights=cents(lines, "ext_price"), minlength=receipts.num_rows)
    assert (np.bincount(owner, minlength=receipts.num_rows) > 0).all(), "receipt without lines"
    assert (subtotal == cents(receipts, "subtotal")).all()
    assert (cents(receipts, "subtotal") + cents(receipts, "tax") == cents(receipts, "total")).all()
    assert (cents(receipts, "subtotal") > 0).all()


def test_lines_are_numbered_from_one_without_gaps(week: dict[str, pa.Table]) -> None:
    owner = receipt_of_line(week)
    line = ints(week["receipt_lines"], "line")
    order = np.lexsort((line, owner))
    o, n = owner[order], line[order]
    first = np.r_[True, o[1:] != o[:-1]]
    assert (n[first] == 1).all()
    assert (n[~first] == n[np.flatnonzero(~first) - 1] + 1).all()


def test_lines_share_the_checkout_time(week: dict[str, pa.Table]) -> None:
    owner = receipt_of_line(week)
    assert (micros(week["receipt_lines"]) == micros(week["receipts"])[owner]).all()


@pytest.mark.parametrize("window", [THANKSGIVING_WEEK, CHRISTMAS_WEEK], ids=["thanksgiving", "christmas"])
def test_tax_is_the_store_rate_rounded_half_up(varied: RetailRun, window: tuple) -> None:
    receipts = varied.window(*window)["receipts"]
    stores, geos = varied.master["stores"], varied.master["geographies"]
    rate_of_geo = dict(zip(geos.column("geography_id").to_pylist(), geos.column("tax_rate").to_pylist(), strict=True))
    geo_of_store = dict(
        zip(stores.column("store_id").to_pylist(), stores.column("geography_id").to_pylist(), strict=True)
    )
    halves = 0
    for store, subtotal, tax in zip(
        receipts.column("store_id").to_pylist(),
        receipts.column("subtotal").to_pylist(),
        receipts.column("tax").to_pylist(),
        strict=True,
    ):
        exact = subtotal * rate_of_geo[geo_of_store[store]]
        assert tax == exact.quantize(CENT, rounding=ROUND_HALF_UP), (store, subtotal, tax)
        halves += (exact * 100) % 1 == Decimal("0.5")
    # enough exact half cents to tell half-up from half-even or truncation
    assert halves > 10


def test_tax_rates_come_from_the_state(retail: RetailRun) -> None:
    geos = retail.master["geographies"]
    for state, rate in zip(geos.column("state").to_pylist(), geos.column("tax_rate").to_pylist(), strict=True):
        assert rate == Decimal(STATE_TAX_BP[state]).scaleb(-4)
        assert Decimal(0) <= rate < Decimal("0.12")


def test_products_cost_below_price_and_prices_in_category_band(retail: RetailRun) -> None:
    products = retail.master["products"]
    cost, price = cents(products, "cost"), cents(products, "price")
    assert (cost > 0).all()
    assert (cost < price).all()
    band = {c.name: (c.price_low, c.price_high) for c in CATEGORIES}
    for category, p in zip(strings(products, "category"), price, strict=True):
        low, high = band[category]
        assert np.floor(low) * 100 <= p <= (np.floor(high) + 1) * 100, (category, p)


def test_unit_price_is_shelf_price_less_the_promotion(week: dict[str, pa.Table]) -> None:
    lines, products = week["receipt_lines"], week["products"]
    shelf = cents(products, "price")[lookup(ints(lines, "product_id"), ints(products, "product_id"))]
    unit = cents(lines, "unit_price")
    promo = lines.column("promo_code").to_pylist()
    used = np.array([p is not None for p in promo])
    assert 0.005 < used.mean() < 0.2, "promotions should be used, on a minority of lines"
    assert (unit[~used] == shelf[~used]).all()
    for code, u, s in zip(np.array(promo, dtype=object)[used], unit[used], shelf[used], strict=True):
        assert code.startswith("SAVE"), code
        pct = Decimal(code.removeprefix("SAVE"))
        assert 0 < pct < 100
        assert Decimal(int(u)) == (Decimal(int(s)) * (1 - pct / 100)).quantize(Decimal(1), rounding=ROUND_HALF_UP)


@pytest.mark.parametrize("window", RULE_WINDOWS.values(), ids=RULE_WINDOWS.keys())
def test_every_receipt_belongs_to_a_member_and_a_store(retail: RetailRun, window: tuple) -> None:
    receipts = retail.window(*window)["receipts"]
    lookup(ints(receipts, "customer_id"), ints(retail.master["customers"], "customer_id"))
    lookup(ints(receipts, "store_id"), ints(retail.master["stores"], "store_id"))
    lines = retail.window(*window)["receipt_lines"]
    lookup(ints(lines, "product_id"), ints(retail.master["products"], "product_id"))


def test_items_per_ticket_follow_the_config(retail: RetailRun) -> None:
    """Mean lines per receipt ≈ volume.items_per_ticket_mean (stock-outs may trim a little)."""
    window = retail.window(*RULE_WINDOWS["month_end"])
    mean = window["receipt_lines"].num_rows / window["receipts"].num_rows
    assert mean == pytest.approx(retail.settings.volume.items_per_ticket_mean, rel=0.05)
