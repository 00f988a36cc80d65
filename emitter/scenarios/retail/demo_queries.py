"""What ``emitter demo`` asks the warehouse after a retail replay: title → (SQL, the tables it needs)."""

from __future__ import annotations

SAMPLE_QUERIES = {
    "revenue per store-hour (top 5)": (
        """SELECT store_id, date_trunc('hour', event_ts) AS hour, count(*) AS receipts, sum(total) AS revenue
        FROM retail.receipts GROUP BY ALL ORDER BY revenue DESC LIMIT 5""",
        frozenset({"receipts"}),
    ),
    "tender mix": (
        """SELECT tender_type, count(*) AS receipts, round(100.0 * count(*) / sum(count(*)) OVER (), 1) AS pct
        FROM retail.receipts GROUP BY ALL ORDER BY receipts DESC""",
        frozenset({"receipts"}),
    ),
    "best-selling categories": (
        """SELECT p.category, sum(l.qty) AS units, sum(l.ext_price) AS sales
        FROM retail.receipt_lines l JOIN retail.products p USING (product_id)
        GROUP BY ALL ORDER BY sales DESC LIMIT 5""",
        frozenset({"receipt_lines", "products"}),
    ),
}
