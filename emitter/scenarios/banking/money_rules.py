"""Money that adds up: balances chain row by row, limits hold, declines are real, accounts bound their rows.

The days at hand may start anywhere: an account's chain starts from ``accounts.balance`` when the window
holds its ledger's first row (the window starts on ``ledger_from``, or the account opened inside it), and
from the balance before its first row at hand otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from emitter.core.columns import EPOCH_ORDINAL, round_half_up_div
from emitter.scenarios.banking.ledger import BASIS_POINTS_A_MONTH
from emitter.scenarios.banking.settings import BankingSettings
from emitter.scenarios.rules import RuleResult, at_rows, counted, days, decimal_units, ints, is_, lookup

Tables = Mapping[str, pa.Table]
I64 = npt.NDArray[np.int64]
ACCOUNTS, TRANSACTIONS = "accounts_db.accounts", "accounts_db.transactions"
SPENDING = ("card_purchase", "bill_payment", "atm_withdrawal", "fee")
INCOME = ("deposit", "direct_deposit", "interest")


class Chains:
    """The transactions at hand in (account, time, id) order, with what the rules need beside them."""

    def __init__(self, t: pa.Table) -> None:
        # ids are numbered in posting order within a day, so they break ties of time
        keys = [("account_id", "ascending"), ("transaction_at", "ascending"), ("transaction_id", "ascending")]
        order = pc.sort_indices(t, sort_keys=keys).to_numpy()
        self.account, self.ts = ints(t, "account_id")[order], ints(t, "transaction_at")[order]
        self.amount = decimal_units(t, "amount")[order]
        self.after = decimal_units(t, "balance_after")[order]
        self.posted = is_(t, "status", "posted")[order]
        self.day = days(t, "transaction_at")[order]
        self.closure = is_(t, "transaction_type", "account_closure")[order]
        self.interest = is_(t, "transaction_type", "interest")[order]
        self.first = np.r_[True, self.account[1:] != self.account[:-1]] if t.num_rows else np.zeros(0, bool)
        moved = np.where(self.posted, self.amount, 0)
        self.before = self.after - moved  # what each row claims the balance was before it
        self.n = t.num_rows


def check_money(tables: Tables, settings: BankingSettings) -> list[RuleResult]:
    if TRANSACTIONS not in tables:
        return []
    t = tables[TRANSACTIONS]
    c = Chains(t)
    out = [
        counted(
            "a row's balance is the one before it plus what it posted (declined rows move nothing)",
            int((c.before[~c.first] != c.after[np.flatnonzero(~c.first) - 1]).sum()),
            "rows after an account's first",
            int((~c.first).sum()),
        ),
        counted(
            "income is positive and spending negative",
            int((is_(t, "flow", "income") != (decimal_units(t, "amount") >= 0)).sum()),
            "transactions",
            t.num_rows,
        ),
        counted(
            "purchases, bills, cash and fees are spending; deposits, salaries and interest income",
            int(
                (
                    (is_(t, "transaction_type", *SPENDING) & ~is_(t, "flow", "spending"))
                    | (is_(t, "transaction_type", *INCOME) & ~is_(t, "flow", "income"))
                ).sum()
            ),
            "transactions",
            t.num_rows,
        ),
    ]
    if ACCOUNTS in tables:
        out += _against_accounts(c, tables[ACCOUNTS], settings)
    return out


def _against_accounts(c: Chains, accounts: pa.Table, settings: BankingSettings) -> list[RuleResult]:
    row = lookup(c.account, ints(accounts, "account_id"))
    overdraft = at_rows(decimal_units(accounts, "overdraft_limit"), row, 0)
    opening = at_rows(decimal_units(accounts, "balance"), row, 0)
    opened = at_rows(ints(accounts, "opened_date"), row, -1)
    closed = at_rows(ints(accounts, "closed_date", null=2**30), row, 2**30)
    first_day = int(c.day.min()) if c.n else 0
    ledger_from = settings.volume.ledger_from.toordinal() - EPOCH_ORDINAL
    starts_here = c.first & ((first_day <= ledger_from) | (opened >= first_day))
    declined = ~c.posted
    debit = c.amount < 0
    return [
        counted(
            "an account's first row starts from accounts.balance",
            int((c.before[starts_here] != opening[starts_here]).sum()),
            "accounts whose ledger starts in the days at hand",
            int(starts_here.sum()),
        ),
        counted(
            "no balance goes below minus its overdraft limit",
            int((c.after < -overdraft).sum()),
            "transactions",
            c.n,
        ),
        counted(
            "a declined row is a debit the balance and limit could not cover",
            int((declined & ~(debit & (c.before + c.amount < -overdraft))).sum()),
            "declined transactions",
            int(declined.sum()),
        ),
        counted(
            "no transaction before its account opened or after it closed",
            int(((c.day < opened) | (c.day > closed)).sum()),
            "transactions",
            c.n,
        ),
        _closings(c, accounts, settings),
        _interest(c, at_rows(decimal_units(accounts, "interest_rate"), row, 0)),
    ]


def _closings(c: Chains, accounts: pa.Table, settings: BankingSettings) -> RuleResult:
    """Every account closing in the days at hand ends them with its closing withdrawal, empty."""
    closed = ints(accounts, "closed_date")
    ledger_from = settings.volume.ledger_from.toordinal() - EPOCH_ORDINAL
    first_day, last_day = (int(c.day.min()), int(c.day.max())) if c.n else (1, 0)
    closing = np.flatnonzero((closed >= max(first_day, ledger_from)) & (closed <= last_day))
    last = np.flatnonzero(_last_of_account(c))
    at = lookup(ints(accounts, "account_id")[closing], c.account[last])  # each closing account's last row
    row = np.where(at >= 0, last[at.clip(0)], -1)
    ok = (row >= 0) & (at_rows(c.day, row, -1) == closed[closing]) & at_rows(c.closure, row, False)
    ok &= at_rows(c.after, row, 1) == 0
    return counted(
        "an account closing ends with its closing withdrawal, empty",
        int((~ok).sum()),
        "accounts closing in the days at hand",
        closing.size,
    )


def _interest(c: Chains, rate_bp: I64) -> RuleResult:
    """Interest is the balance before it times the yearly rate over twelve, to the cent."""
    due = round_half_up_div(c.before * rate_bp, BASIS_POINTS_A_MONTH)
    return counted(
        "interest is the balance times the rate over twelve",
        int((c.interest & (c.amount != due)).sum()),
        "interest rows",
        int(c.interest.sum()),
    )


def _last_of_account(c: Chains) -> npt.NDArray[np.bool_]:
    return np.r_[c.account[1:] != c.account[:-1], True] if c.n else np.zeros(0, bool)
