"""What ``emitter demo`` asks the warehouse after a ledger replay: title → (DuckDB SQL, the table ids it needs)."""

from __future__ import annotations

from .table_specs import BALANCES, POSTINGS

SAMPLE_QUERIES = {
    "postings per hour": (
        """SELECT date_trunc('hour', event_ts) AS hour, count(*) AS postings,
            sum(amount) FILTER (WHERE amount > 0) AS credits, sum(amount) FILTER (WHERE amount < 0) AS debits
        FROM core.postings GROUP BY ALL ORDER BY hour""",
        frozenset({POSTINGS}),
    ),
    "most overdrawn accounts": (
        """SELECT account_id, arg_max(balance, event_ts) AS balance, max(event_ts) AS as_of
        FROM core.balances GROUP BY ALL HAVING arg_max(status, event_ts) = 'OVERDRAWN'
        ORDER BY balance LIMIT 10""",
        frozenset({BALANCES}),
    ),
}
HINT = "SELECT memo, count(*) AS postings, sum(amount) AS net FROM core.postings GROUP BY ALL ORDER BY net"
