"""What ``emitter demo --scenario fashion`` asks the warehouse after a January-sale morning."""

from __future__ import annotations

ORDERS, LINES = "operational.orders", "operational.order_lines"
PRODUCTS, SESSIONS = "operational.products", "webshop.web_sessions"
DEMO_QUERIES = {
    "Takings by currency": (
        "SELECT currency, count(*) AS orders, sum(total) AS takings, sum(discount_total) AS discounts "
        f"FROM {ORDERS} GROUP BY 1 ORDER BY 2 DESC",
        frozenset({ORDERS}),
    ),
    "What the sale moves: lines and markdown by category": (
        "SELECT p.category, count(*) AS lines, "
        "round(100.0 * sum(l.discount) / sum(l.unit_price * l.quantity), 1) AS markdown_pct "
        f"FROM {LINES} l JOIN {PRODUCTS} p ON p.product_id = l.product_id GROUP BY 1 ORDER BY 2 DESC LIMIT 8",
        frozenset({LINES, PRODUCTS}),
    ),
    "Shops and webshop, by hour": (
        "SELECT extract(hour FROM order_at) AS hour, "
        "sum(CASE WHEN channel = 'store' THEN 1 ELSE 0 END) AS shop_orders, "
        "sum(CASE WHEN channel = 'online' THEN 1 ELSE 0 END) AS online_orders "
        f"FROM {ORDERS} GROUP BY 1 ORDER BY 1",
        frozenset({ORDERS}),
    ),
    "Visits and conversion by traffic source": (
        "SELECT traffic_source, count(*) AS sessions, "
        "round(100.0 * sum(CASE WHEN converted THEN 1 ELSE 0 END) / count(*), 1) AS conversion_pct "
        f"FROM {SESSIONS} GROUP BY 1 ORDER BY 2 DESC",
        frozenset({SESSIONS}),
    ),
}
