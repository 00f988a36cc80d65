"""Business rules of the ledger as executable checks over whole tables (keyed by table id).

Each check sees the reference table plus any number of consecutive days of per-day tables, and checks
what those tables can prove. A window that starts after the ledger opened gets the balances it should
start from from ``LedgerFacts.carried_in`` (the scenario's state pass). Declared foreign keys are
checked by the contract.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from emitter.core.clock import EPOCH, MICROS_PER_DAY
from emitter.scenarios.rules import RuleResult, at_rows, decimal_units

from .table_specs import ACCOUNTS, AUDITS, BALANCES, POSTINGS

I64 = npt.NDArray[np.int64]
BOOL = npt.NDArray[np.bool_]
Tables = Mapping[str, pa.Table]


@dataclass(frozen=True)
class LedgerFacts:
    """What the rules need beyond the tables: the settings, and the balances history carries into a window."""

    opens: date
    audit_threshold_cents: int
    max_audit_delay_us: int
    carried_in: Callable[[date], I64]  # balances at the start of a day, index = row of core.accounts


def _ints(t: pa.Table, name: str) -> I64:
    return np.asarray(t.column(name).to_numpy(), dtype=np.int64)


def _ts(t: pa.Table, name: str = "event_ts") -> I64:
    return np.asarray(t.column(name).cast(pa.int64()).to_numpy(), dtype=np.int64)


def _positions(values: pa.ChunkedArray, pool: pa.ChunkedArray) -> I64:
    """Row of each value in ``pool`` (its first match), -1 where it has none."""
    found = pc.index_in(values, value_set=pool.combine_chunks())
    return np.asarray(pc.fill_null(found, -1).to_numpy(), dtype=np.int64)


def _result(rule: str, broken: int, what: str, checked: int | None = None) -> RuleResult:
    detail = f"{broken} {what}" + ("" if checked is None else f" of {checked} checked")
    return RuleResult(rule, broken == 0, detail)


def balance_status(t: Tables, _: LedgerFacts) -> list[RuleResult]:
    if BALANCES not in t:
        return []
    b = t[BALANCES]
    overdrawn = np.asarray(pc.equal(b.column("status"), "OVERDRAWN").to_numpy(zero_copy_only=False), dtype=bool)
    known = pc.is_in(b.column("status"), value_set=pa.array(["ACTIVE", "OVERDRAWN"])).to_numpy(zero_copy_only=False)
    broken = int(((decimal_units(b, "balance") < 0) != overdrawn).sum() + (~np.asarray(known, dtype=bool)).sum())
    return [_result("core.balances.status is OVERDRAWN exactly when balance < 0", broken, "rows disagree")]


@dataclass(frozen=True)
class _Days:
    """Postings summed per (account, day), and the balance rows keyed the same way."""

    key: I64  # sorted (account, day) keys that have postings
    count: I64
    net: I64
    last_ts: I64
    row_key: I64  # per balance row
    row_match: I64  # index into key, -1 when the row's (account, day) had no posting
    day0: int  # first day of the window, in days since the epoch


def _per_day(p: pa.Table, b: pa.Table) -> _Days:
    p_acct, b_acct = _ints(p, "account_id"), _ints(b, "account_id")
    p_day, b_day = _ts(p) // MICROS_PER_DAY, _ts(b) // MICROS_PER_DAY
    accounts = np.unique(np.concatenate([p_acct, b_acct]))
    day0 = int(min(p_day.min(initial=2**40), b_day.min(initial=2**40)))
    span = int(max(p_day.max(initial=day0), b_day.max(initial=day0))) - day0 + 1

    def key(acct: I64, day: I64) -> I64:
        return np.searchsorted(accounts, acct).astype(np.int64) * span + (day - day0)

    keys, inverse = np.unique(key(p_acct, p_day), return_inverse=True)
    net = np.rint(np.bincount(inverse, weights=decimal_units(p, "amount").astype(np.float64), minlength=keys.size))
    last = np.full(keys.size, np.iinfo(np.int64).min)
    np.maximum.at(last, inverse, _ts(p))
    row_key = key(b_acct, b_day)
    match = np.full(row_key.size, -1, dtype=np.int64)
    if keys.size:
        at = np.minimum(np.searchsorted(keys, row_key), keys.size - 1)
        match = np.where(keys[at] == row_key, at, -1)
    return _Days(keys, np.bincount(inverse, minlength=keys.size), net.astype(np.int64), last, row_key, match, day0)


def balances_follow_postings(t: Tables, facts: LedgerFacts) -> list[RuleResult]:
    """A balance row per account and day with postings, stamped at its last one; balances carry day to day."""
    if BALANCES not in t or POSTINGS not in t:
        return []
    b, p = t[BALANCES], t[POSTINGS]
    d = _per_day(p, b)
    matched = d.row_match >= 0
    m = d.row_match[matched]
    duplicates = int(d.row_key.size - np.unique(d.row_key).size)
    missing = int(d.key.size - np.unique(d.row_key[matched]).size) + int((~matched).sum()) + duplicates
    bad_count = int((_ints(b, "postings")[matched] != d.count[m]).sum())
    bad_time = int((_ts(b)[matched] != d.last_ts[m]).sum())
    out = [
        _result("core.balances has one row per account and day with postings", missing, "rows missing or extra"),
        _result("core.balances.postings = the day's number of postings", bad_count, "rows differ"),
        _result("core.balances.event_ts = the account's last posting of the day", bad_time, "rows differ"),
    ]
    # running balance: each row = the account's previous row + that day's net; the first row of an
    # account starts from its opening balance when nothing can have moved it before the window
    balance = decimal_units(b, "balance")
    net = at_rows(d.net, d.row_match, 0)
    account = _ints(b, "account_id")
    order = np.lexsort((d.row_key, account))
    first = np.r_[True, account[order][1:] != account[order][:-1]] if order.size else np.zeros(0, dtype=bool)
    previous = np.roll(balance[order], 1)
    carried = np.zeros(order.size, dtype=bool)
    from_opening = np.zeros(order.size, dtype=bool)
    if ACCOUNTS in t and order.size:
        a = t[ACCOUNTS]
        row = _positions(b.column("account_id").take(pa.array(order)), a.column("account_id"))
        known = row >= 0
        opened = np.asarray(a.column("opened_on").cast(pa.int32()).to_numpy(), dtype=np.int64)
        window_opens = d.day0 <= (facts.opens - EPOCH).days
        from_opening = first & known & (window_opens | (at_rows(opened, row, -1) >= d.day0))
        previous = np.where(from_opening, at_rows(decimal_units(a, "opening_balance"), row, 0), previous)
        carried = first & known & ~from_opening
        if carried.any():
            history = facts.carried_in(EPOCH + timedelta(days=d.day0))
            previous = np.where(carried, at_rows(history, row, 0), previous)
    steps = (~first | from_opening) & matched[order]
    expected = previous + net[order]
    bad = int((balance[order] != expected)[steps].sum())
    out.append(
        _result("core.balances.balance = previous balance + the day's postings", bad, "rows differ", int(steps.sum()))
    )
    if ACCOUNTS in t:
        from_history = carried & matched[order]
        bad_carry = int((balance[order] != expected)[from_history].sum())
        out.append(
            _result(
                "core.balances start from every posting since the ledger opened",
                bad_carry,
                "rows differ",
                int(from_history.sum()),
            )
        )
    return out


def postings_in_time(t: Tables, facts: LedgerFacts) -> list[RuleResult]:
    if POSTINGS not in t:
        return []
    p = t[POSTINGS]
    day = _ts(p) // MICROS_PER_DAY
    out = [
        _result("core.postings.amount is never zero", int((decimal_units(p, "amount") == 0).sum()), "zero amounts"),
        _result("no posting before the ledger opened", int((day < (facts.opens - EPOCH).days).sum()), "early postings"),
    ]
    if ACCOUNTS in t:
        a = t[ACCOUNTS]
        row = _positions(p.column("account_id"), a.column("account_id"))
        opened = np.asarray(a.column("opened_on").cast(pa.int32()).to_numpy(), dtype=np.int64)
        early = (row >= 0) & (day < at_rows(opened, row, -1))
        out.append(_result("no posting before its account opened", int(early.sum()), "early postings"))
    return out


def audit_of_large_postings(t: Tables, facts: LedgerFacts) -> list[RuleResult]:
    if POSTINGS not in t or AUDITS not in t:
        return []
    p, a = t[POSTINGS], t[AUDITS]
    large: BOOL = np.abs(decimal_units(p, "amount")) > facts.audit_threshold_cents
    posting = _positions(a.column("posting_id"), p.column("posting_id"))
    known = posting >= 0  # audit rows of postings outside the tables are the foreign key's business
    reviews = np.bincount(posting[known], minlength=p.num_rows)
    posted = _ts(a, "posted_at")[known]
    delay = _ts(a)[known] - posted
    late = int(((posted != _ts(p)[posting[known]]) | (delay < 0) | (delay > facts.max_audit_delay_us)).sum())
    return [
        _result(
            "every posting above the audit threshold has exactly one audit record",
            int((reviews[large] != 1).sum()),
            "postings",
            int(large.sum()),
        ),
        _result("audit records review only postings above the threshold", int((reviews[~large] > 0).sum()), "postings"),
        _result(
            "an audit record follows its posting (posted_at = the posting's event_ts) within the review delay",
            late,
            "records",
            int(known.sum()),
        ),
    ]


CHECKS: tuple[Callable[[Tables, LedgerFacts], list[RuleResult]], ...] = (
    balance_status,
    balances_follow_postings,
    postings_in_time,
    audit_of_large_postings,
)


def check_all(t: Tables, facts: LedgerFacts) -> list[RuleResult]:
    return [result for check in CHECKS for result in check(t, facts)]
