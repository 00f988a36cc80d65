"""The clickstream's event types, by index (``clickstream.event_type``)."""

from __future__ import annotations

EVENT_TYPES = (
    "page_view", "product_view", "search", "add_to_cart", "remove_from_cart", "begin_checkout", "purchase", "sign_up",
)  # fmt: skip
PAGE_VIEW, PRODUCT_VIEW, SEARCH, ADD, REMOVE, CHECKOUT, PURCHASE, SIGN_UP = range(len(EVENT_TYPES))
