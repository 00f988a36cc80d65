"""A day's tables from the ledger's decisions: transactions, the fraud labels, and account change events."""

from __future__ import annotations

from datetime import date

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from emitter.core.clock import day_start_us, yyyymmdd
from emitter.core.columns import Decimals, fixed_width_ids, pooled
from emitter.scenarios.banking.accounts import ACCOUNT_DIGITS, Accounts, closed_at, opened_at
from emitter.scenarios.banking.attempts import CHANNELS, CLOSURE, FRAUD_PATTERNS, TYPES
from emitter.scenarios.banking.ledger import Posted
from emitter.scenarios.banking.places import PLACES, Places
from emitter.scenarios.banking.vocabulary import ACCOUNT_TYPES, BRANCHES, MERCHANT_CATEGORIES
from emitter.scenarios.event_tables import EventTables

I64 = npt.NDArray[np.int64]
EVENT_CODES = {"accounts_db.transactions": 1, "accounts_db.fraud_labels": 2, "accounts_db.account_events": 3}
FLOWS = ("spending", "income")
STATUSES = ("posted", "declined")
DECLINED_FOR = pa.array(["insufficient_funds"])
_CITY_NAMES = pa.array([c.name for c in PLACES])
_COUNTRIES = pa.array([c.country for c in PLACES])
_CATEGORY_NAMES = pa.array([c.name for c in MERCHANT_CATEGORIES])


class TableBuilder:
    def __init__(self, events: EventTables, accounts: Accounts, customer_id: I64, places: Places) -> None:
        self.events, self.a, self.customer_id, self.places = events, accounts, customer_id, places
        first = np.r_[True, accounts.customer[1:] != accounts.customer[:-1]]
        self.first_account = first  # the customer's first account: opening it makes a new customer

    def transactions(self, day: date, p: Posted) -> pa.Table:
        r, a, places = p.rows, self.a, self.places
        merchant = r.merchant
        category = np.where(merchant >= 0, places.merchant_category[merchant.clip(0)], -1)
        return self.events.finish(
            "accounts_db.transactions",
            day,
            r.ts,
            {
                "account_id": a.account_id[r.account],
                "customer_id": self.customer_id[a.customer[r.account]],
                "transaction_type": pooled(TYPES, r.ttype),
                "flow": pooled(FLOWS, _flow(p)),
                "amount": Decimals(p.amount, 14, 2),
                "status": pooled(STATUSES, (~p.posted).astype(np.int64)),
                "decline_reason": DECLINED_FOR.take(pa.array(np.zeros(r.size, np.int32), mask=p.posted)),
                "balance_after": Decimals(p.balance_after, 14, 2),
                "merchant_name": _maybe(places.merchant_names, merchant),
                "merchant_category": _maybe(_CATEGORY_NAMES, category),
                "channel": pooled(CHANNELS, r.channel),
                "device_id": _maybe(places.devices, r.device),
                "city": _maybe(_CITY_NAMES, r.city),
                "country": _maybe(_COUNTRIES, r.city),
                "latitude": pa.array(np.round(r.lat, 5), mask=np.isnan(r.lat)),
                "longitude": pa.array(np.round(r.lon, 5), mask=np.isnan(r.lon)),
            },
        )

    def fraud_labels(self, day: date, p: Posted, transactions: pa.Table) -> pa.Table:
        rows = np.flatnonzero(p.rows.pattern >= 0)
        account = self.a.account_id[p.rows.account[rows]]
        incident = fixed_width_ids(f"FRI{yyyymmdd(day)}-", [(account, ACCOUNT_DIGITS)]).to_arrow()
        return self.events.finish(
            "accounts_db.fraud_labels",
            day,
            p.rows.ts[rows],
            {
                "transaction_id": transactions.column("transaction_id").take(pa.array(rows)),
                "account_id": account,
                "incident_id": incident,
                "pattern": pooled(FRAUD_PATTERNS, p.rows.pattern[rows]),
            },
        )

    def account_events(self, day: date) -> pa.Table:
        a, d, start = self.a, day.toordinal(), day_start_us(day)
        opened = np.flatnonzero(a.opened == d)
        closed = np.flatnonzero(a.closed == d)
        rows = np.concatenate([opened, closed])
        is_open = np.arange(rows.size) < opened.size
        ts = np.concatenate([opened_at(start, opened), closed_at(start, closed)])
        return self.events.finish(
            "accounts_db.account_events",
            day,
            ts,
            {
                "account_id": a.account_id[rows],
                "customer_id": self.customer_id[a.customer[rows]],
                "event_type": pooled(("opened", "closed"), (~is_open).astype(np.int64)),
                "new_customer": is_open & self.first_account[rows],
                "account_type": pooled([t[0] for t in ACCOUNT_TYPES], a.kind[rows]),
                "branch_code": pooled([b for b, _ in BRANCHES], a.branch[rows]),
                "status": pooled(("active", "closed"), (~is_open).astype(np.int64)),
            },
        )


def _flow(p: Posted) -> I64:
    """0 spending, 1 income: what the row was for (a closing withdrawal by where the money went)."""
    closing = p.rows.ttype == CLOSURE
    return np.where(closing, p.amount >= 0, p.rows.sign > 0).astype(np.int64)


def _maybe(pool: pa.Array, index: I64) -> pa.Array:
    """``pool`` at ``index``, null where the index is -1."""
    return pool.take(pa.array(index.clip(0), mask=index < 0))
