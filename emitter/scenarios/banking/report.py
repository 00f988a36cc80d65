"""What ``emitter report`` shows of banking: balances, amounts, transaction and channel mix, fraud, merchants."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from emitter.scenarios.figures import Figure, distribution, have, mix, top
from emitter.scenarios.rules import decimal_units

TRANSACTIONS, LABELS, PROFILES = "accounts_db.transactions", "accounts_db.fraud_labels", "customer_db.customer_profiles"


def figures(tables: Mapping[str, pa.Table]) -> list[Figure]:
    """Banking's domain figures over the tables at hand."""
    out = []
    if have(tables, TRANSACTIONS):
        tx = tables[TRANSACTIONS]
        out.append(
            distribution(
                "Balances",
                _latest_balance_thousands(tx),
                x="latest balance, thousand USD",
                y="accounts",
                cap=100,
                least=0,
                note="each account's balance after its last transaction at hand",
            )
        )
        cards = tx.filter(pc.equal(tx.column("transaction_type"), "card_purchase"))
        out.append(
            distribution(
                "Card purchase amounts",
                np.asarray(-decimal_units(cards, "amount") // 1_000, dtype=np.int64),
                x="amount, tens of USD",
                y="purchases",
                cap=50,
                least=0,
            )
        )
        out.append(mix("Transactions by type", tx.column("transaction_type"), x="type", y="transactions"))
        out.append(mix("Channels", tx.column("channel"), x="channel", y="transactions"))
        out.append(mix("Posted and declined", tx.column("status"), x="status", y="transactions"))
        out.append(
            top(
                "Top merchants by purchases",
                pc.drop_null(cards.column("merchant_name")),
                {},
                x="merchant",
                y="purchases",
            )
        )
    if have(tables, LABELS):
        out.append(mix("Fraud by pattern", tables[LABELS].column("pattern"), x="pattern", y="labelled transactions"))
    if have(tables, PROFILES):
        out.append(mix("Customer segments", tables[PROFILES].column("segment"), x="segment", y="customers"))
    return out


def _latest_balance_thousands(tx: pa.Table) -> np.ndarray:
    order = pc.sort_indices(tx, sort_keys=[("account_id", "ascending"), ("transaction_at", "ascending")])
    sorted_tx = tx.take(order)
    account = sorted_tx.column("account_id").to_numpy()
    last = np.r_[account[1:] != account[:-1], True] if account.size else np.zeros(0, bool)
    return np.asarray(decimal_units(sorted_tx, "balance_after")[last] // 100_000, dtype=np.int64)
