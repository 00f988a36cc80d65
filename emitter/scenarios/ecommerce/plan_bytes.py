"""Expected Avro row size of each e-commerce table, from the vocabularies, the id formats and the row mix.

String fields are sized by the mean length of what the generator picks from, weighted as it picks
(places by weight, product pages by popularity, event types by the estimated mix); reference tables are
measured on the world's own tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from emitter.plan.avro_size import Hint, Maybe, measured_row_bytes, record_bytes
from emitter.scenarios.ecommerce.calendar import HUMAN_HOURS, MOBILE_SHARE, TABLET_SHARE
from emitter.scenarios.ecommerce.clicks import BROWSE_TYPES
from emitter.scenarios.ecommerce.event_types import EVENT_TYPES
from emitter.scenarios.ecommerce.orders import EXPRESS_SHARE, RATING_SHARES, STATUSES
from emitter.scenarios.ecommerce.pages import CHECKOUT_PAGE, CONFIRMATION, HOME, REGISTER, SALE, STATIC
from emitter.scenarios.ecommerce.review_text import PER_RATING, review_pools
from emitter.scenarios.ecommerce.stock import MOVEMENTS
from emitter.scenarios.ecommerce.vocabulary import (
    BOT_PLACES,
    BROWSERS,
    CANCEL_REASONS,
    DEPARTMENTS,
    DEVICE_TYPES,
    OPERATING_SYSTEMS,
    PAYMENT_METHODS,
    PAYMENT_SHARES,
    PLACES,
    PROMO_CODES,
    RETURN_REASONS,
    SHIPPING_METHODS,
    SOURCES,
    USER_AGENTS,
)
from emitter.scenarios.ecommerce.world import SUBCATEGORIES

if TYPE_CHECKING:
    from emitter.scenarios.ecommerce.scenario import EcommerceScenario

SESSION_ID = 18  # SES + yyyymmdd + 7 digits
VISITOR_ID = 17  # V1 + 15 digits, or V2 + yyyymmdd + 7
ORDER_ID = 17  # ORD + yyyymmdd + 6
REVIEW_ID = 20  # REV + yyyymmdd + 6 + 3


@dataclass(frozen=True)
class Mix:
    """Expected counts over the range that decide which values the rows carry."""

    sessions: float
    bots: float
    signed: float  # sessions with a customer id
    clicks: float
    signed_clicks: float
    landing_product: float  # sessions landing on a product page
    views: float
    searches: float
    adds: float
    removes: float
    checkouts: float
    buys: float
    signups: float
    statuses: dict[str, float]
    movements: tuple[float, float, float]  # restocks and counts, shipped lines, returned lines
    promo: float  # share of orders with a promo code
    campaign: float  # mean length of the range's utm_campaign
    product_share: np.ndarray  # per product: its share of product views and cart lines


def _mean(lengths: list[int] | np.ndarray, weights: list[float] | np.ndarray | None = None) -> float:
    return float(np.average(np.asarray(lengths, dtype=np.float64), weights=weights))


def _lengths(strings: pa.Array) -> np.ndarray:
    return np.asarray(pc.binary_length(strings).to_numpy(zero_copy_only=False), dtype=np.float64)


def _devices() -> tuple[float, float, float]:
    """Shares of desktop, mobile and tablet among human sessions, over the day's arrivals."""
    mobile = float(np.average(MOBILE_SHARE, weights=HUMAN_HOURS))
    tablet = float(np.average(TABLET_SHARE, weights=HUMAN_HOURS))
    return 1 - mobile - tablet, mobile, tablet


def _client(human: float) -> tuple[float, float, float, float]:
    """Mean lengths of device type, os, browser and user agent; bots present as Linux desktops."""
    device, os_len, browser, agent = 0.0, 0.0, 0.0, 0.0
    for d, share in zip(DEVICE_TYPES, _devices(), strict=True):
        device += share * len(d)
        for dev, os, os_share in OPERATING_SYSTEMS:
            if dev != d:
                continue
            for b, b_share in BROWSERS[os]:
                w = share * os_share * b_share
                os_len += w * len(os)
                browser += w * len(b)
                agent += w * len(USER_AGENTS[(os, b)])
    bot_agent = _mean(
        [len(USER_AGENTS[("Linux", b)]) for b in ("Chrome", "Googlebot", "bingbot")], [0.55, 0.315, 0.135]
    )
    return (
        human * device + (1 - human) * len("desktop"),
        human * os_len + (1 - human) * len("Linux"),
        human * browser + (1 - human) * _mean([6, 9, 7], [0.55, 0.315, 0.135]),
        human * agent + (1 - human) * bot_agent,
    )


