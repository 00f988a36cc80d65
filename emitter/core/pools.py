"""Value pools built once per run with Faker; rows then draw from them with numpy indices."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import pyarrow as pa
from faker import Faker


@dataclass(frozen=True)
class NamePools:
    first_names: pa.StringArray
    last_names: pa.StringArray
    streets: pa.StringArray
    towns: pa.StringArray


@lru_cache(maxsize=8)
def build_name_pools(seed: int, size: int = 600) -> NamePools:
    """Deterministic pools of person names, street names and town names (unique, sorted for stability).

    Cached: Faker takes seconds to fill them, and the arrays are immutable.
    """
    fake = Faker("en_US")
    fake.seed_instance(seed)

    def unique(make: object, n: int) -> pa.StringArray:
        values: set[str] = set()
        attempts = 0
        while len(values) < n and attempts < n * 20:
            values.add(make())  # type: ignore[operator]
            attempts += 1
        return pa.array(sorted(values), type=pa.string())

    return NamePools(
        first_names=unique(fake.first_name, size),
        last_names=unique(fake.last_name, size),
        streets=unique(fake.street_name, size),
        towns=unique(fake.city, size // 2),
    )


@lru_cache(maxsize=1)
def gendered_first_names() -> tuple[pa.StringArray, pa.StringArray]:
    """(female, male) US first names, from Faker's own lists (no draw, so the same on every run)."""
    from faker.providers.person.en_US import Provider

    return (
        pa.array(sorted(Provider.first_names_female), type=pa.string()),
        pa.array(sorted(Provider.first_names_male), type=pa.string()),
    )
