"""The ledger's tables as the contract declares them: two namespaces, keys, event times, foreign keys.

Schemas: ``schemas/<namespace>/<table>.avsc`` beside this file. ``core`` is the ledger itself, ``audit``
the review desk; both have a table named ``postings``, so every table id is qualified (``core.postings``).
"""

from __future__ import annotations

from emitter.scenarios.tables import ForeignKey, TableKind, TableSpec

CORE = "core"
AUDIT = "audit"
ACCOUNTS = f"{CORE}.accounts"
BALANCES = f"{CORE}.balances"
POSTINGS = f"{CORE}.postings"
AUDITS = f"{AUDIT}.postings"

_ACCOUNT = ForeignKey("account_id", ACCOUNTS, "account_id")

# Core tables key by account, so an account's postings and balances share a partition and keep their
# order; audit records key by the posting they review.
TABLES = (
    TableSpec("accounts", TableKind.REFERENCE, CORE, doc="Every account, with the balance it joined the ledger with."),
    TableSpec(
        "balances",
        TableKind.ENTITY,
        CORE,
        key="account_id",
        event_time="event_ts",
        event_id="trace_id",
        foreign_keys=(_ACCOUNT,),
        doc="An account's balance after its last posting of a day it moved.",
    ),
    TableSpec(
        "postings",
        TableKind.EVENT,
        CORE,
        key="account_id",
        event_time="event_ts",
        event_id="trace_id",
        foreign_keys=(_ACCOUNT,),
        doc="Credits and debits, arriving along the banking day.",
    ),
    TableSpec(
        "postings",
        TableKind.EVENT,
        AUDIT,
        key="posting_id",
        event_time="event_ts",
        moves_with_event_time=("posted_at",),
        event_id="trace_id",
        foreign_keys=(ForeignKey("posting_id", POSTINGS, "posting_id"),),
        doc="One review record per posting above the audit threshold.",
    ),
)