def row_bytes(scenario: EcommerceScenario, table: str, mix: Mix) -> float:
    """Expected encoded bytes of one row of ``table``."""
    catalog = scenario.catalog()
    schema = catalog.avro(catalog.get(table))
    world = scenario.world
    if table in world.tables:
        return measured_row_bytes(world.tables[table], schema)
    return record_bytes(schema, _hints(scenario, table, mix))


def _hints(scenario: EcommerceScenario, table: str, mix: Mix) -> dict[str, Hint]:
    w, v = scenario.world, scenario.settings.volume
    pages = scenario.pages
    event_id = len(f"EVT00{scenario.run_tag}") + 8 + 10
    customer = v.customers / 2
    product = v.products / 2
    share = mix.product_share / mix.product_share.sum()
    product_url = float((_lengths(w.products.url) * share).sum())
    department = np.array([d.weight for d in DEPARTMENTS])
    category_url = _mean(_lengths(pages.urls)[pages.department_base : pages.product_base], department)
    query = float((_lengths(w.products.queries)[w.products.query].mean(axis=1) * share).sum())
    search_url = float((_lengths(pages.urls)[pages.query_base + w.products.query].mean(axis=1) * share).sum())
    human = 1 - mix.bots / mix.sessions
    device, os_len, browser, agent = _client(human)
    price = float((w.products.price * share).sum())

    # a first page view that is not a product page: home, a department or the sale page, by traffic source
    src = np.array([s.share for s in SOURCES])
    landing = np.array([s.landing for s in SOURCES]) / np.array([sum(s.landing) for s in SOURCES])[:, None]
    home, dept, _, sale = (src[:, None] * landing).sum(axis=0) / (1 - (src[:, None] * landing).sum(axis=0)[2])
    first_page = home * len(STATIC[HOME][0]) + dept * category_url + sale * len(STATIC[SALE][0])
    first_type = home * len("home") + dept * len("category") + sale * len("sale")

    if table in ("sessions", "session_labels"):
        place = _mean([len(p.city) for p in PLACES], [p.weight for p in PLACES])
        product_landing = mix.landing_product / mix.sessions
        landing_len = (1 - product_landing) * first_page + product_landing * product_url
        referred = [s for s in SOURCES if s.referrer]
        tagged = [s for s in SOURCES if s.utm_source]
        if table == "session_labels":
            return {"event_id": event_id, "session_id": SESSION_ID, "bot_kind": Maybe(len("crawler"), 1 - human)}
        return {
            "event_id": event_id,
            "session_id": SESSION_ID,
            "visitor_id": VISITOR_ID,
            "customer_id": Maybe(customer, mix.signed / mix.sessions),
            "duration_s": 200,
            "page_views": 10,
            "events": 10,
            "order_id": Maybe(ORDER_ID, mix.buys / mix.sessions),
            "device_type": device,
            "os": os_len,
            "browser": browser,
            "user_agent": agent,
            "country": 2,
            "region": human * _mean([len(p.region) for p in PLACES], [p.weight for p in PLACES]) + (1 - human) * 4,
            "city": human * place + (1 - human) * _mean([len(p.city) for p in BOT_PLACES]),
            "landing_page": landing_len,
            "referrer": Maybe(
                _mean([len(s.referrer or "") for s in referred], [s.share for s in referred]),
                human * sum(s.share for s in referred),
            ),
            "utm_source": Maybe(
                _mean([len(s.utm_source or "") for s in tagged], [s.share for s in tagged]),
                human * sum(s.share for s in tagged),
            ),
            "utm_medium": Maybe(
                _mean([len(s.utm_medium or "") for s in tagged], [s.share for s in tagged]),
                human * sum(s.share for s in tagged),
            ),
            "utm_campaign": Maybe(mix.campaign, human * sum(s.share for s in tagged)),
        }
    if table == "clickstream":
        n = mix.clicks
        page_views = n - mix.views - mix.searches - mix.adds - mix.removes - mix.checkouts - mix.buys - mix.signups
        counts = [page_views, mix.views, mix.searches, mix.adds, mix.removes, mix.checkouts, mix.buys, mix.signups]
        landed = mix.sessions - mix.landing_product  # first events that are page views: home, category or sale
        rest = max(page_views - landed, 0.0)
        later = np.diff(BROWSE_TYPES)[0], 1 - BROWSE_TYPES[-1]
        browse = np.array(later) / sum(later)  # later page views: category pages, else home/help/account
        static = _mean([1, 1, 1, len("/help"), len("/account")])  # pages.for_events: home thrice, help, account
        url = (
            (mix.views + mix.adds) * product_url
            + mix.searches * search_url
            + landed * first_page
            + rest * (browse[0] * category_url + browse[1] * static)
            + mix.removes * len("/cart")
            + mix.checkouts * len(STATIC[CHECKOUT_PAGE][0])
            + mix.buys * len(STATIC[CONFIRMATION][0])
            + mix.signups * len(STATIC[REGISTER][0])
        ) / n
        page_type = (
            (mix.views + mix.adds) * len("product")
            + mix.searches * len("search")
            + landed * first_type
            + rest * (browse[0] * len("category") + browse[1] * _mean([4, 4, 4, 4, len("account")]))
            + mix.removes * 4
            + mix.checkouts * len("checkout")
            + mix.buys * len("confirmation")
            + mix.signups * len("account")
        ) / n
        return {
            "event_id": event_id,
            "session_id": SESSION_ID,
            "visitor_id": VISITOR_ID,
            "customer_id": Maybe(customer, mix.signed_clicks / n),
            "event_type": _mean([len(t) for t in EVENT_TYPES], counts),
            "position": 10,
            "page_url": url,
            "page_type": page_type,
            "product_id": Maybe(product, (mix.views + mix.adds + mix.removes) / n),
            "search_query": Maybe(query, mix.searches / n),
            "quantity": Maybe(1, (mix.adds + mix.removes) / n),
            "order_id": Maybe(ORDER_ID, mix.buys / n),
            "device_type": device,
        }
    statuses = mix.statuses
    rows = sum(statuses.values())
    lines = mix.movements[1] / max(statuses["shipped"], 1e-9)
    subtotal = price * lines * 1.18
    if table == "orders":
        reasons = (
            statuses["cancelled"] * _mean([len(r) for r in CANCEL_REASONS])
            + statuses["returned"] * _mean([len(r) for r in RETURN_REASONS])
        ) / max(statuses["cancelled"] + statuses["returned"], 1e-9)
        return {
            "event_id": event_id,
            "order_id": ORDER_ID,
            "status": _mean([len(s) for s in STATUSES], [statuses[s] for s in STATUSES]),
            "session_id": SESSION_ID,
            "customer_id": customer,
            "warehouse_id": 1,
            "item_count": 1,
            "subtotal": subtotal,
            "discount": 0 if mix.promo < 0.5 else subtotal * 0.2,
            "shipping_fee": 599,
            "tax": subtotal * 0.1,
            "total": subtotal * 1.1,
            "promo_code": Maybe(_mean([len(c) for c, _ in PROMO_CODES]), mix.promo),
            "payment_method": _mean([len(p) for p in PAYMENT_METHODS], list(PAYMENT_SHARES)),
            "shipping_method": _mean([len(m) for m in SHIPPING_METHODS], [1 - EXPRESS_SHARE, EXPRESS_SHARE]),
            "shipping_address": float(_lengths(w.addresses).mean()),
            "reason": Maybe(reasons, (statuses["cancelled"] + statuses["returned"]) / rows),
        }
    if table == "order_items":
        return {
            "event_id": event_id,
            "order_id": ORDER_ID,
            "line": 1,
            "product_id": product,
            "quantity": 1,
            "unit_price": price,
            "discount": 0 if mix.promo < 0.5 else price * 0.2,
            "line_total": price,
        }
    if table == "inventory":
        restocks, shipped, returned = mix.movements
        return {
            "event_id": event_id,
            "warehouse_id": 1,
            "product_id": product,
            "movement_type": _mean([len(m) for m in MOVEMENTS[:3]], [restocks, shipped, returned]),
            "quantity": 1,
            "stock_after": float(scenario.policy.par.mean()),
            "order_id": Maybe(ORDER_ID, (shipped + returned) / (restocks + shipped + returned)),
        }
    if table == "reviews":
        titles, bodies = review_pools(SUBCATEGORIES)
        stars = np.tile(np.repeat(RATING_SHARES, PER_RATING), len(SUBCATEGORIES))
        sub = np.bincount(w.products.subcategory, weights=share, minlength=len(SUBCATEGORIES))
        weight = stars * np.repeat(sub, 5 * PER_RATING)
        return {
            "event_id": event_id,
            "review_id": REVIEW_ID,
            "order_id": ORDER_ID,
            "product_id": product,
            "customer_id": customer,
            "rating": 4,
            "title": _mean(_lengths(titles), weight),
            "body": _mean(_lengths(bodies), weight),
        }
    raise KeyError(table)
