"""Running balances: the balance after each movement, per key, in event order, from a starting state.

Stock per (store, product), stock per (DC, product), an account's balance: one vectorized helper serves
every domain that keeps a ledger.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

I64 = npt.NDArray[np.int64]


def running_balance(key: I64, time: I64, delta: I64, opening: I64) -> I64:
    """The balance after each row: ``opening[key]`` plus every earlier ``delta`` of the same key.

    Rows of one key count in ``time`` order; rows at the same time in input order.

    Args:
        key: a non-negative key per row (an index into ``opening``).
        time: the row's time.
        delta: the row's movement (positive in, negative out).
        opening: the balance of every key before its first row.
    """
    rank = np.empty(time.size, dtype=np.int64)
    rank[np.argsort(time, kind="stable")] = np.arange(time.size)
    order = np.lexsort((rank, key))
    moved = delta[order]
    total = np.cumsum(moved)
    first = np.r_[True, key[order][1:] != key[order][:-1]] if key.size else np.zeros(0, dtype=bool)
    # subtract the running total as it stood before each key's first row
    before = (total - moved)[np.flatnonzero(first)]
    total -= before[np.cumsum(first) - 1]
    after = np.empty_like(total)
    after[order] = opening[key[order]] + total
    return after
