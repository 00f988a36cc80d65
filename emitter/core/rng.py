"""Keyed randomness: every draw comes from a generator derived from the block it belongs to.

A block is (seed, scenario, stream, day, shard). Because the generator depends only on that key,
the same block yields the same values whatever range is requested, in whatever order, in
whichever process.
"""

from __future__ import annotations

import zlib
from datetime import date

import numpy as np


def stable_id(name: str) -> int:
    """A process-independent integer for a name (Python's hash() is salted per process)."""
    return zlib.crc32(name.encode())


def block_rng(seed: int, scenario: str, stream: str, day: date | int, shard: int = 0) -> np.random.Generator:
    """The generator for one block.

    Args:
        seed: the user's seed.
        scenario: scenario name, e.g. "retail".
        stream: what is being drawn, e.g. "visits" or "baskets"; separate streams stay independent
            so adding draws to one never shifts another.
        day: the time bucket (a date, or any non-negative integer bucket index).
        shard: entity shard within the bucket.
    """
    bucket = day.toordinal() if isinstance(day, date) else int(day)
    key = np.random.SeedSequence([seed, stable_id(scenario), stable_id(stream), shard, bucket])
    return np.random.Generator(np.random.PCG64(key))
