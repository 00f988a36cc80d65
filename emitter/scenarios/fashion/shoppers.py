"""Who can buy on a day: the customers of each country registered by then, drawn without a per-row loop."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from emitter.scenarios.fashion.people import Customers
from emitter.scenarios.fashion.places import COUNTRIES

I64 = npt.NDArray[np.int64]


class Shoppers:
    def __init__(self, customers: Customers) -> None:
        order = np.lexsort((customers.registered_us, customers.country))
        self.rows = order.astype(np.int64)  # customer rows by country, then registration
        country = customers.country[order]
        self.registered = customers.registered_us[order]
        self.first = np.searchsorted(country, np.arange(len(COUNTRIES)), side="left").astype(np.int64)
        self.last = np.searchsorted(country, np.arange(len(COUNTRIES)), side="right").astype(np.int64)
        self.opt_in = customers.opt_in[order]

    def registered_by(self, ts_us: int) -> I64:
        """How many customers of each country had registered by ``ts_us``."""
        return np.array(
            [
                np.searchsorted(self.registered[a:b], ts_us, side="right")
                for a, b in zip(self.first, self.last, strict=True)
            ],
            dtype=np.int64,
        )

    def pick(self, rng: np.random.Generator, country: I64, by_us: int) -> I64:
        """A customer row of each ``country`` registered by ``by_us``; -1 where the country has none yet."""
        count = self.registered_by(by_us)[country]
        at = self.first[country] + (rng.random(country.size) * count).astype(np.int64)
        return np.where(count > 0, self.rows[np.minimum(at, self.rows.size - 1)], -1)
