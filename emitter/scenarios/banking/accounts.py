"""Accounts (``accounts_db.accounts``) and their relationships, drawn once; arrays serve the ledger."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from emitter.core.arrivals import cdf_pick, exact_shares, shares_cdf
from emitter.core.clock import MICROS_PER_HOUR, MICROS_PER_MINUTE, MICROS_PER_SECOND
from emitter.core.columns import date_column, decimal_from_units, fixed_width_ids
from emitter.scenarios.banking.customers import Customers
from emitter.scenarios.banking.settings import BankingSettings
from emitter.scenarios.banking.vocabulary import (
    ACCOUNT_TYPES,
    BRANCHES,
    CHECKING,
    MONEY_MARKET,
    OVERDRAFT_LIMITS,
    RELATIONSHIP_TYPES,
    SAVINGS,
)
from emitter.scenarios.tables import Catalog

I64 = npt.NDArray[np.int64]
FIRST_ACCOUNT_ID = 40_000_001
ACCOUNT_DIGITS = 8  # account ids stay eight digits up to 59,999,999 accounts
NEVER = 10**9  # an ordinal after any day: not closed
PAID_OUT_BEFORE_CLOSING = 5 * MICROS_PER_MINUTE
THIRD_ACCOUNT = 0.02  # of holders with several accounts (the rest hold two)
MIN_DAYS_OPEN = 30  # before an account may close
# (joint holder, linked savings, ...): which relate to another customer, which to an own account
TO_ACCOUNT = frozenset({"linked_savings", "overdraft_protection"})
# salary schedules: monthly (last business day), semi-monthly (15th and last), every other Friday
PAY_SCHEDULES = (("monthly", 0.4), ("semimonthly", 0.3), ("biweekly", 0.3))


@dataclass(frozen=True)
class Accounts:
    account_id: I64
    customer: I64  # row in Customers
    kind: I64  # index into ACCOUNT_TYPES
    opened: I64  # ordinal
    closed: I64  # ordinal, NEVER when open
    carried: I64  # cents: the balance the ledger starts from
    overdraft: I64  # cents
    rate_bp: I64  # interest a year, basis points
    salaried: npt.NDArray[np.bool_]  # the customer's first checking account, where salary arrives
    pay_schedule: I64  # index into PAY_SCHEDULES
    pay_phase: I64  # 0 or 1: which Fridays a biweekly salary falls on
    monthly_cents: I64  # the customer's income a month: what amounts scale with
    branch: I64  # index into BRANCHES
    tables: dict[str, pa.Table]


def build_accounts(
    rng: np.random.Generator, settings: BankingSettings, people: Customers, catalog: Catalog
) -> Accounts:
    s, v = settings.shares, settings.volume
    n_customers = people.customer_id.size
    holders = np.flatnonzero(exact_shares(rng, [1 - s.account_holders, s.account_holders], n_customers) == 1)
    several = exact_shares(rng, [1 - s.several_accounts, s.several_accounts], holders.size) == 1
    count = np.where(several, 2 + (rng.random(holders.size) < THIRD_ACCOUNT), 1)
    customer = np.repeat(holders, count)
    n = customer.size
    nth = np.arange(n) - np.repeat(np.cumsum(count) - count, count)  # 0 for a customer's first account
    kind = exact_shares(rng, list(s.account_type.values()), n)
    until = v.until.toordinal()
    since = people.since[customer]
    opened = np.where(nth == 0, since, since + np.floor(rng.random(n) * (until - since + 1)).astype(np.int64))
    may_close = until - opened > MIN_DAYS_OPEN
    closes = may_close & (rng.random(n) < s.closed / max(float(may_close.mean()), 1e-9))
    closed = np.where(
        closes,
        opened + MIN_DAYS_OPEN + np.floor(rng.random(n) * (until - opened - MIN_DAYS_OPEN)).astype(np.int64),
        NEVER,
    )
    monthly = people.income_cents[customer] // 12
    months_held = np.array([t[3] for t in ACCOUNT_TYPES])[kind]
    carried_in = (opened < v.ledger_from.toordinal()) & (closed >= v.ledger_from.toordinal())
    carried = np.where(carried_in, np.round(monthly * months_held * rng.lognormal(0.0, 0.8, n)), 0).astype(np.int64)
    has_overdraft = (kind == CHECKING) & (rng.random(n) < settings.activity.overdraft)
    overdraft = np.where(has_overdraft, np.array(OVERDRAFT_LIMITS)[rng.integers(0, len(OVERDRAFT_LIMITS), n)], 0)
    low = np.array([t[1] for t in ACCOUNT_TYPES])[kind]
    high = np.array([t[2] for t in ACCOUNT_TYPES])[kind]
    rate_bp = low + np.floor(rng.random(n) * (high - low + 1)).astype(np.int64)
    # salary arrives at the customer's first checking account
    checking = kind == CHECKING
    first_checking = np.zeros(n, dtype=bool)
    rows = np.flatnonzero(checking)
    _, first = np.unique(customer[rows], return_index=True)
    first_checking[rows[first]] = True
    salaried = first_checking & (people.income_cents[customer] > 0)

    ids = FIRST_ACCOUNT_ID + np.arange(n, dtype=np.int64)
    branch = _branch_of(rng, people.city[customer])
    numbers = rng.integers(10**9, 10**10 - 1, n)
    table = catalog.conform(
        "accounts_db.accounts",
        {
            "account_id": ids,
            "account_number": fixed_width_ids("", [(numbers, 10)]).to_arrow(),
            "customer_id": people.customer_id[customer],
            "account_type": pa.array([t[0] for t in ACCOUNT_TYPES]).take(pa.array(kind)),
            "branch_code": pa.array([b for b, _ in BRANCHES]).take(pa.array(branch)),
            "currency": pa.array(np.full(n, "USD")),
            "opened_date": date_column(opened),
            "closed_date": date_column(np.where(closes, closed, 0), mask=~closes),
            "status": pa.array(np.where(closes, "closed", "active")),
            "balance": decimal_from_units(carried, 14, 2),
            "overdraft_limit": decimal_from_units(overdraft, 14, 2),
            "interest_rate": decimal_from_units(rate_bp, 6, 4),
        },
    )
    accounts = Accounts(
        account_id=ids,
        customer=customer,
        kind=kind,
        opened=opened,
        closed=closed,
        carried=carried,
        overdraft=overdraft.astype(np.int64),
        rate_bp=rate_bp,
        salaried=salaried,
        pay_schedule=cdf_pick(rng, shares_cdf([w for _, w in PAY_SCHEDULES]), n),
        pay_phase=rng.integers(0, 2, n),
        monthly_cents=monthly.astype(np.int64),
        branch=branch,
        tables={"accounts_db.accounts": table},
    )
    relationships = _relationships(rng, settings, accounts, people, catalog)
    return replace(accounts, tables={**accounts.tables, **relationships})


def opened_at(day_start_us: int, rows: I64) -> I64:
    """When on its opening day an account opens: branch hours, spread by account (no draw needed)."""
    return day_start_us + 9 * MICROS_PER_HOUR + (rows * 7_919 % (8 * 3_600)) * MICROS_PER_SECOND


def closed_at(day_start_us: int, rows: I64) -> I64:
    """When on its closing day an account closes, after its balance is paid out."""
    return day_start_us + 10 * MICROS_PER_HOUR + (rows * 104_729 % (6 * 3_600)) * MICROS_PER_SECOND


def _branch_of(rng: np.random.Generator, city: I64) -> I64:
    """A branch in the customer's city where there is one, else any branch."""
    branch_city = np.array([c for _, c in BRANCHES])
    out = rng.integers(0, len(BRANCHES), city.size)
    for c in np.unique(branch_city):
        rows = np.flatnonzero(city == c)
        local = np.flatnonzero(branch_city == c)
        out[rows] = local[rng.integers(0, local.size, rows.size)]
    return out


