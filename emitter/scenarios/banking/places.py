"""Where money moves: merchants by category, cities with coordinates, and the devices customers use."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from emitter.core.columns import fixed_width_ids
from emitter.scenarios.banking.vocabulary import CARD_TESTING_CATEGORY, CITIES, FOREIGN_CITIES, MERCHANT_CATEGORIES

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
JITTER_DEGREES = 0.06  # a few kilometres around the city centre
BURNER_DEVICES = 4_096  # devices fraudsters use, shared across the bank
PLACES = (*CITIES, *FOREIGN_CITIES)
FOREIGN = np.arange(len(CITIES), len(PLACES))
PLACE_LAT = np.array([c.lat for c in PLACES])
PLACE_LON = np.array([c.lon for c in PLACES])


@dataclass(frozen=True)
class Places:
    merchant_names: pa.Array
    merchant_category: I64  # per merchant: index into MERCHANT_CATEGORIES
    category_first: I64  # per category: its first merchant
    category_count: I64
    card_testing: I64  # merchant indices of the shops card testers use (digital goods)
    online_share: F64  # per category
    home_city: I64  # per customer: index into PLACES
    devices: pa.Array  # customers' own devices (by customer row), then the burner devices

    def merchant_for(self, rng: np.random.Generator, category: I64) -> I64:
        return self.category_first[category] + (rng.random(category.size) * self.category_count[category]).astype(
            np.int64
        )

    def near(self, rng: np.random.Generator, city: I64) -> tuple[F64, F64]:
        """Coordinates a little way from each city's centre; NaN where there is no place (-1)."""
        lat = PLACE_LAT[city.clip(0)] + rng.uniform(-1, 1, city.size) * JITTER_DEGREES
        lon = PLACE_LON[city.clip(0)] + rng.uniform(-1, 1, city.size) * JITTER_DEGREES
        none = city < 0
        return np.where(none, np.nan, lat), np.where(none, np.nan, lon)

    def burner(self, index: I64) -> I64:
        """The device-pool index of burner device ``index`` (taken modulo their number)."""
        return self.home_city.size + index % (len(self.devices) - self.home_city.size)


def build_places(rng: np.random.Generator, customer_city: I64, customer_id: I64) -> Places:
    names: list[str] = []
    category: list[int] = []
    first, count = [], []
    for c, cat in enumerate(MERCHANT_CATEGORIES):
        first.append(len(names))
        count.append(len(cat.merchants))
        names += cat.merchants
        category += [c] * len(cat.merchants)
    testing_category = [c.name for c in MERCHANT_CATEGORIES].index(CARD_TESTING_CATEGORY)
    testing = first[testing_category] + np.arange(count[testing_category])
    own_numbers = customer_id * 7_919 % 10**9  # distinct: 7,919 is prime
    # burners look like anyone's phone: the same format, numbers no customer has
    burner_numbers = np.setdiff1d(rng.integers(0, 10**9, 2 * BURNER_DEVICES), own_numbers)[:BURNER_DEVICES]
    burner_numbers = rng.permutation(burner_numbers)
    own = fixed_width_ids("DV-", [(own_numbers, 9)]).to_arrow()
    burners = fixed_width_ids("DV-", [(burner_numbers, 9)]).to_arrow()
    return Places(
        merchant_names=pa.array(names),
        merchant_category=np.array(category, dtype=np.int64),
        category_first=np.array(first, dtype=np.int64),
        category_count=np.array(count, dtype=np.int64),
        card_testing=testing.astype(np.int64),
        online_share=np.array([c.online for c in MERCHANT_CATEGORIES]),
        home_city=customer_city.astype(np.int64),
        devices=pa.concat_arrays([own, burners]),
    )
