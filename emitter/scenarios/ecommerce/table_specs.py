"""E-commerce tables as the contract declares them: kind, stream key, event time, foreign keys.

Schemas: ``schemas/<table>.avsc`` beside this file. Generators: ``world.py`` (reference tables),
``visits.py`` and ``clicks.py`` (sessions and their events), ``orders.py``, ``stock.py`` and ``reviews.py``,
assembled into tables by ``day_tables.py``. Rules: ``rules.py``.
"""

from __future__ import annotations

from emitter.scenarios.tables import ForeignKey, TableKind, TableSpec

NAMESPACE = "ecommerce"

_CUSTOMER = ForeignKey("customer_id", "customers", "customer_id")
_PRODUCT = ForeignKey("product_id", "products", "product_id")
_WAREHOUSE = ForeignKey("warehouse_id", "warehouses", "warehouse_id")
_SESSION = ForeignKey("session_id", "sessions", "session_id")


def _reference(name: str, doc: str) -> TableSpec:
    return TableSpec(name, TableKind.REFERENCE, NAMESPACE, doc=doc)


def _event(
    name: str,
    key: str,
    *fks: ForeignKey,
    time: str = "event_ts",
    moves: tuple[str, ...] = (),
    streamed: bool = True,
    doc: str = "",
) -> TableSpec:
    return TableSpec(
        name,
        TableKind.EVENT,
        NAMESPACE,
        key=key,
        event_time=time,
        moves_with_event_time=moves,
        event_id="event_id",
        foreign_keys=fks,
        streamed=streamed,
        doc=doc,
    )


# A session's row, its events and its label key by session id, so they share a partition and keep their
# order; an order's statuses and lines key by order id; stock movements and reviews by product.
# Orders reach later statuses on later days, so their session (and a review's order) is checked by the
# rules over the days at hand, not declared as a key that must resolve inside any window.
TABLES = (
    _reference("customers", "Registered shoppers, with when they signed up."),
    _reference("products", "The catalogue: category, subcategory, brand, JSON attributes, price and cost."),
    _reference("warehouses", "Fulfilment centres."),
    _event(
        "sessions",
        "session_id",
        _CUSTOMER,
        time="started_at",
        moves=("ended_at",),
        doc="Visits: device, place, traffic source, landing page, and whether they bought.",
    ),
    _event(
        "clickstream",
        "session_id",
        _SESSION,
        _CUSTOMER,
        _PRODUCT,
        doc="Page views, product views, searches, cart and checkout events, purchases and sign-ups.",
    ),
    _event(
        "orders",
        "order_id",
        _CUSTOMER,
        _WAREHOUSE,
        moves=("placed_at",),
        doc="Order statuses: placed, paid, shipped, delivered, cancelled, returned.",
    ),
    _event(
        "order_items",
        "order_id",
        ForeignKey("order_id", "orders", "order_id"),
        _PRODUCT,
        doc="Order lines, stamped when the order is placed.",
    ),
    _event("inventory", "product_id", _PRODUCT, _WAREHOUSE, doc="Stock movements per warehouse and product."),
    _event("reviews", "product_id", _PRODUCT, _CUSTOMER, doc="Ratings and text, after delivery."),
    _event(
        "session_labels",
        "session_id",
        _SESSION,
        time="started_at",
        streamed=False,
        doc="Which sessions are bots (ground truth); streamed only when named in --tables.",
    ),
)
