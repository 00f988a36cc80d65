"""A day's postings as arrays: which account, what kind, how much, and when. One keyed block per day.

Both the day generator and the state pass call ``draw_movements``, so the state pass sums exactly the
amounts the postings table shows, without drawing a timestamp or formatting a row. Arrivals are a
non-homogeneous Poisson process: an open account's count for the day is Poisson(daily level × weekday ×
its share of activity), and its postings' times are independent draws from the day's banking-hours
intensity (15-minute slots by inverse CDF, uniform inside the slot), which is that process conditioned on
the count. Counts drawn per account keep an account's draws in one place of the block.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt

from emitter.core.arrivals import cdf_pick, hour_curve, shares_cdf
from emitter.core.clock import EPOCH, MICROS_PER_SLOT, day_start_us
from emitter.core.rng import BlockKeys

from .accounts import Accounts

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]

STREAM = "postings"  # the block every amount comes from; other details draw from their own streams


@dataclass(frozen=True)
class PostingKind:
    memo: str
    share: float
    sign: int  # +1 credit, -1 debit
    size: float  # multiple of the account's typical card payment


KINDS = (
    PostingKind("CARD PAYMENT", 0.45, -1, 1.0),
    PostingKind("ATM WITHDRAWAL", 0.10, -1, 1.5),
    PostingKind("DIRECT DEBIT", 0.08, -1, 3.0),
    PostingKind("TRANSFER OUT", 0.04, -1, 8.0),
    PostingKind("SALARY", 0.04, +1, 12.0),
    PostingKind("TRANSFER IN", 0.10, +1, 4.0),
    PostingKind("DEPOSIT", 0.14, +1, 2.0),
    PostingKind("REFUND", 0.05, +1, 0.8),
)  # credits outweigh debits by a few percent, so most balances drift up slowly
KIND_CDF = shares_cdf([k.share for k in KINDS])
KIND_SIGN = np.array([k.sign for k in KINDS], dtype=np.int64)
KIND_SIZE = np.array([k.size for k in KINDS], dtype=np.float64)
AMOUNT_SIGMA = 0.7
# Mon … Sun, relative to an average day
_WEEKDAY = np.array([1.12, 1.08, 1.06, 1.08, 1.22, 0.82, 0.62])
WEEKDAY = _WEEKDAY / _WEEKDAY.mean()
# quiet nights, a morning ramp, a lunchtime peak and a busy end of the working day
BANKING_HOURS = hour_curve(
    {0.0: 0.12, 5.0: 0.2, 8.0: 1.0, 10.0: 1.6, 12.5: 1.9, 15.0: 1.6, 17.5: 1.5, 20.0: 0.8, 22.5: 0.3}
)
SLOT_CDF = shares_cdf(BANKING_HOURS)


@dataclass(frozen=True)
class Movements:
    """One day's postings in draw order: grouped by account, not yet in time order."""

    account: I64  # index into Accounts
    kind: I64  # index into KINDS
    cents: I64  # signed amount

    @property
    def size(self) -> int:
        return int(self.account.size)


def expected_postings(accounts: Accounts, day: date, postings_per_day: float, opens: date) -> F64:
    """Expected postings per account on ``day``: none before the ledger opens or the account does."""
    if day < opens:
        return np.zeros(accounts.size)
    weights = np.where(accounts.opened_on <= (day - EPOCH).days, accounts.activity, 0.0)
    total = weights.sum()
    level = postings_per_day * WEEKDAY[day.weekday()]
    return np.asarray(level * weights / total if total > 0 else weights, dtype=np.float64)


def draw_movements(keys: BlockKeys, accounts: Accounts, day: date, postings_per_day: float, opens: date) -> Movements:
    """The postings of ``day`` without their times: all the state pass needs."""
    rng = keys.rng(STREAM, day)
    count = rng.poisson(expected_postings(accounts, day, postings_per_day, opens))
    account = np.repeat(np.arange(accounts.size, dtype=np.int64), count)
    n = account.size
    kind = cdf_pick(rng, KIND_CDF, n)
    size = accounts.amount_scale[account] * KIND_SIZE[kind] * rng.lognormal(0.0, AMOUNT_SIGMA, n)
    cents = KIND_SIGN[kind] * np.maximum(np.rint(size), 1).astype(np.int64)
    return Movements(account, kind, cents)


def posting_times(keys: BlockKeys, day: date, n: int) -> I64:
    """When the day's ``n`` postings are booked (µs), along the banking-hours curve; not sorted."""
    rng = keys.rng("posting-times", day)
    slot = cdf_pick(rng, SLOT_CDF, n)
    offset = (rng.random(n) * MICROS_PER_SLOT).astype(np.int64)
    return day_start_us(day) + slot * MICROS_PER_SLOT + offset


def net_per_account(movements: list[Movements], n_accounts: int) -> I64:
    """Σ cents per account over some days' movements.

    Float weights keep this one bincount; it is exact because every partial sum is a whole number of
    cents far below 2**53.
    """
    if not movements:
        return np.zeros(n_accounts, dtype=np.int64)
    account = np.concatenate([m.account for m in movements])
    cents = np.concatenate([m.cents for m in movements]).astype(np.float64)
    return np.rint(np.bincount(account, weights=cents, minlength=n_accounts)).astype(np.int64)
