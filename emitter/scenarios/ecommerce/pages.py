"""The shop's URLs: one pool of every page (static, department, product, search), and the page of each event."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote_plus

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from emitter.scenarios.ecommerce.event_types import ADD, CHECKOUT, PAGE_VIEW, PURCHASE, REMOVE, SEARCH, SIGN_UP
from emitter.scenarios.ecommerce.vocabulary import DEPARTMENTS
from emitter.scenarios.ecommerce.world import Products

I64 = npt.NDArray[np.int64]

PAGE_TYPES = ("home", "category", "product", "search", "sale", "cart", "checkout", "confirmation", "account")
STATIC = (
    ("/", "home"),
    ("/sale", "sale"),
    ("/cart", "cart"),
    ("/checkout", "checkout"),
    ("/checkout/confirmation", "confirmation"),
    ("/account/register", "account"),
    ("/account", "account"),
    ("/help", "home"),
)
HOME, SALE, CART, CHECKOUT_PAGE, CONFIRMATION, REGISTER, ACCOUNT, HELP = range(len(STATIC))


@dataclass(frozen=True)
class Pages:
    urls: pa.StringArray
    page_type: I64  # per url, index into PAGE_TYPES
    department_base: int
    product_base: int
    query_base: int

    @classmethod
    def of(cls, products: Products) -> Pages:
        departments = [f"/c/{re.sub(r'[^a-z0-9]+', '-', d.name.lower()).strip('-')}" for d in DEPARTMENTS]
        searches = [f"/search?q={quote_plus(q)}" for q in products.queries.to_pylist()]
        urls = pa.concat_arrays(
            [pa.array([u for u, _ in STATIC] + departments), products.url, pa.array(searches, pa.string())]
        )
        types = np.concatenate(
            [
                [PAGE_TYPES.index(t) for _, t in STATIC],
                np.full(len(departments), PAGE_TYPES.index("category")),
                np.full(products.size, PAGE_TYPES.index("product")),
                np.full(len(searches), PAGE_TYPES.index("search")),
            ]
        ).astype(np.int64)
        base = len(STATIC)
        return cls(urls, types, base, base + len(departments), base + len(departments) + products.size)

    def for_events(
        self,
        rng: np.random.Generator,
        etype: I64,
        product: I64,
        query: I64,
        department: I64,
        key: I64,
        landing: I64,
        rest: npt.NDArray[np.bool_],
    ) -> I64:
        """The page (url index) of each event; ``rest`` marks page views of home, help or account pages."""
        page = np.full(etype.size, HOME, np.int64)
        has_product = product >= 0
        page[has_product] = self.product_base + product[has_product]
        views = etype == PAGE_VIEW
        page[views] = self.department_base + department[views]
        landed = views & (key == 0)
        page[landed & (landing == 0)] = HOME
        page[landed & (landing == 3)] = SALE
        page[rest] = np.array([HOME, HOME, HOME, HELP, ACCOUNT])[rng.integers(0, 5, int(rest.sum()))]
        searched = etype == SEARCH
        page[searched] = self.query_base + query[searched]
        page[etype == ADD] = self.product_base + product[etype == ADD]
        page[etype == REMOVE] = CART
        page[etype == CHECKOUT] = CHECKOUT_PAGE
        page[etype == PURCHASE] = CONFIRMATION
        page[etype == SIGN_UP] = REGISTER
        return page
