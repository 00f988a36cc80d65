"""Keyed randomness: every draw comes from a generator derived from the block it belongs to.

A block is (seed, scenario, stream, time bucket, entity shard). Because the generator depends only on
that key, the same block yields the same values whatever range is requested, in whatever order, in
whichever process.
"""

from __future__ import annotations

import base64
import hashlib
import zlib
from dataclasses import dataclass
from datetime import date

import numpy as np


def stable_id(name: str) -> int:
    """A process-independent integer for a name (Python's hash() is salted per process)."""
    return zlib.crc32(name.encode())


def run_tag(seed: int, scenario: str, settings_json: str) -> str:
    """Eight characters (base 32) naming one (scenario, seed, settings): what event ids carry so that the
    ids of two different runs never meet, while a re-run of the same one gives the same ids."""
    digest = hashlib.blake2b(f"{scenario}\0{seed}\0{settings_json}".encode(), digest_size=5).digest()
    return base64.b32encode(digest).decode("ascii")


@dataclass(frozen=True)
class BlockKeys:
    """The generators of one scenario under one seed; a scenario hands this to its generators.

    Args:
        seed: the user's seed.
        scenario: the scenario's registered name (never a literal in a generator).
    """

    seed: int
    scenario: str

    def rng(self, stream: str, bucket: date | int, shard: int = 0) -> np.random.Generator:
        """The generator for one block.

        Args:
            stream: what is being drawn, e.g. "visits" or "baskets"; separate streams stay independent,
                so adding draws to one never shifts another.
            bucket: the time bucket (a date, or any non-negative integer bucket index).
            shard: entity shard within the bucket.
        """
        index = bucket.toordinal() if isinstance(bucket, date) else int(bucket)
        key = np.random.SeedSequence([self.seed, stable_id(self.scenario), stable_id(stream), shard, index])
        return np.random.Generator(np.random.PCG64(key))
