"""Shopper behaviour on a month of receipts: tender mix, segments, brand loyalty, where people shop."""

from __future__ import annotations

from collections import Counter, defaultdict

import numpy as np
import pyarrow as pa
import pytest

from .readers import cents, ints, lookup, strings
from .retail_data import NOVEMBER, RetailRun


@pytest.fixture(scope="module")
def month(retail: RetailRun) -> dict[str, pa.Table]:
    return retail.with_master(*NOVEMBER)


@pytest.fixture(scope="module")
def line_facts(month: dict[str, pa.Table]) -> dict[str, np.ndarray]:
    """Per receipt line: segment and customer of the buyer, unit price, brand, promo use."""
    receipts, lines, customers, products = (month[t] for t in ("receipts", "receipt_lines", "customers", "products"))
    receipt = lookup(strings(lines, "receipt_id"), strings(receipts, "receipt_id"))
    customer_row = lookup(ints(receipts, "customer_id"), ints(customers, "customer_id"))
    product_row = lookup(ints(lines, "product_id"), ints(products, "product_id"))
    return {
        "receipt": receipt,
        "receipt_segment": strings(customers, "segment")[customer_row],
        "segment": strings(customers, "segment")[customer_row][receipt],
        "customer": ints(receipts, "customer_id")[receipt],
        "unit_price": cents(lines, "unit_price"),
        "brand": strings(products, "brand")[product_row],
        "promo": np.array([p is not None for p in lines.column("promo_code").to_pylist()]),
    }


def test_tender_mix_follows_the_config(retail: RetailRun, month: dict[str, pa.Table]) -> None:
    tender = Counter(month["receipts"].column("tender_type").to_pylist())
    n = sum(tender.values())
    assert n > 30_000
    shares = retail.settings.shares.tender
    assert set(tender) == {k for k, v in shares.items() if v > 0}
    for name, share in shares.items():
        assert tender[name] / n == pytest.approx(share, abs=0.01), name


def test_budget_shoppers_fill_bigger_baskets(line_facts: dict[str, np.ndarray]) -> None:
    lines_per_receipt = np.bincount(line_facts["receipt"])
    seg = line_facts["receipt_segment"]
    budget = lines_per_receipt[seg == "BUDGET_CONSCIOUS"].mean()
    convenience = lines_per_receipt[seg == "CONVENIENCE_FOCUSED"].mean()
    assert budget > 1.5 * convenience


def test_quality_seekers_buy_dearer_items(line_facts: dict[str, np.ndarray]) -> None:
    seg, price = line_facts["segment"], line_facts["unit_price"]
    quality = price[seg == "QUALITY_SEEKER"].mean()
    budget = price[seg == "BUDGET_CONSCIOUS"].mean()
    assert quality > 1.3 * budget
    assert np.median(price[seg == "QUALITY_SEEKER"]) > np.median(price[seg == "BUDGET_CONSCIOUS"])


def test_budget_shoppers_use_promotions_most(line_facts: dict[str, np.ndarray]) -> None:
    seg, promo = line_facts["segment"], line_facts["promo"]
    assert promo[seg == "BUDGET_CONSCIOUS"].mean() > 2 * promo[seg == "QUALITY_SEEKER"].mean()


def test_brand_loyal_shoppers_stick_to_one_brand(line_facts: dict[str, np.ndarray]) -> None:
    """Share of a customer's lines from their most bought brand, by segment (customers with ≥ 20 lines)."""
    per_customer: dict[int, Counter[str]] = defaultdict(Counter)
    segment_of: dict[int, str] = {}
    for c, b, s in zip(
        line_facts["customer"].tolist(),
        line_facts["brand"].tolist(),
        line_facts["segment"].tolist(),
        strict=True,
    ):
        per_customer[c][b] += 1
        segment_of[c] = s
    top: dict[str, list[float]] = defaultdict(list)
    for c, brands in per_customer.items():
        n = sum(brands.values())
        if n >= 20:
            top[segment_of[c]].append(brands.most_common(1)[0][1] / n)
    loyal = np.mean(top["BRAND_LOYAL"])
    others = max(np.mean(top[s]) for s in top if s != "BRAND_LOYAL")
    assert loyal > 0.5
    assert loyal > 2 * others


def test_customers_shop_near_home(month: dict[str, pa.Table]) -> None:
    receipts, customers, stores = month["receipts"], month["customers"], month["stores"]
    c = lookup(ints(receipts, "customer_id"), ints(customers, "customer_id"))
    at_home = ints(receipts, "store_id") == ints(customers, "home_store_id")[c]
    assert at_home.mean() > max(0.6, 10 / stores.num_rows)

    def km(lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray) -> np.ndarray:
        p1, p2, dl = np.radians(lat1), np.radians(lat2), np.radians(lon2 - lon1)
        a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
        return 6371 * 2 * np.arcsin(np.sqrt(a))

    home_lat = customers.column("latitude").to_numpy()[c]
    home_lon = customers.column("longitude").to_numpy()[c]
    s = lookup(ints(receipts, "store_id"), ints(stores, "store_id"))
    lat, lon = stores.column("latitude").to_numpy(), stores.column("longitude").to_numpy()
    visited = km(home_lat, home_lon, lat[s], lon[s])
    any_store = np.mean([km(home_lat, home_lon, lat[i], lon[i]).mean() for i in range(stores.num_rows)])
    assert visited.mean() < 0.5 * any_store
    assert np.median(visited) < 25, "most trips are local"


def test_big_stores_draw_more_shoppers(month: dict[str, pa.Table]) -> None:
    receipts, stores = month["receipts"], month["stores"]
    per_store = np.bincount(lookup(ints(receipts, "store_id"), ints(stores, "store_id")), minlength=stores.num_rows)
    profile = strings(stores, "profile")
    mean = {p: per_store[profile == p].mean() for p in set(profile)}
    assert {"SUPERCENTER", "EXPRESS"} <= set(mean)
    assert mean["SUPERCENTER"] > 3 * mean["EXPRESS"]
    sqft = ints(stores, "size_sqft")
    assert np.corrcoef(sqft, per_store)[0, 1] > 0.5
