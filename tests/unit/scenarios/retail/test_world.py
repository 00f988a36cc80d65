"""Master data: sizes from the config, keys, geography, segments and the store network."""

from __future__ import annotations

import re
from datetime import date

import numpy as np
import pyarrow as pa
import pytest
from support import small_config as make_small_config

from emitter.scenarios import open_scenario
from emitter.scenarios.retail import RetailSettings
from emitter.scenarios.retail.catalog import CATEGORIES, CITIES
from emitter.scenarios.retail.settings import Shares

from .readers import ints, lookup, strings
from .retail_data import RetailRun

KEYS = {
    "geographies": "geography_id",
    "stores": "store_id",
    "distribution_centers": "dc_id",
    "products": "product_id",
    "customers": "customer_id",
}


def km(lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray) -> np.ndarray:
    p1, p2, dl = np.radians(lat1), np.radians(lat2), np.radians(lon2 - lon1)
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 6371 * 2 * np.arcsin(np.sqrt(a))


def latlon(t: pa.Table) -> tuple[np.ndarray, np.ndarray]:
    return t.column("latitude").to_numpy(), t.column("longitude").to_numpy()


def test_sizes_follow_the_config(retail: RetailRun) -> None:
    m, vol = retail.master, retail.settings.volume
    assert m["geographies"].num_rows == vol.geographies == RetailSettings.PRESETS["small"]["volume"]["geographies"]
    assert m["stores"].num_rows == vol.stores
    assert m["distribution_centers"].num_rows == vol.dcs
    assert m["products"].num_rows == vol.products
    assert m["customers"].num_rows == vol.customers
    served = np.bincount(ints(m["stores"], "dc_id"), minlength=vol.dcs + 1)[1:]
    assert m["trucks"].num_rows == vol.trucks_per_store * np.maximum(served, 1).sum()


@pytest.mark.parametrize(("table", "key"), KEYS.items())
def test_integer_keys_are_one_to_n(retail: RetailRun, table: str, key: str) -> None:
    ids = ints(retail.master[table], key)
    assert ids.tolist() == list(range(1, ids.size + 1))


def test_text_keys_are_unique_and_shaped(retail: RetailRun) -> None:
    m = retail.master
    for table, column, pattern in (
        ("stores", "store_code", r"ST\d{5}"),
        ("products", "sku", r"SKU\d{7}"),
        ("trucks", "truck_id", r"TRK\d{8}"),
        ("customers", "customer_ble_id", r"BLE\d{9}"),
        ("customers", "customer_ad_id", r"AD\d{9}"),
        ("customers", "email", r"[a-z' -]+\.[a-z' -]+\.\d+@example\.com"),
        ("geographies", "zip_code", r"\d{5}"),
    ):
        values = m[table].column(column).to_pylist()
        assert len(set(values)) == len(values) or column == "zip_code", f"{table}.{column} not unique"
        assert all(re.fullmatch(pattern, v) for v in values), f"{table}.{column}"


def test_places_are_in_the_united_states(retail: RetailRun) -> None:
    for table in ("geographies", "stores", "distribution_centers", "customers"):
        lat, lon = latlon(retail.master[table])
        assert ((lat > 24) & (lat < 50) & (lon > -125) & (lon < -66)).all(), table
    geos = retail.master["geographies"]
    assert geos.num_rows <= len(CITIES), "the fixture uses real metros only"
    assert geos.select(["city", "state", "region"]).to_pylist() == [
        {"city": c[0], "state": c[1], "region": c[2]} for c in CITIES[: geos.num_rows]
    ]
    glat, glon = latlon(geos)
    assert np.allclose(glat, [c[3] for c in CITIES[: geos.num_rows]])
    assert np.allclose(glon, [c[4] for c in CITIES[: geos.num_rows]])