def _relationships(
    rng: np.random.Generator, settings: BankingSettings, a: Accounts, people: Customers, catalog: Catalog
) -> dict[str, pa.Table]:
    """A share of accounts get one link and some a second; links to an own account need a second account."""
    n = a.account_id.size
    one, two = settings.shares.linked - settings.shares.two_links, settings.shares.two_links
    links = exact_shares(rng, [1 - one - two, one, two], n)  # relationships of each account: 0, 1 or 2
    linked, second = links >= 1, links == 2
    account = np.concatenate([np.flatnonzero(linked), np.flatnonzero(second)])
    account.sort(kind="stable")
    m = account.size
    types = [t for t, _ in RELATIONSHIP_TYPES]
    kind = cdf_pick(rng, shares_cdf([w for _, w in RELATIONSHIP_TYPES]), m)
    # an own other account: the customer's accounts are consecutive rows
    first_row = np.searchsorted(a.customer, a.customer[account], side="left")
    last_row = np.searchsorted(a.customer, a.customer[account], side="right") - 1
    other = np.where(account == first_row, last_row, first_row)
    until = settings.volume.until.toordinal()
    # a sweep or an overdraft cover runs from a checking account to the customer's own savings or money
    # market account, while both are open; otherwise the link is to another customer
    both_from = np.maximum(a.opened[account], a.opened[other])
    both_until = np.minimum(np.minimum(a.closed[account], a.closed[other]), until)
    fits = (a.kind[account] == CHECKING) & np.isin(a.kind[other], [SAVINGS, MONEY_MARKET]) & (both_until > both_from)
    to_account = np.isin(kind, [types.index(t) for t in TO_ACCOUNT])
    kind = np.where(to_account & ~fits, types.index("joint_holder"), kind)
    to_account &= fits
    start = np.where(to_account, both_from, a.opened[account])
    end = np.where(to_account, both_until, np.minimum(a.closed[account], until))
    since = start + np.floor(rng.random(m) * np.maximum(end - start, 0)).astype(np.int64)
    # the other customer had joined by then: drawn among those who joined before the link's window ends
    by_since = np.argsort(people.since, kind="stable")
    joined = np.maximum(np.searchsorted(people.since[by_since], end, side="right"), 1)
    pick = np.floor(rng.random(m) * joined).astype(np.int64)
    relative = by_since[pick]
    relative = np.where(relative == a.customer[account], by_since[(pick + 1) % joined], relative)  # not oneself
    since = np.where(to_account, since, np.maximum(since, people.since[relative]))
    table = catalog.conform(
        "accounts_db.account_relationships",
        {
            "relationship_id": 1 + np.arange(m, dtype=np.int64),
            "account_id": a.account_id[account],
            "relationship_type": pa.array(types).take(pa.array(kind)),
            "related_customer_id": pa.array(people.customer_id[relative], mask=to_account),
            "related_account_id": pa.array(a.account_id[other], mask=~to_account),
            "since_date": date_column(since),
        },
    )
    return {"accounts_db.account_relationships": table}
