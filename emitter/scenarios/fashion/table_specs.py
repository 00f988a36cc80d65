"""Fashion tables as the contract declares them: the ERP (``operational``) and the webshop that references it.

Schemas: ``schemas/<namespace>/<table>.avsc`` beside this file. Master data: ``places.py`` (geography),
``stores.py``, ``catalog.py`` (products), ``people.py`` (customers), ``calendar.py`` (fashion calendar),
``campaigns.py`` and ``ab_tests.py``. Per day: ``orders.py`` and ``money.py`` (orders and lines),
``stock.py`` (inventory and its movements), ``followups.py`` (returns and reviews), ``sessions.py`` and
``webshop.py`` (every webshop table), ``email.py``; assembled by ``day_tables.py``. Rules: ``rules.py``,
``money_rules.py``, ``stock_rules.py``, ``webshop_rules.py``.
"""

from __future__ import annotations

from emitter.scenarios.tables import ForeignKey, TableKind, TableSpec

OPERATIONAL, WEBSHOP = "operational", "webshop"

_CITY = ForeignKey("city_id", "operational.european_geography", "city_id")
_STORE = ForeignKey("store_id", "operational.stores", "store_id")
_PRODUCT = ForeignKey("product_id", "operational.products", "product_id")
_CUSTOMER = ForeignKey("customer_id", "operational.customers", "customer_id")
_CAMPAIGN = ForeignKey("campaign_id", "operational.campaigns", "campaign_id")
_SESSION = ForeignKey("session_id", "webshop.web_sessions", "session_id")
# Returns and reviews refer to order lines of earlier days: rules check those keys over the days present.


def _master(name: str, *fks: ForeignKey, doc: str) -> TableSpec:
    return TableSpec(name, TableKind.REFERENCE, OPERATIONAL, foreign_keys=fks, doc=doc)


def _event(namespace: str, name: str, time: str, event_id: str, *fks: ForeignKey, key: str, doc: str) -> TableSpec:
    return TableSpec(
        name, TableKind.EVENT, namespace, key=key, event_time=time, event_id=event_id, foreign_keys=fks, doc=doc
    )


# An order, its lines and its returns key by customer; webshop events by session, so a journey stays in order.
TABLES = (
    _master("european_geography", doc="158 European cities and regions, with currency and VAT."),
    _master("fashion_calendar", doc="Collection launches, sales, Black Friday, holidays: what drives demand."),
    _master("stores", _CITY, doc="Shops and distribution centres, with opening hours."),
    _master("products", doc="The catalogue: style and colour, collection, sizes, price."),
    _master("customers", _CITY, doc="Registered customers, named and addressed as their country does."),
    _master(
        "campaigns",
        ForeignKey("calendar_event_id", "operational.fashion_calendar", "event_id"),
        doc="Campaigns: channel, dates, target, discount.",
    ),
    _master("inventory", _STORE, _PRODUCT, doc="Stock per location and product when trading starts."),
    _event(
        OPERATIONAL,
        "orders",
        "order_at",
        "order_id",
        _CUSTOMER,
        _STORE,
        _SESSION,
        _CAMPAIGN,
        key="customer_id",
        doc="Shop and online orders with subtotal, discounts, shipping, VAT and total in local currency.",
    ),
    _event(
        OPERATIONAL,
        "order_lines",
        "order_at",
        "order_line_id",
        ForeignKey("order_id", "operational.orders", "order_id"),
        _CUSTOMER,
        _PRODUCT,
        ForeignKey("fulfilled_from", "operational.stores", "store_id"),
        key="customer_id",
        doc="Product, size, quantity, price, discount, VAT; the location it shipped from.",
    ),
    _event(
        OPERATIONAL,
        "returns",
        "returned_at",
        "return_id",
        _CUSTOMER,
        _PRODUCT,
        _STORE,
        key="customer_id",
        doc="Returned lines, mostly for size: refunded and restocked.",
    ),
    _event(
        OPERATIONAL,
        "stock_movements",
        "moved_at",
        "movement_id",
        _STORE,
        _PRODUCT,
        key="product_id",
        doc="Sales, returns and replenishment, each with the stock after it.",
    ),
    TableSpec(
        "web_sessions",
        TableKind.EVENT,
        WEBSHOP,
        key="session_id",
        event_time="started_at",
        moves_with_event_time=("ended_at",),
        event_id="session_id",
        foreign_keys=(_CUSTOMER, _CAMPAIGN),
        doc="Visits: device, traffic source, campaign, pages, conversion.",
    ),
    _event(
        WEBSHOP,
        "page_views",
        "viewed_at",
        "page_view_id",
        _SESSION,
        _CUSTOMER,
        _PRODUCT,
        key="session_id",
        doc="Every page of a session, in order.",
    ),
    _event(
        WEBSHOP,
        "cart_activities",
        "event_at",
        "cart_event_id",
        _SESSION,
        _CUSTOMER,
        _PRODUCT,
        key="session_id",
        doc="Adds to and removals from the basket.",
    ),
    _event(
        WEBSHOP,
        "search_queries",
        "searched_at",
        "search_id",
        _SESSION,
        _CUSTOMER,
        ForeignKey("clicked_product_id", "operational.products", "product_id"),
        key="session_id",
        doc="Searches and the product clicked.",
    ),
    _event(
        WEBSHOP,
        "product_reviews",
        "reviewed_at",
        "review_id",
        _CUSTOMER,
        _PRODUCT,
        key="customer_id",
        doc="Ratings and fit, after delivery.",
    ),
    _event(
        WEBSHOP,
        "wishlist_items",
        "added_at",
        "wishlist_event_id",
        _SESSION,
        _CUSTOMER,
        _PRODUCT,
        key="session_id",
        doc="Products saved for later.",
    ),
    _event(
        WEBSHOP,
        "web_analytics_events",
        "event_at",
        "event_id",
        _SESSION,
        _CUSTOMER,
        _PRODUCT,
        key="session_id",
        doc="Filters, size guides, zooms, videos.",
    ),
    _event(
        WEBSHOP,
        "email_marketing",
        "event_at",
        "email_event_id",
        _CAMPAIGN,
        _CUSTOMER,
        key="customer_id",
        doc="Campaign emails sent, opened, clicked.",
    ),
    _event(
        WEBSHOP,
        "product_recommendations",
        "shown_at",
        "recommendation_id",
        _SESSION,
        _CUSTOMER,
        _PRODUCT,
        key="session_id",
        doc="Recommendations shown, and clicked.",
    ),
    _event(
        WEBSHOP,
        "ab_test_results",
        "assigned_at",
        "result_id",
        _SESSION,
        _CUSTOMER,
        key="session_id",
        doc="A/B test enrolments: variant and conversion.",
    ),
)
