"""Names and streets for the bank's people, drawn from Faker's US lists by their frequencies."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from emitter.core.arrivals import cdf_pick, shares_cdf
from emitter.core.pools import us_names

I64 = npt.NDArray[np.int64]
FEMALE, MALE, OTHER = range(3)  # gender codes, in customers.GENDERS order


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
