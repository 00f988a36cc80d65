"""The retail world: master data as numpy arrays (for generation) and Arrow tables (for output).

Everything here is drawn once per run from keyed generators, so every process builds the same world.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from emitter.core.arrivals import cdf_pick, shares_cdf
from emitter.core.clock import EPOCH
from emitter.core.columns import decimal_from_units, fixed_width_ids, pooled
from emitter.core.pools import build_name_pools
from emitter.core.rng import BlockKeys
from emitter.scenarios.retail.catalog import (
    ADJECTIVES,
    BRAND_STEMS,
    BRAND_TAILS,
    CATEGORIES,
    CITIES,
    SEGMENTS,
    STATE_TAX_BP,
    STORE_PROFILES,
)
from emitter.scenarios.retail.settings import RetailSettings
from emitter.scenarios.tables import Catalog

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
KM_PER_DEGREE = 111.0


def _km(lat1: F64, lon1: F64, lat2: F64, lon2: F64) -> F64:
    """Equirectangular distance: plenty accurate at metro scale."""
    x = (lon2 - lon1) * np.cos(np.radians((lat1 + lat2) / 2))
    return np.hypot(x, lat2 - lat1) * KM_PER_DEGREE


def _unit_vectors(lat: F64, lon: F64) -> F64:
    la, lo = np.radians(lat), np.radians(lon)
    return np.stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)], axis=-1)


def _nearest(lat: F64, lon: F64, to_lat: F64, to_lon: F64, chunk: int = 4096) -> I64:
    """Index of the nearest target per point: the largest dot product of unit vectors (great-circle nearest)."""
    targets = _unit_vectors(to_lat, to_lon).T
    out = np.empty(lat.size, dtype=np.int64)
    for i in range(0, lat.size, chunk):
        out[i : i + chunk] = (_unit_vectors(lat[i : i + chunk], lon[i : i + chunk]) @ targets).argmax(axis=1)
    return out


@dataclass
class RetailWorld:
    """Master data for one config. Index i of an entity array is the row of id i + 1."""

    # geographies
    geo_lat: F64
    geo_lon: F64
    geo_tax_bp: I64
    # stores
    store_traffic: F64
    store_open_hour: I64
    store_close_hour: I64
    store_24h: npt.NDArray[np.bool_]
    store_geo: I64
    store_lat: F64
    store_lon: F64
    store_dc: I64
    store_weekday: I64
    # distribution centers and trucks
    dc_lat: F64
    dc_lon: F64
    store_rank_in_dc: I64  # position of a store among the stores its DC serves
    dc_store_count: I64
    trucks_per_store: int
    # products (sorted by category)
    product_category: I64
    product_brand: I64
    product_price: I64  # cents
    product_cost: I64  # cents
    product_popularity: F64
    # customers
    customer_segment: I64
    customer_home_store: I64
    customer_brand: I64
    customers_by_store: I64  # customer indices sorted by home store
    customers_by_store_offsets: I64  # CSR offsets into customers_by_store, per store
    tables: dict[str, pa.Table]

    @property
    def n_stores(self) -> int:
        return int(self.store_traffic.size)

    @property
    def n_products(self) -> int:
        return int(self.product_price.size)

    @property
    def n_customers(self) -> int:
        return int(self.customer_segment.size)

    @property
    def n_dcs(self) -> int:
        return int(self.dc_lat.size)


def build_world(keys: BlockKeys, settings: RetailSettings, catalog: Catalog) -> RetailWorld:
    vol = settings.volume
    conform = catalog.conform

    def rng(stream: str) -> np.random.Generator:
        return keys.rng(f"master.{stream}", 0)

    pools = build_name_pools(keys.seed)

    # --- geographies: real metros first, then synthetic towns near them
    r = rng("geographies")
    n_geo = vol.geographies
    base = np.arange(n_geo) % len(CITIES)
    synthetic = np.arange(n_geo) >= len(CITIES)
    city_rows = [CITIES[i] for i in base]
    geo_lat = np.array([c[3] for c in city_rows]) + synthetic * r.normal(0, 0.4, n_geo)
    geo_lon = np.array([c[4] for c in city_rows]) + synthetic * r.normal(0, 0.4, n_geo)
    geo_pop = np.array([c[5] for c in city_rows]) * np.where(synthetic, r.uniform(0.05, 0.2, n_geo), 1.0)
    states = [c[1] for c in city_rows]
    geo_tax_bp = np.array([STATE_TAX_BP[s] for s in states], dtype=np.int64)
    town_idx = r.integers(0, len(pools.towns), n_geo)
    city_names = [
        c[0] if not syn else str(pools.towns[int(t)]) for c, syn, t in zip(city_rows, synthetic, town_idx, strict=True)
    ]
    geo_ids = np.arange(1, n_geo + 1)
    geographies = conform(
        "geographies",
        {
            "geography_id": geo_ids,
            "city": city_names,
            "state": states,
            "zip_code": fixed_width_ids("", [(r.integers(1000, 99999, n_geo), 5)]),
            "region": [c[2] for c in city_rows],
            "latitude": np.round(geo_lat, 4),
            "longitude": np.round(geo_lon, 4),
            "tax_rate": decimal_from_units(geo_tax_bp, 5, 4),
        },
    )

    # --- stores: placed where people live
    r = rng("stores")
    n_st = vol.stores
    profile = cdf_pick(r, shares_cdf([p.share for p in STORE_PROFILES]), n_st)
    store_traffic = np.array([p.traffic for p in STORE_PROFILES])[profile] * r.lognormal(0, 0.25, n_st)
    store_geo = cdf_pick(r, shares_cdf(geo_pop), n_st)
    store_lat = geo_lat[store_geo] + r.normal(0, 0.08, n_st)
    store_lon = geo_lon[store_geo] + r.normal(0, 0.08, n_st)
    hour_choice = r.integers(0, 3, n_st)
    open_close = np.array([[p.hours[i] for i in range(3)] for p in STORE_PROFILES])[profile, hour_choice]
    store_24h = r.random(n_st) < settings.shares.store_24h
    open_hour = np.where(store_24h, 0, open_close[:, 0]).astype(np.int64)
    close_hour = np.where(store_24h, 24, open_close[:, 1]).astype(np.int64)
    sqft_lo = np.array([p.sqft_low for p in STORE_PROFILES])[profile]
    sqft_hi = np.array([p.sqft_high for p in STORE_PROFILES])[profile]
    size_sqft = (sqft_lo + r.random(n_st) * (sqft_hi - sqft_lo)).astype(np.int64) // 100 * 100
    store_weekday = r.integers(0, 7, n_st)

    # --- distribution centers: spread over the store footprint (farthest-point sampling)
    r = rng("dcs")
    n_dc = vol.dcs
    chosen = [int(r.integers(0, n_st))]
    best = _km(store_lat, store_lon, store_lat[chosen[0]], store_lon[chosen[0]])
    for _ in range(1, n_dc):
        nxt = int(best.argmax())
        chosen.append(nxt)
        best = np.minimum(best, _km(store_lat, store_lon, store_lat[nxt], store_lon[nxt]))
    dc_site = np.array(chosen)
    dc_lat = store_lat[dc_site] + r.normal(0, 0.15, n_dc)
    dc_lon = store_lon[dc_site] + r.normal(0, 0.15, n_dc)
    dc_geo = store_geo[dc_site]
    store_dc = _nearest(store_lat, store_lon, dc_lat, dc_lon)

    store_ids = np.arange(1, n_st + 1)
    profile_names = pa.array([p.name for p in STORE_PROFILES])
    titles = pa.array([p.name.title() for p in STORE_PROFILES])
    stores = conform(
        "stores",
        {
            "store_id": store_ids,
            "store_code": fixed_width_ids("ST", [(store_ids, 5)]),
            "name": pc.binary_join_element_wise(
                _strings(pa.array(city_names), store_geo),
                _strings(titles, profile),
                pc.cast(pa.array(store_ids), pa.string()),
                " ",
            ),
            "profile": _strings(profile_names, profile),
            "size_sqft": size_sqft,
            "geography_id": store_geo + 1,
            "address": _addresses(r, pools.streets, n_st),
            "latitude": np.round(store_lat, 5),
            "longitude": np.round(store_lon, 5),
            "open_hour": open_hour,
            "close_hour": close_hour,
            "is_24h": store_24h,
            "dc_id": store_dc + 1,
            "replenish_weekday": store_weekday,
        },
    )
    distribution_centers = conform(
        "distribution_centers",
        {
            "dc_id": np.arange(1, n_dc + 1),
            "name": pc.binary_join_element_wise(
                _strings(pa.array(city_names), dc_geo), pa.scalar("Distribution Center"), " "
            ),
            "geography_id": dc_geo + 1,
            "address": _addresses(r, pools.streets, n_dc),
            "latitude": np.round(dc_lat, 5),
            "longitude": np.round(dc_lon, 5),
            "capacity_pallets": r.integers(20, 80, n_dc) * 1000,
        },
    )
    # each DC's fleet scales with the stores it serves, so a truck is never on two trips at once
    dc_store_count = np.bincount(store_dc, minlength=n_dc).astype(np.int64)
    by_dc = np.argsort(store_dc, kind="stable")
    store_rank_in_dc = np.empty(n_st, dtype=np.int64)
    store_rank_in_dc[by_dc] = np.arange(n_st) - np.searchsorted(store_dc[by_dc], store_dc[by_dc], side="left")
    fleet = vol.trucks_per_store * np.maximum(dc_store_count, 1)
    truck_dc = np.repeat(np.arange(n_dc), fleet)
    truck_no = np.arange(truck_dc.size) - np.searchsorted(truck_dc, truck_dc, side="left")
    trucks = conform(
        "trucks",
        {
            "truck_id": fixed_width_ids("TRK", [(truck_dc + 1, 3), (truck_no + 1, 5)]),
            "dc_id": truck_dc + 1,
            "truck_type": _strings(["DRY", "REFRIGERATED"], (r.random(truck_dc.size) < 0.35).astype(np.int64)),
            "capacity_cases": np.where(r.random(truck_dc.size) < 0.5, 1200, 1800),
        },
    )

    # --- products, grouped by category
    r = rng("products")
    n_p = vol.products
    cat_w = np.sqrt([c.weight for c in CATEGORIES])
    per_cat = np.maximum(1, np.floor(n_p * cat_w / cat_w.sum()).astype(np.int64))
    per_cat[int(np.argmax(per_cat))] += n_p - per_cat.sum()
    product_category = np.repeat(np.arange(len(CATEGORIES)), per_cat)
    n_brands = min(len(BRAND_STEMS) * len(BRAND_TAILS), max(12, n_p // 15))
    brand_names = [
        f"{BRAND_STEMS[i % len(BRAND_STEMS)]} {BRAND_TAILS[(i // len(BRAND_STEMS) + i) % len(BRAND_TAILS)]}"
        for i in range(n_brands)
    ]
    product_brand = r.integers(0, n_brands, n_p)
    lo = np.array([c.price_low for c in CATEGORIES])[product_category]
    hi = np.array([c.price_high for c in CATEGORIES])[product_category]
    dollars = np.exp(np.log(lo) + r.random(n_p) * (np.log(hi) - np.log(lo)))
    price = np.floor(dollars).astype(np.int64) * 100 + np.where(r.random(n_p) < 0.7, 99, 49)
    cost = np.floor(price * r.uniform(0.45, 0.80, n_p)).astype(np.int64)
    rank = np.empty(n_p)
    for c in range(len(CATEGORIES)):
        members = np.flatnonzero(product_category == c)
        rank[members] = r.permutation(members.size)
    popularity = 1.0 / (rank + 1.0) ** 0.9
    nouns = [
        CATEGORIES[c].nouns[int(k)]
        for c, k in zip(
            product_category,
            r.integers(0, 100, n_p) % np.array([len(CATEGORIES[c].nouns) for c in product_category]),
            strict=True,
        )
    ]
    adjectives = r.integers(0, len(ADJECTIVES), n_p)
    product_ids = np.arange(1, n_p + 1)
    products = conform(
        "products",
        {
            "product_id": product_ids,
            "sku": fixed_width_ids("SKU", [(product_ids, 7)]),
            "name": pc.binary_join_element_wise(
                _strings(pa.array(brand_names), product_brand),
                _strings(pa.array(ADJECTIVES), adjectives),
                pa.array(nouns),
                " ",
            ),
            "brand": _strings(pa.array(brand_names), product_brand),
            "category": _strings(pa.array([c.name for c in CATEGORIES]), product_category),
            "cost": decimal_from_units(cost, 12, 2),
            "price": decimal_from_units(price, 12, 2),
        },
    )

    # --- customers live around the stores they are drawn from; their home store is the nearest one
    r = rng("customers")
    n_c = vol.customers
    segment = cdf_pick(r, shares_cdf([settings.shares.segment.get(s.name, 0.0) for s in SEGMENTS]), n_c)
    anchor = cdf_pick(r, shares_cdf(store_traffic), n_c)
    home_lat = store_lat[anchor] + r.normal(0, 0.07, n_c)
    home_lon = store_lon[anchor] + r.normal(0, 0.07, n_c)
    home_store = _nearest(home_lat, home_lon, store_lat, store_lon)
    fav_brand = r.integers(0, n_brands, n_c)
    by_store = np.argsort(home_store, kind="stable")
    offsets = np.concatenate([[0], np.cumsum(np.bincount(home_store, minlength=n_st))]).astype(np.int64)
    cust_ids = np.arange(1, n_c + 1)
    first = r.integers(0, len(pools.first_names), n_c)
    last = r.integers(0, len(pools.last_names), n_c)
    first_names = _strings(pools.first_names, first)
    last_names = _strings(pools.last_names, last)
    email = pc.binary_join_element_wise(
        pc.utf8_lower(first_names), pc.utf8_lower(last_names), pc.cast(pa.array(cust_ids), pa.string()), "."
    )
    since = (date(2015, 1, 1) - EPOCH).days + r.integers(0, 9 * 365, n_c)
    customers = conform(
        "customers",
        {
            "customer_id": cust_ids,
            "first_name": first_names,
            "last_name": last_names,
            "email": pc.binary_join_element_wise(email, pa.scalar("example.com"), "@"),
            "segment": _strings(pa.array([s.name for s in SEGMENTS]), segment),
            "geography_id": store_geo[anchor] + 1,
            "address": _addresses(r, pools.streets, n_c),
            "latitude": np.round(home_lat, 5),
            "longitude": np.round(home_lon, 5),
            "home_store_id": home_store + 1,
            "customer_ble_id": fixed_width_ids("BLE", [(cust_ids, 9)]),
            "customer_ad_id": fixed_width_ids("AD", [(cust_ids * 7_919_003 % 1_000_000_000, 9)]),
            "member_since": pa.array(since.astype(np.int32), type=pa.int32()).view(pa.date32()),
        },
    )

    return RetailWorld(
        geo_lat=geo_lat,
        geo_lon=geo_lon,
        geo_tax_bp=geo_tax_bp,
        store_traffic=store_traffic,
        store_open_hour=open_hour,
        store_close_hour=close_hour,
        store_24h=store_24h,
        store_geo=store_geo,
        store_lat=store_lat,
        store_lon=store_lon,
        store_dc=store_dc,
        store_weekday=store_weekday,
        dc_lat=dc_lat,
        dc_lon=dc_lon,
        store_rank_in_dc=store_rank_in_dc,
        dc_store_count=dc_store_count,
        trucks_per_store=vol.trucks_per_store,
        product_category=product_category,
        product_brand=product_brand,
        product_price=price,
        product_cost=cost,
        product_popularity=popularity,
        customer_segment=segment,
        customer_home_store=home_store,
        customer_brand=fav_brand,
        customers_by_store=by_store,
        customers_by_store_offsets=offsets,
        tables={
            "geographies": geographies,
            "stores": stores,
            "distribution_centers": distribution_centers,
            "trucks": trucks,
            "products": products,
            "customers": customers,
        },
    )


def _addresses(r: np.random.Generator, streets: pa.StringArray, n: int) -> pa.Array:
    numbers = pc.cast(pa.array(r.integers(1, 9999, n)), pa.string())
    return pc.binary_join_element_wise(numbers, _strings(streets, r.integers(0, len(streets), n)), " ")


def _strings(pool: pa.Array | list[str], index: npt.ArrayLike) -> pa.Array:
    return pooled(pool, index).to_arrow()
