"""What accounts try to do on a day, before the ledger decides: one row per attempted movement.

Rows are columns of equal length. Some amounts depend on the balance at the moment of posting (interest,
the closing withdrawal, a fraudster emptying an account); ``mode`` says how the ledger computes those.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
import numpy.typing as npt

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]

# transaction types, and whether each takes money out
TYPES = (
    "card_purchase",
    "bill_payment",
    "atm_withdrawal",
    "transfer",
    "deposit",
    "direct_deposit",
    "interest",
    "fee",
    "account_closure",
)
CARD, BILL, ATM, TRANSFER, DEPOSIT, SALARY, INTEREST, FEE, CLOSURE = range(len(TYPES))
CHANNELS = ("card_present", "online", "mobile", "atm", "branch", "ach", "system")
CARD_PRESENT, ONLINE, MOBILE, ATM_CHANNEL, BRANCH, ACH, SYSTEM = range(len(CHANNELS))
FRAUD_PATTERNS = ("card_testing", "account_takeover", "impossible_travel")

# how the ledger finds a row's amount
FIXED = 0  # magnitude × sign
RATE = 1  # interest: balance × magnitude (basis points a year) / 12, when the balance is positive
CLOSE = 2  # the whole balance, out (or in, to settle an overdrawn account)
SHARE = 3  # magnitude per mille of what is available (balance plus overdraft), out


@dataclass
class Attempts:
    account: I64  # row in Accounts
    ts: I64  # µs
    ttype: I64  # index into TYPES
    sign: I64  # -1 out, +1 in
    mode: I64
    magnitude: I64  # cents, basis points or per mille, by mode
    channel: I64
    merchant: I64  # index into the merchant pool, -1 none
    city: I64  # index into the place pool, -1 none
    lat: F64
    lon: F64
    device: I64  # index into the device pool, -1 none
    pattern: I64  # index into FRAUD_PATTERNS, -1 genuine

    @property
    def size(self) -> int:
        return int(self.account.size)

    @classmethod
    def concat(cls, parts: list[Attempts]) -> Attempts:
        return cls(**{f.name: np.concatenate([getattr(p, f.name) for p in parts]) for f in fields(cls)})

    def take(self, index: I64) -> Attempts:
        return Attempts(**{f.name: getattr(self, f.name)[index] for f in fields(self)})

    @classmethod
    def of(cls, account: I64, ts: I64, ttype: int | I64, sign: int | I64, magnitude: I64, **rest: object) -> Attempts:
        """Rows with defaults for what they don't name: a fixed amount, no merchant, place, device or fraud."""
        n = account.size

        def whole(value: object) -> I64:
            return np.broadcast_to(np.asarray(value, dtype=np.int64), (n,)).copy()

        def real(value: object) -> F64:
            return np.broadcast_to(np.asarray(value, dtype=np.float64), (n,)).copy()

        return cls(
            account=account,
            ts=ts,
            ttype=whole(ttype),
            sign=whole(sign),
            mode=whole(rest.get("mode", FIXED)),
            magnitude=np.asarray(magnitude, dtype=np.int64),
            channel=whole(rest.get("channel", SYSTEM)),
            merchant=whole(rest.get("merchant", -1)),
            city=whole(rest.get("city", -1)),
            lat=real(rest.get("lat", np.nan)),
            lon=real(rest.get("lon", np.nan)),
            device=whole(rest.get("device", -1)),
            pattern=whole(rest.get("pattern", -1)),
        )