def test_stores_are_served_by_their_nearest_dc(retail: RetailRun) -> None:
    stores, dcs = retail.master["stores"], retail.master["distribution_centers"]
    slat, slon = latlon(stores)
    dlat, dlon = latlon(dcs)
    d = km(slat[:, None], slon[:, None], dlat[None, :], dlon[None, :])
    assigned = d[np.arange(stores.num_rows), lookup(ints(stores, "dc_id"), ints(dcs, "dc_id"))]
    assert (assigned <= d.min(axis=1) * 1.02 + 1).all()
    # every DC serves someone
    assert set(ints(stores, "dc_id").tolist()) == set(ints(dcs, "dc_id").tolist())


def test_customers_home_store_is_the_nearest(retail: RetailRun) -> None:
    customers, stores = retail.master["customers"], retail.master["stores"]
    clat, clon = latlon(customers)
    slat, slon = latlon(stores)
    d = km(clat[:, None], clon[:, None], slat[None, :], slon[None, :])
    home = d[np.arange(customers.num_rows), lookup(ints(customers, "home_store_id"), ints(stores, "store_id"))]
    assert (home <= d.min(axis=1) * 1.02 + 0.5).all()
    assert np.median(home) < 15, "members live near their store"
    # and every store has members living around it
    assert np.unique(ints(customers, "home_store_id")).size == stores.num_rows


def test_customer_geography_is_their_home_city(retail: RetailRun) -> None:
    customers, geos = retail.master["customers"], retail.master["geographies"]
    g = lookup(ints(customers, "geography_id"), ints(geos, "geography_id"))
    glat, glon = latlon(geos)
    clat, clon = latlon(customers)
    assert np.median(km(clat, clon, glat[g], glon[g])) < 30


def test_member_since_is_in_the_past(retail: RetailRun) -> None:
    since = retail.master["customers"].column("member_since").to_pylist()
    assert min(since) >= date(2015, 1, 1) and max(since) < date(2024, 1, 1)


def test_products_cover_every_category(retail: RetailRun) -> None:
    products = retail.master["products"]
    category = strings(products, "category")
    assert set(category) == {c.name for c in CATEGORIES}
    names, brands = strings(products, "name"), strings(products, "brand")
    assert all(n.startswith(b + " ") for n, b in zip(names, brands, strict=True))
    # ids are grouped by category (the catalog is laid out that way)
    changes = np.count_nonzero(category[1:] != category[:-1])
    assert changes == len(CATEGORIES) - 1


def test_segment_shares_follow_the_config(big_master: dict[str, pa.Table]) -> None:
    segment = strings(big_master["customers"], "segment")
    assert segment.size == 100_000
    shares = {
        "BUDGET_CONSCIOUS": 0.35,
        "CONVENIENCE_FOCUSED": 0.30,
        "QUALITY_SEEKER": 0.20,
        "BRAND_LOYAL": 0.15,
    }
    assert Shares().segment == shares  # the defaults the fixture runs with
    for name, share in shares.items():
        assert np.mean(segment == name) == pytest.approx(share, abs=0.01), name


def test_segment_shares_follow_a_custom_mix() -> None:
    mix = {"BUDGET_CONSCIOUS": 0.1, "CONVENIENCE_FOCUSED": 0.2, "QUALITY_SEEKER": 0.3, "BRAND_LOYAL": 0.4}
    config = make_small_config({"volume": {"customers": 20_000}, "shares": {"segment": mix}})
    segment = strings(open_scenario(config).reference()["customers"], "segment")
    for name, share in mix.items():
        assert np.mean(segment == name) == pytest.approx(share, abs=0.015), name


def test_all_night_share_follows_the_config() -> None:
    for share in (0.0, 0.5, 1.0):
        config = make_small_config({"volume": {"stores": 200, "customers": 1000}, "shares": {"store_24h": share}})
        stores = open_scenario(config).reference()
        all_day = stores["stores"].column("is_24h").to_numpy(zero_copy_only=False)
        assert all_day.mean() == pytest.approx(share, abs=0.08), share
