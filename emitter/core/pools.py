"""Value pools built once per run with Faker (or read from its lists); rows then draw from them with numpy indices."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
from faker import Faker

from emitter.core.arrivals import cdf_pick, shares_cdf

I64 = npt.NDArray[np.int64]


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


@dataclass(frozen=True)
class UsNames:
    """Faker's own US name lists, read rather than drawn: the same on every run, and built in milliseconds.

    Each list comes with its frequency weights (Smith is the commonest last name).
    """

    female: pa.StringArray
    female_weights: npt.NDArray[np.float64]
    male: pa.StringArray
    male_weights: npt.NDArray[np.float64]
    last: pa.StringArray
    last_weights: npt.NDArray[np.float64]
    street_suffixes: pa.StringArray


@lru_cache(maxsize=1)
def us_names() -> UsNames:
    from faker.providers.address.en_US import Provider as Address
    from faker.providers.person.en_US import Provider as Person

    def weighted(names: dict[str, float]) -> tuple[pa.StringArray, npt.NDArray[np.float64]]:
        keys = sorted(names)
        return pa.array(keys, type=pa.string()), np.array([names[k] for k in keys], dtype=np.float64)

    female, female_weights = weighted(Person.first_names_female)
    male, male_weights = weighted(Person.first_names_male)
    last, last_weights = weighted(Person.last_names)
    return UsNames(
        female, female_weights, male, male_weights, last, last_weights, pa.array(list(Address.street_suffixes))
    )


FEMALE, MALE, OTHER = range(3)  # the gender codes first_names takes (X: other or not recorded)


def first_names(rng: np.random.Generator, gender: I64) -> pa.Array:
    """A first name that goes with each gender (either list for X), as common as it is in the US."""
    names = us_names()
    f, n = len(names.female), gender.size
    female = cdf_pick(rng, shares_cdf(names.female_weights), n)
    male = f + cdf_pick(rng, shares_cdf(names.male_weights), n)
    either = np.where(rng.random(n) < 0.5, female, male)
    index = np.select([gender == FEMALE, gender == MALE], [female, male], either)
    return pa.concat_arrays([names.female, names.male]).take(pa.array(index))


def last_names(rng: np.random.Generator, n: int) -> pa.Array:
    names = us_names()
    return names.last.take(pa.array(cdf_pick(rng, shares_cdf(names.last_weights), n)))


def streets(rng: np.random.Generator, n: int) -> pa.Array:
    """Street names the way US streets are named: a family name and a suffix ("Carter Branch")."""
    names = us_names()
    suffix = names.street_suffixes.take(pa.array(rng.integers(0, len(names.street_suffixes), n)))
    return pc.binary_join_element_wise(last_names(rng, n), suffix, " ")
