"""Retail"s tables as the contract declares them: kind, namespace, stream key, event time, foreign keys.

Schemas: ``schemas/<table>.avsc`` beside this file. Generators: ``world.py`` (reference tables) and
``scenario.py`` (one day of events). Rules: ``rules.py``.
"""

from __future__ import annotations

from emitter.scenarios.tables import ForeignKey, TableKind, TableSpec

NAMESPACE = "retail"


def _reference(name: str, *fks: tuple[str, str, str]) -> TableSpec:
    return TableSpec(name, TableKind.REFERENCE, NAMESPACE, foreign_keys=tuple(ForeignKey(*fk) for fk in fks))


def _event(name: str, key: str, *fks: tuple[str, str, str], moves: tuple[str, ...] = ()) -> TableSpec:
    return TableSpec(
        name,
        TableKind.EVENT,
        NAMESPACE,
        key=key,
        event_time="event_ts",
        moves_with_event_time=moves,
        event_id="trace_id",
        foreign_keys=tuple(ForeignKey(*fk) for fk in fks),
    )


# Store events key by store, so a store"s receipts, lines, stock movements, traffic and trucks land on the
# same partition number in every topic (co-partitioned) and keep their order; receipt lines key by the store
# part of their receipt id (see RetailScenario.stream_keys). DC, customer-ad and order events key by their own
# entity.
TABLES = (
    _reference("geographies"),
    _reference("stores", ("geography_id", "geographies", "geography_id"), ("dc_id", "distribution_centers", "dc_id")),
    _reference("distribution_centers"),
    _reference("trucks", ("dc_id", "distribution_centers", "dc_id")),
    _reference("products"),
    _reference("customers", ("home_store_id", "stores", "store_id"), ("geography_id", "geographies", "geography_id")),
    _event("receipts", "store_id", ("store_id", "stores", "store_id"), ("customer_id", "customers", "customer_id")),
    _event(
        "receipt_lines",
        "receipt_id",
        ("receipt_id", "receipts", "receipt_id"),
        ("product_id", "products", "product_id"),
    ),
    _event(
        "store_inventory_txn", "store_id", ("store_id", "stores", "store_id"), ("product_id", "products", "product_id")
    ),
    _event(
        "dc_inventory_txn",
        "dc_id",
        ("dc_id", "distribution_centers", "dc_id"),
        ("product_id", "products", "product_id"),
    ),
    _event(
        "truck_moves",
        "store_id",
        ("truck_id", "trucks", "truck_id"),
        ("dc_id", "distribution_centers", "dc_id"),
        ("store_id", "stores", "store_id"),
        moves=("eta", "etd"),
    ),
    _event("foot_traffic", "store_id", ("store_id", "stores", "store_id")),
    _event(
        "ble_pings", "store_id", ("store_id", "stores", "store_id"), ("customer_ble_id", "customers", "customer_ble_id")
    ),
    _event("marketing", "customer_ad_id", ("customer_ad_id", "customers", "customer_ad_id")),
    _event(
        "online_orders",
        "order_id",
        ("customer_id", "customers", "customer_id"),
        ("dc_id", "distribution_centers", "dc_id"),
        ("store_id", "stores", "store_id"),
    ),
    _event("online_order_lines", "order_id", ("product_id", "products", "product_id")),
)
