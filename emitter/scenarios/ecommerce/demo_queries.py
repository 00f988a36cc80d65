"""What ``emitter demo`` asks the warehouse after an e-commerce replay: title → (SQL, the tables it needs)."""

from __future__ import annotations

SAMPLE_QUERIES = {
    "funnel: sessions reaching each step": (
        """WITH steps AS (
            SELECT session_id,
                max(CASE WHEN event_type IN ('page_view', 'product_view') THEN 1 ELSE 0 END) AS viewed,
                max(CASE WHEN event_type = 'product_view' THEN 1 ELSE 0 END) AS product,
                max(CASE WHEN event_type = 'add_to_cart' THEN 1 ELSE 0 END) AS cart,
                max(CASE WHEN event_type = 'begin_checkout' THEN 1 ELSE 0 END) AS checkout,
                max(CASE WHEN event_type = 'purchase' THEN 1 ELSE 0 END) AS purchase
            FROM ecommerce.clickstream GROUP BY session_id)
        SELECT step, sessions, round(100.0 * sessions / max(sessions) OVER (), 2) AS pct_of_sessions
        FROM (SELECT 1 AS n, 'viewed a page' AS step, sum(viewed) AS sessions FROM steps
              UNION ALL SELECT 2, 'viewed a product', sum(product) FROM steps
              UNION ALL SELECT 3, 'added to cart', sum(cart) FROM steps
              UNION ALL SELECT 4, 'began checkout', sum(checkout) FROM steps
              UNION ALL SELECT 5, 'purchased', sum(purchase) FROM steps) ORDER BY n""",
        frozenset({"clickstream"}),
    ),
    "top products: views vs purchases": (
        """SELECT p.name, count(*) FILTER (WHERE c.event_type = 'product_view') AS views,
            coalesce(max(i.units), 0) AS units_bought
        FROM ecommerce.clickstream c JOIN ecommerce.products p USING (product_id)
        LEFT JOIN (SELECT product_id, sum(quantity) AS units FROM ecommerce.order_items GROUP BY 1) i USING (product_id)
        GROUP BY p.name ORDER BY views DESC LIMIT 8""",
        frozenset({"clickstream", "products", "order_items"}),
    ),
    "revenue per hour": (
        """SELECT date_trunc('hour', event_ts) AS hour, count(*) AS orders, sum(total) AS revenue
        FROM ecommerce.orders WHERE status = 'placed' GROUP BY ALL ORDER BY hour""",
        frozenset({"orders"}),
    ),
}
