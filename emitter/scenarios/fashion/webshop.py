"""The webshop's tables from a day's sessions and pages: every row sits on a page its session really viewed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from emitter.core.arrivals import cdf_pick, shares_cdf
from emitter.core.clock import MICROS_PER_SECOND
from emitter.core.columns import Decimals, pooled, timestamps
from emitter.scenarios.event_tables import EventTables
from emitter.scenarios.fashion.ab_tests import AbTests
from emitter.scenarios.fashion.baskets import SIZE_LABELS, pick_sizes
from emitter.scenarios.fashion.catalog import CATEGORIES, Products
from emitter.scenarios.fashion.ids import row_ids
from emitter.scenarios.fashion.money import CURRENCY, to_eur
from emitter.scenarios.fashion.orders import OrderBook
from emitter.scenarios.fashion.places import COUNTRIES
from emitter.scenarios.fashion.sessions import Pages, Sessions
from emitter.scenarios.fashion.vocabulary import (
    ALGORITHMS,
    ANALYTICS_EVENTS,
    CART,
    CATEGORY,
    DEVICES,
    FILTERS,
    PAGE_TYPES,
    PRODUCT,
    SEARCH,
    SORTS,
    TRAFFIC_SOURCES,
)
from emitter.scenarios.fashion.words import search_text

I64 = npt.NDArray[np.int64]
B = npt.NDArray[np.bool_]
_CODES = pa.array([c.code for c in COUNTRIES])
_SITE = pa.array(["/" + c.locale.lower().replace("_", "-") for c in COUNTRIES])  # /nl-nl, /de-ch
_PATHS = pa.array(["/", "/c/", "/p/", "/search", "/cart", "/checkout", "/checkout/done", "/campaign/", "/account"])
_EVENT_NAMES = (*ANALYTICS_EVENTS, "scroll_depth_75")
_ALGORITHM_CDF = shares_cdf(list(ALGORITHMS.values()))
_CLICK_BY_POSITION = np.array([1.6, 1.1, 0.8, 0.5])  # mean 1: the first slot draws most clicks
_SIZES = pa.array(list(SIZE_LABELS))
_CURRENCIES = pa.array(list(CURRENCY))
_CATEGORY_SLUGS = pa.array([c.replace(" & ", "-").replace(" ", "-") for c in CATEGORIES])


def _event_cdfs() -> list[npt.NDArray[np.float64]]:
    """Per page type, the events that happen on it; every page can be scrolled."""
    w = np.zeros((len(PAGE_TYPES), len(_EVENT_NAMES)))
    for j, (page, share) in enumerate(ANALYTICS_EVENTS.values()):
        w[page, j] = share
    w[:, -1] = 0.15
    return [shares_cdf(row) for row in w]


_EVENT_CDFS = _event_cdfs()


@dataclass(frozen=True)
class PageRates:
    wishlist: float  # per product page
    analytics: float  # per page
    recommendations: float  # chance a product or cart page shows a block of four
    recommendation_click: float
    cart_remove: float  # abandoned adds taken out again


class Webshop:
    def __init__(
        self, events: EventTables, products: Products, customer_id: I64, tests: AbTests, rates: PageRates
    ) -> None:
        self.events, self.p, self.customer_id, self.tests, self.rates = events, products, customer_id, tests, rates
        self.by_category = np.argsort(products.category, kind="stable")
        self.category_first = np.searchsorted(products.category[self.by_category], np.arange(len(CATEGORIES)))
        self.category_count = np.bincount(products.category, minlength=len(CATEGORIES))

    def tables(
        self, rng: np.random.Generator, day: date, s: Sessions, pages: Pages, ends: I64, ob: OrderBook, price: I64
    ) -> dict[str, pa.Table]:
        sid = row_ids(self.events, "webshop.web_sessions", np.array([day.toordinal()]), np.arange(s.start.size))
        page_sid = sid.take(pages.session)
        cust = self.customer_id[s.customer]
        urls = self._urls(s.country[pages.session], pages)
        f = self.events.finish
        out = {
            "webshop.web_sessions": f(
                "webshop.web_sessions",
                day,
                s.start,
                {
                    "ended_at": timestamps(ends),
                    "customer_id": cust,
                    "device": pooled(list(DEVICES), s.device),
                    "country_code": pooled(_CODES, s.country),
                    "traffic_source": pooled(list(TRAFFIC_SOURCES), s.source),
                    "campaign_id": _nullable_id(s.campaign),
                    "landing_page": urls.take(pa.array(s.first_page)),
                    "page_views": s.n_pages.astype(np.int32),
                    "converted": s.converted,
                },
            ),
            "webshop.page_views": f(
                "webshop.page_views",
                day,
                pages.ts,
                {
                    "session_id": page_sid,
                    "customer_id": cust[pages.session],
                    "page_type": pooled(list(PAGE_TYPES), pages.page_type),
                    "page_url": urls,
                    "product_id": self._product_ids(pages.product),
                    "time_on_page_s": pages.dwell_s.astype(np.int32),
                },
            ),
        }
        out["webshop.cart_activities"] = self._carts(rng, day, s, pages, page_sid, cust, price)
        out["webshop.search_queries"] = self._searches(rng, day, s, pages, page_sid, cust)
        out["webshop.wishlist_items"] = self._wishlist(rng, day, pages, page_sid, cust)
        out["webshop.web_analytics_events"] = self._analytics(rng, day, pages, page_sid, cust)
        out["webshop.product_recommendations"] = self._recommendations(rng, day, pages, page_sid, cust)
        out["webshop.ab_test_results"] = self._ab_results(day, s, sid, cust, ob)
        return out

    # --- helpers -----------------------------------------------------------------------------------
    def _product_ids(self, rows: I64) -> pa.Array:
        return pa.array(np.where(rows >= 0, self.p.product_id[rows.clip(0)], 0), mask=rows < 0, type=pa.int64())

    def _urls(self, country: I64, pages: Pages) -> pa.Array:
        product = pages.product
        tail = pa.array(np.where(product >= 0, self.p.product_id[product.clip(0)], 0)).cast(pa.string())
        category = _CATEGORY_SLUGS.take(pa.array(np.where(product >= 0, self.p.category[product.clip(0)], 0)))
        tail = pc.if_else(pa.array(product >= 0), tail, pc.if_else(pa.array(pages.page_type == CATEGORY), category, ""))
        return pc.binary_join_element_wise(
            _SITE.take(pa.array(country)), _PATHS.take(pa.array(pages.page_type)), tail, ""
        )

    def _same_category(self, rng: np.random.Generator, product: I64) -> I64:
        cat = self.p.category[product]
        at = self.category_first[cat] + (rng.random(product.size) * self.category_count[cat]).astype(np.int64)
        return np.asarray(self.by_category[at], dtype=np.int64)

    # --- tables -------------------------------------------------------------------------------------
    def _carts(
        self, rng: np.random.Generator, day: date, s: Sessions, pages: Pages, sid: Any, cust: I64, price: I64
    ) -> pa.Table:
        rows = np.flatnonzero(pages.carted)
        sess = pages.session[rows]
        removed = ~s.converted[sess] & (rng.random(rows.size) < self.rates.cart_remove)
        last = s.first_page[sess] + s.n_pages[sess] - 1
        add_at = pages.ts[rows] + pages.dwell_s[rows] * MICROS_PER_SECOND // 2
        remove_at = pages.ts[last] + pages.dwell_s[last] * MICROS_PER_SECOND // 2 + 1
        r = np.r_[rows, rows[removed]]
        ts = np.r_[add_at, np.maximum(remove_at[removed], add_at[removed] + 1)]
        country = s.country[pages.session[r]]
        return self.events.finish(
            "webshop.cart_activities",
            day,
            ts,
            {
                "session_id": sid.take(r),
                "customer_id": cust[pages.session[r]],
                "product_id": self.p.product_id[pages.product[r]],
                "action": pooled(
                    ["add", "remove"], np.r_[np.zeros(rows.size, np.int64), np.ones(int(removed.sum()), np.int64)]
                ),
                "size": _SIZES.take(pa.array(pages.size[r])),
                "quantity": np.ones(r.size, dtype=np.int32),
                "unit_price": Decimals(price[country, pages.product[r]], 12, 2),
                "currency": _CURRENCIES.take(pa.array(country)),
            },
        )

    def _searches(
        self, rng: np.random.Generator, day: date, s: Sessions, pages: Pages, sid: Any, cust: I64
    ) -> pa.Table:
        rows = np.flatnonzero(pages.page_type == SEARCH)
        nxt = np.minimum(rows + 1, pages.ts.size - 1)
        clicked = (pages.session[nxt] == pages.session[rows]) & (pages.page_type[nxt] == PRODUCT) & (nxt > rows)
        sought = np.where(
            clicked, pages.product[nxt], (rng.random(rows.size) * self.p.product_id.size).astype(np.int64)
        )
        results = np.where(
            rng.random(rows.size) < 0.03, 0, np.exp(rng.normal(4.0, 1.0, rows.size)).astype(np.int64) + 1
        )
        clicked &= results > 0
        return self.events.finish(
            "webshop.search_queries",
            day,
            pages.ts[rows] + 1,
            {
                "session_id": sid.take(rows),
                "customer_id": cust[pages.session[rows]],
                "query_text": search_text(rng, self.p, sought),
                "results_count": results.astype(np.int32),
                "clicked_product_id": self._product_ids(np.where(clicked, sought, -1)),
            },
        )

    def _wishlist(self, rng: np.random.Generator, day: date, pages: Pages, sid: Any, cust: I64) -> pa.Table:
        rows = np.flatnonzero((pages.page_type == PRODUCT) & (rng.random(pages.ts.size) < self.rates.wishlist))
        size = np.where(rng.random(rows.size) < 0.4, pick_sizes(rng, self.p.size_run[pages.product[rows]]), -1)
        return self.events.finish(
            "webshop.wishlist_items",
            day,
            pages.ts[rows] + pages.dwell_s[rows] * MICROS_PER_SECOND // 3,
            {
                "session_id": sid.take(rows),
                "customer_id": cust[pages.session[rows]],
                "product_id": self.p.product_id[pages.product[rows]],
                "size": _SIZES.take(pa.array(size.clip(0), mask=size < 0)),
            },
        )

    def _analytics(self, rng: np.random.Generator, day: date, pages: Pages, sid: Any, cust: I64) -> pa.Table:
        counts = rng.poisson(self.rates.analytics, pages.ts.size)
        rows = np.repeat(np.arange(pages.ts.size), counts)
        kind = pages.page_type[rows]
        event = np.empty(rows.size, dtype=np.int64)
        for k in np.unique(kind):
            at = kind == k
            event[at] = cdf_pick(rng, _EVENT_CDFS[k], int(at.sum()))
        name = np.array(_EVENT_NAMES)[event] if rows.size else np.zeros(0, str)
        value = pa.nulls(rows.size, pa.string())
        filters = pa.array(name == "filter_applied")
        sorts = pa.array(name == "sort_changed")
        value = pc.if_else(filters, FILTERS.take(pa.array(rng.integers(0, len(FILTERS), rows.size))), value)
        value = pc.if_else(sorts, SORTS.take(pa.array(rng.integers(0, len(SORTS), rows.size))), value)
        at = pages.ts[rows] + (rng.random(rows.size) * pages.dwell_s[rows] * MICROS_PER_SECOND).astype(np.int64)
        return self.events.finish(
            "webshop.web_analytics_events",
            day,
            at,
            {
                "session_id": sid.take(rows),
                "customer_id": cust[pages.session[rows]],
                "event_type": pooled(list(_EVENT_NAMES), event),
                "page_type": pooled(list(PAGE_TYPES), kind),
                "product_id": self._product_ids(pages.product[rows]),
                "event_value": value,
            },
        )

    def _recommendations(self, rng: np.random.Generator, day: date, pages: Pages, sid: Any, cust: I64) -> pa.Table:
        shows = np.isin(pages.page_type, [PRODUCT, CART]) & (rng.random(pages.ts.size) < self.rates.recommendations)
        # a cart page recommends around what the session last viewed
        anchor = np.maximum.accumulate(np.where(pages.product >= 0, np.arange(pages.ts.size), -1))
        anchor_product = np.where(anchor >= 0, pages.product[anchor.clip(0)], -1)
        same_session = (anchor >= 0) & (pages.session[anchor.clip(0)] == pages.session)
        shows &= same_session
        rows = np.repeat(np.flatnonzero(shows), 4)
        position = np.tile(np.arange(1, 5), int(shows.sum()))
        source = anchor_product[rows]
        product = self._same_category(rng, source)
        product = np.where(product == source, (product + 1) % self.p.product_id.size, product)  # never the page's own
        clicked = rng.random(rows.size) < self.rates.recommendation_click * _CLICK_BY_POSITION[position - 1]
        return self.events.finish(
            "webshop.product_recommendations",
            day,
            pages.ts[rows] + position,
            {
                "session_id": sid.take(rows),
                "customer_id": cust[pages.session[rows]],
                "product_id": self.p.product_id[product],
                "placement": pooled(["product_page", "cart"], (pages.page_type[rows] == CART).astype(np.int64)),
                "algorithm": pooled(list(ALGORITHMS), cdf_pick(rng, _ALGORITHM_CDF, rows.size)),
                "position": position.astype(np.int32),
                "clicked": clicked,
            },
        )

    def _ab_results(self, day: date, s: Sessions, sid: Any, cust: I64, ob: OrderBook) -> pa.Table:
        session, test = s.enrolled_session, s.enrolled_test
        order_of = np.full(s.start.size, -1, dtype=np.int64)
        online = np.flatnonzero(ob.baskets.session >= 0)
        order_of[ob.baskets.session[online]] = online
        order = order_of[session]
        country = s.country[session]
        revenue = np.where(order >= 0, to_eur(ob.orders.total[order.clip(0)], country), 0)
        t = self.tests
        return self.events.finish(
            "webshop.ab_test_results",
            day,
            s.start[session],
            {
                "test_id": pooled(list(t.test_id), test),
                "test_name": pooled(list(t.name), test),
                "variant": pooled(["control", "treatment"], s.enrolled_variant),
                "session_id": sid.take(session),
                "customer_id": cust[session],
                "converted": s.converted[session],
                "revenue_eur": Decimals(revenue.astype(np.int64), 12, 2),
            },
        )


def _nullable_id(rows: I64) -> pa.Array:
    """A master row as its 1-based id, null for -1."""
    return pa.array(rows + 1, mask=rows < 0, type=pa.int32())
