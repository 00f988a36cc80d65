"""The retailer's master data and everything derived from it once: prices, stock policy, the rates that make the
webshop tables hold their counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from emitter.core.columns import date_column
from emitter.core.rng import BlockKeys
from emitter.scenarios.fashion.ab_tests import AbTests, build_ab_tests, running
from emitter.scenarios.fashion.calendar import FashionCalendar, build_calendar
from emitter.scenarios.fashion.campaigns import Campaigns, build_campaigns
from emitter.scenarios.fashion.catalog import CATEGORIES, Products, build_products
from emitter.scenarios.fashion.demand import ONLINE_LINES, Demand
from emitter.scenarios.fashion.email import sends_per_campaign
from emitter.scenarios.fashion.money import price_points
from emitter.scenarios.fashion.people import Customers, build_customers
from emitter.scenarios.fashion.places import COUNTRIES, geography_table
from emitter.scenarios.fashion.sessions import Rates
from emitter.scenarios.fashion.settings import FashionSettings, Shares
from emitter.scenarios.fashion.shoppers import Shoppers
from emitter.scenarios.fashion.stock import Policy, policy
from emitter.scenarios.fashion.stores import Stores, build_stores
from emitter.scenarios.fashion.vocabulary import BROWSING, CART, LANDING, PRODUCT, SEARCH
from emitter.scenarios.fashion.webshop import PageRates
from emitter.scenarios.tables import Catalog

I64 = npt.NDArray[np.int64]

_MEAN_QUANTITY = 1.09


@dataclass(frozen=True)
class FashionWorld:
    customers: Customers
    stores: Stores
    products: Products
    calendar: FashionCalendar
    campaigns: Campaigns
    tests: AbTests
    shoppers: Shoppers
    demand: Demand
    local_price: I64  # (country, product) cents
    policy: Policy
    opening_stock: I64  # (store, product) when trading starts
    conversion: float
    shares: Shares
    rates: Rates
    page_rates: PageRates
    review_rate: float
    email_sends: float  # recipients per email campaign
    tables: dict[str, pa.Table]


def build_world(keys: BlockKeys, settings: FashionSettings, catalog: Catalog) -> FashionWorld:
    v, sh = settings.volume, settings.shares
    first, last = v.start, v.until
    calendar = build_calendar(first, last, catalog)
    customers = build_customers(keys, v.customers, first, last, sh.marketing_opt_in, catalog)
    stores = build_stores(keys, v.stores, first, catalog)
    products = build_products(keys, v.products, first, last, catalog)
    campaigns = build_campaigns(keys, v.campaigns, calendar, first, last, CATEGORIES, catalog)
    tests = build_ab_tests(first, last)
    per_country = np.bincount(customers.country, minlength=len(COUNTRIES)).astype(np.float64)
    demand = Demand(v, sh.conversion, calendar, campaigns, stores, products, per_country, CATEGORIES)
    rates, page_rates = _rates(settings, demand, tests)
    stock_policy = _policy(settings, demand, stores, products)
    launched = products.launch <= first.toordinal()
    opening = np.where(launched[None, :], stock_policy.target, 0).astype(np.int64)
    returned = (1 - _online_share(settings)) * sh.store_return_rate + _online_share(settings) * sh.online_return_rate
    tables = {
        "operational.european_geography": geography_table(catalog),
        "operational.fashion_calendar": calendar.table,
        "operational.stores": stores.table,
        "operational.products": products.table,
        "operational.customers": customers.table,
        "operational.campaigns": campaigns.table,
        "operational.inventory": _inventory(catalog, first, stores, products, stock_policy, opening),
    }
    return FashionWorld(
        customers=customers,
        stores=stores,
        products=products,
        calendar=calendar,
        campaigns=campaigns,
        tests=tests,
        shoppers=Shoppers(customers),
        demand=demand,
        local_price=price_points(products.price_eur),
        policy=stock_policy,
        opening_stock=opening,
        conversion=sh.conversion,
        shares=sh,
        rates=rates,
        page_rates=page_rates,
        review_rate=min(1.0, v.product_reviews / max(v.order_lines, 1) / max(1e-9, 1 - returned)),
        email_sends=sends_per_campaign(v.email_marketing, sh.email_open, sh.email_click, campaigns, first, last),
        tables=tables,
    )


def _online_share(settings: FashionSettings) -> float:
    v = settings.volume
    return min(1.0, v.web_sessions * settings.shares.conversion / max(v.orders, 1))


def _rates(settings: FashionSettings, demand: Demand, tests: AbTests) -> tuple[Rates, PageRates]:
    """Per-page chances from the window's counts: each webshop table holds its count in expectation."""
    v, sh = settings.volume, settings.shares
    sessions = max(v.web_sessions, 1)
    conv = sh.conversion
    browsing = max(v.page_views / sessions - 1.0 - 3.0 * conv, 0.0)
    searches = max(v.search_queries / sessions - LANDING[SEARCH], 0.0)  # some visits land on a search
    search = min(0.5, searches / max(browsing, 1e-9))
    product_pages = LANDING[PRODUCT] + browsing * (1 - search) * BROWSING[PRODUCT]
    cart_pages = browsing * (1 - search) * BROWSING[CART] + conv
    remove = 0.15
    abandoned = max(v.cart_activities / sessions - conv * ONLINE_LINES, 0.0)
    abandoned_add = abandoned / (1 + remove) / max((1 - conv) * product_pages, 1e-9)
    enrolled = 0.0
    for i in range(v.window_days):
        day = v.start + timedelta(days=i)
        share = float(tests.traffic[running(tests, day)].sum())
        if share:
            enrolled += demand.sessions_expected(day) * share
    rates = Rates(browsing, search, min(abandoned_add, 1.0), v.ab_test_results / max(enrolled, 1e-9))
    page_rates = PageRates(
        wishlist=min(1.0, v.wishlist_items / sessions / max(product_pages, 1e-9)),
        analytics=v.web_analytics_events / max(v.page_views, 1),
        recommendations=min(1.0, v.product_recommendations / sessions / 4 / max(product_pages + cart_pages, 1e-9)),
        recommendation_click=sh.recommendation_click,
        cart_remove=remove,
    )
    return rates, page_rates


def _policy(settings: FashionSettings, demand: Demand, stores: Stores, products: Products) -> Policy:
    v = settings.volume
    days = v.window_days
    shop_share = demand.store_size / max(demand.store_size.sum(), 1e-12)
    units = shop_share * demand.store_orders_total / days * (1 + demand.store_extra_lines) * _MEAN_QUANTITY
    online = v.web_sessions * settings.shares.conversion / days * ONLINE_LINES * _MEAN_QUANTITY
    served = np.bincount(stores.dc_for_country, weights=demand.country_share * online, minlength=stores.store_id.size)
    is_dc = ~demand.is_shop
    daily = np.where(is_dc, served, units)
    return policy(daily, products.popularity, is_dc, stores.dc_for_country)


def _inventory(catalog: Catalog, first: date, s: Stores, p: Products, pol: Policy, opening: I64) -> pa.Table:
    store, product = np.divmod(np.arange(opening.size, dtype=np.int64), p.product_id.size)
    return catalog.conform(
        "operational.inventory",
        {
            "store_id": s.store_id[store].astype(np.int32),
            "product_id": p.product_id[product],
            "quantity": opening.ravel().astype(np.int32),
            "reorder_point": pol.reorder_point.ravel().astype(np.int32),
            "target_stock": pol.target.ravel().astype(np.int32),
            "as_of": date_column(np.full(opening.size, first.toordinal())),
        },
    )
