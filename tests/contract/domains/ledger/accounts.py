"""The accounts: each one's whole life drawn once from its keyed generator (closed form, no replay).

An account joins the ledger on ``opened_on`` with ``opening_balance``: accounts older than the ledger
were migrated with their balance on its opening day, newer ones open with a first deposit. How busy an
account is and how large its postings run are drawn here too, so the day generators only look them up.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from emitter.core.clock import EPOCH
from emitter.core.columns import decimal_from_units, pooled
from emitter.core.rng import BlockKeys

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]

ACCOUNT_BASE = 4_100_000_000  # account numbers need a long
BRANCHES = (
    "Harbour Road",
    "Market Square",
    "North Gate",
    "Riverside",
    "Station Street",
    "Old Town",
    "Hillcrest",
    "Westfield",
    "Kings Cross",
    "Parkway",
    "Lakeside",
    "University",
)
# owners are drawn from fixed name lists: cheaper than Faker, and no library upgrade can change the bytes
FIRST_NAMES = (
    "Ada", "Amir", "Bea", "Carlos", "Chen", "Dana", "Elif", "Farah", "Gus", "Hana", "Ivan", "Jonas",
    "Kemi", "Lars", "Maya", "Nico", "Olga", "Priya", "Quinn", "Rosa", "Sami", "Tariq", "Uma", "Yusuf",
)  # fmt: skip
LAST_NAMES = (
    "Abara", "Berg", "Costa", "Dubois", "Eriksen", "Fischer", "Garcia", "Haddad", "Ito", "Jansen",
    "Kowalski", "Lindqvist", "Moreau", "Novak", "Okafor", "Petrov", "Quispe", "Rossi", "Silva", "Tanaka",
    "Umarov", "Varga", "Weber", "Zhou",
)  # fmt: skip
MIGRATED_SHARE = 0.8  # accounts older than the ledger; the rest open during its first year
HISTORY_DAYS = 6 * 365  # how far back migrated accounts were first opened
NEW_ACCOUNT_DAYS = 365


@dataclass(frozen=True)
class Accounts:
    """Every account; index i is row i of ``core.accounts``."""

    account_id: I64
    branch: I64
    first_name: I64
    last_name: I64
    opened_on: I64  # days since the epoch
    opening_cents: I64
    activity: F64  # relative share of the day's postings once open
    amount_scale: F64  # typical card payment in cents; other kinds of posting are multiples of it

    @property
    def size(self) -> int:
        return int(self.account_id.size)

    def table_columns(self) -> dict[str, object]:
        first = pa.array(FIRST_NAMES).take(pa.array(self.first_name))
        last = pa.array(LAST_NAMES).take(pa.array(self.last_name))
        return {
            "account_id": self.account_id,
            "branch": pooled(BRANCHES, self.branch),
            "owner": pc.binary_join_element_wise(first, last, " "),
            "opened_on": pa.array(self.opened_on.astype("datetime64[D]")),
            "opening_balance": decimal_from_units(self.opening_cents, 14, 2),
        }


def build_accounts(keys: BlockKeys, n: int, branches: int, opens: date) -> Accounts:
    """Draw ``n`` accounts spread over ``branches`` branches, for a ledger that opens on ``opens``."""
    rng = keys.rng("accounts", 0)
    ledger_day = (opens - EPOCH).days
    migrated = rng.random(n) < MIGRATED_SHARE
    opened_on = np.where(
        migrated,
        ledger_day - rng.integers(1, HISTORY_DAYS, n),
        ledger_day + rng.integers(0, NEW_ACCOUNT_DAYS, n),
    )
    # migrated accounts bring a few months of savings; new ones start with a first deposit
    balance = np.where(migrated, rng.lognormal(np.log(400_000), 0.9, n), rng.lognormal(np.log(50_000), 0.8, n))
    return Accounts(
        account_id=ACCOUNT_BASE + 1 + np.arange(n, dtype=np.int64),
        branch=rng.integers(0, branches, n),
        first_name=rng.integers(0, len(FIRST_NAMES), n),
        last_name=rng.integers(0, len(LAST_NAMES), n),
        opened_on=opened_on.astype(np.int64),
        opening_cents=np.maximum(np.rint(balance), 100).astype(np.int64),
        activity=rng.lognormal(0.0, 0.8, n),
        amount_scale=rng.lognormal(np.log(4_000), 0.6, n),
    )
