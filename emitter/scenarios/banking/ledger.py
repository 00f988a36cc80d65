"""The ledger: posts each day's attempts in time order, keeping every account's true balance.

A debit goes through only when the balance stays at or above minus the overdraft limit; otherwise it is
recorded as declined and the balance does not move. That makes a balance depend on the whole history, so
``balances_at`` replays the numeric part of every day since ``ledger_from`` (attempts and postings, no
table building), keeping a checkpoint at each month start so later days start from the nearest one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import numpy.typing as npt

from emitter.core.columns import round_half_up_div
from emitter.core.ordering import time_order
from emitter.core.rng import BlockKeys
from emitter.scenarios.banking.accounts import Accounts
from emitter.scenarios.banking.attempts import CLOSE, INTEREST, RATE, SHARE, Attempts
from emitter.scenarios.banking.flows import Profile, genuine
from emitter.scenarios.banking.fraud import incidents
from emitter.scenarios.banking.places import Places
from emitter.scenarios.banking.settings import BankingSettings

I64 = npt.NDArray[np.int64]
BLOCK = 65_536  # accounts per random block: a block's draws never depend on other accounts
SHARE_FLOOR_CENTS = 10_000  # a fraudster asks for at least this much, plus the share in dollars, whatever is left
BASIS_POINTS_A_MONTH = 10_000 * 12
CHECKPOINTS = 6  # month-start balances kept in memory


@dataclass(frozen=True)
class Posted:
    """A day's rows in time order, as the ledger decided them."""

    rows: Attempts
    amount: I64  # signed cents (a declined row keeps what was asked)
    posted: npt.NDArray[np.bool_]
    balance_after: I64


class Ledger:
    def __init__(
        self, keys: BlockKeys, settings: BankingSettings, accounts: Accounts, profile: Profile, places: Places
    ) -> None:
        self.keys, self.settings, self.accounts, self.profile, self.places = keys, settings, accounts, profile, places
        self.first = settings.volume.ledger_from
        self._checkpoints: dict[date, I64] = {}

    def opening(self) -> I64:
        """Balances at the start of ``ledger_from``: what older accounts carry in."""
        return self.accounts.carried.copy()

    def day(self, day: date, balances: I64) -> tuple[Posted, I64]:
        """Post ``day`` on top of ``balances`` (its start); return the rows and the balances at its end."""
        if day < self.first:
            return _nothing(), balances
        attempts = self.attempts(day)
        posted, after = post(attempts, balances, self.accounts.overdraft)
        if day.day == 1 and day not in self._checkpoints:
            self._checkpoints[day] = balances.copy()
            while len(self._checkpoints) > CHECKPOINTS:  # a few months back is all a worker revisits
                del self._checkpoints[min(self._checkpoints)]
        return posted, after

    def attempts(self, day: date) -> Attempts:
        n = self.accounts.account_id.size
        parts = []
        for block in range(-(-n // BLOCK)):
            rows = np.arange(block * BLOCK, min(n, (block + 1) * BLOCK), dtype=np.int64)
            rng = self.keys.rng("ledger", day, shard=block)
            parts.append(genuine(rng, day, rows, self.accounts, self.profile, self.places))
            fraud = self.keys.rng("fraud", day, shard=block)
            parts.append(incidents(fraud, day, rows, self.accounts, self.settings, self.places))
        return Attempts.concat(parts)

    def balances_at(self, day: date) -> I64:
        """Every account's balance at the start of ``day``, from the nearest checkpoint before it."""
        if day <= self.first:
            return self.opening()
        known = [d for d in self._checkpoints if d <= day]
        at = max(known) if known else self.first
        balances = self._checkpoints[at].copy() if known else self.opening()
        while at < day:
            _, balances = self.day(at, balances)
            at += timedelta(days=1)
        return balances


def post(attempts: Attempts, balances: I64, overdraft: I64) -> tuple[Posted, I64]:
    """Decide every attempt in time order (ties in the order given) and return the balances after them."""
    order = time_order(attempts.ts)
    rows = attempts.take(order)
    n = rows.size
    by_account = np.argsort(rows.account, kind="stable")  # time order kept within an account
    account_sorted = rows.account[by_account]
    starts = np.flatnonzero(np.r_[True, account_sorted[1:] != account_sorted[:-1]]) if n else np.zeros(0, np.int64)
    counts = np.diff(np.r_[starts, n])
    amount = np.zeros(n, dtype=np.int64)
    ok = np.zeros(n, dtype=bool)
    after = np.zeros(n, dtype=np.int64)
    balance = balances.copy()
    for rank in range(int(counts.max()) if n else 0):
        at = by_account[starts[counts > rank] + rank]  # one row per account: its rank-th of the day
        acc = rows.account[at]
        held = balance[acc]
        mode, magnitude = rows.mode[at], rows.magnitude[at]
        ask = rows.sign[at] * magnitude
        ask = np.where(
            mode == RATE, np.where(held > 0, round_half_up_div(held * magnitude, BASIS_POINTS_A_MONTH), 0), ask
        )
        ask = np.where(mode == CLOSE, -held, ask)
        available = np.maximum(held + overdraft[acc], 0)
        floor = SHARE_FLOOR_CENTS + magnitude * 100  # 600 to 1,050 USD: a try on an emptied account still varies
        ask = np.where(mode == SHARE, -np.maximum(available * magnitude // 1_000, floor), ask)
        allowed = (ask >= 0) | (held + ask >= -overdraft[acc]) | (mode == CLOSE)
        new = np.where(allowed, held + ask, held)
        balance[acc] = new
        amount[at], ok[at], after[at] = ask, allowed, new
    keep = ~((rows.ttype == INTEREST) & (amount == 0))  # no interest on an empty account: no row
    if not keep.all():
        rows, amount, ok, after = rows.take(np.flatnonzero(keep)), amount[keep], ok[keep], after[keep]
    return Posted(rows, amount, ok, after), balance


def _nothing() -> Posted:
    empty = np.zeros(0, dtype=np.int64)
    rows = Attempts.of(empty, empty, 0, 0, empty)
    return Posted(rows, empty, np.zeros(0, dtype=bool), empty)
