"""A day's demand: how many shop orders and web sessions to expect where, and what sells at which price.

The fashion calendar sets each country's level for the day; the window's counts (settings) are spread over
the days in proportion to it, so the window holds them in expectation and days past it go on alike. Products
sell by popularity, age in their collection's life, sales markdowns and the campaigns that target them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property

import numpy as np
import numpy.typing as npt

from emitter.scenarios.fashion.calendar import FashionCalendar, day_demand, markdown, shops_closed
from emitter.scenarios.fashion.campaigns import Campaigns, active
from emitter.scenarios.fashion.catalog import Products
from emitter.scenarios.fashion.places import COUNTRIES
from emitter.scenarios.fashion.settings import Volume
from emitter.scenarios.fashion.stores import Stores

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]
N_COUNTRIES = len(COUNTRIES)
_OPEN_SUNDAYS = np.array([c.open_sundays for c in COUNTRIES])
ONLINE_LINES = 1.8  # mean lines of an online basket (1 + Poisson(0.8), as many as the session carted)


@dataclass(frozen=True)
class DayDemand:
    """Expected shop orders per store and web sessions per country, and each country's product mix and prices."""

    store_orders: F64  # per store
    sessions: F64  # per country
    product_cdf: F64  # (country, product): cumulative shares of a line's product
    discount_pct: I64  # (country, product): markdown or campaign discount, whichever is larger
    campaign: I64  # (country, product): the campaign (row) that targets it, or -1
    store_open: npt.NDArray[np.bool_]  # per store


class Demand:
    """Args:
    volume: the window and its counts.
    conversion: web sessions that order.
    """

    def __init__(
        self,
        volume: Volume,
        conversion: float,
        calendar: FashionCalendar,
        campaigns: Campaigns,
        stores: Stores,
        products: Products,
        customers_per_country: F64,
        categories: tuple[str, ...],
    ) -> None:
        self.volume, self.calendar, self.campaigns = volume, calendar, campaigns
        self.stores, self.products = stores, products
        self.country_share = customers_per_country / max(customers_per_country.sum(), 1.0)
        self.is_shop = stores.kind != 3
        self.store_size = np.where(self.is_shop, np.sqrt(stores.floor_area.astype(np.float64)), 0.0)
        online_orders = volume.web_sessions * conversion
        self.store_orders_total = max(volume.orders - online_orders, 0.0)
        extra_lines = volume.order_lines - volume.orders - online_orders * (ONLINE_LINES - 1.0)
        self.store_extra_lines = max(extra_lines, 0.0) / max(self.store_orders_total, 1.0)
        self.n_categories = len(categories)

    # --- the window's totals, spread by the calendar ---------------------------------------------------
    def _weights(self, day: date) -> tuple[F64, F64, npt.NDArray[np.bool_]]:
        level = day_demand(self.calendar, day)
        open_ = self.shops_open(day)
        store = self.store_size * level[self.stores.country] * open_
        return store, level * self.country_share, open_

    def shops_open(self, day: date) -> npt.NDArray[np.bool_]:
        """Per store: a shop trading that day (not a Sunday where shops close, nor a public holiday); DCs never."""
        closed = shops_closed(self.calendar, day)
        sunday = day.weekday() == 6
        country_open = ~closed & (~sunday | _OPEN_SUNDAYS)
        return np.asarray(self.is_shop & country_open[self.stores.country], dtype=bool)

    @cached_property
    def _window_sums(self) -> tuple[float, float]:
        store = session = 0.0
        v = self.volume
        for i in range(v.window_days):
            s, w, _ = self._weights(v.start + timedelta(days=i))
            store += float(s.sum())
            session += float(w.sum())
        return store, session

    def sessions_expected(self, day: date) -> float:
        return float(self.volume.web_sessions * self._weights(day)[1].sum() / max(self._window_sums[1], 1e-12))

    def day(self, day: date) -> DayDemand:
        store_w, session_w, open_ = self._weights(day)
        store_sum, session_sum = self._window_sums
        store_orders = self.store_orders_total * store_w / max(store_sum, 1e-12)
        sessions = self.volume.web_sessions * session_w / max(session_sum, 1e-12)
        cdf, discount, campaign = self._mix(day)
        return DayDemand(store_orders, sessions, cdf, discount, campaign, open_)

    # --- what sells, at what price ---------------------------------------------------------------------
    def _mix(self, day: date) -> tuple[F64, I64, I64]:
        p, ordinal = self.products, day.toordinal()
        age = ordinal - p.launch
        core = p.collection < 0
        life = np.where(age < 0, 0.0, np.where(age < 42, 1.6, np.maximum(0.15, 1.6 * np.exp(-(age - 42) / 150.0))))
        life = np.where(core, 1.0, life)
        clearance = np.array([c.clearance.toordinal() for c in p.collections], dtype=np.int64)
        cleared = ~core & (clearance[p.collection.clip(0)] <= ordinal)
        marked = np.where(cleared[None, :], markdown(self.calendar, day)[:, None], 0)
        base = p.popularity * life
        weight = np.broadcast_to(base, (N_COUNTRIES, base.size)) * (1.0 + marked / 50.0)
        discount = marked.astype(np.int64)
        campaign = np.full(weight.shape, -1, dtype=np.int64)
        c = self.campaigns
        for row in active(c, day)[::-1]:  # the first listed wins where two target the same products
            countries = slice(None) if c.country[row] < 0 else slice(int(c.country[row]), int(c.country[row]) + 1)
            hit = np.ones(base.size, bool) if c.category[row] < 0 else p.category == c.category[row]
            weight[countries, hit] = weight[countries, hit] * (1.0 + c.lift[row])
            discount[countries, hit] = np.maximum(discount[countries, hit], c.discount_pct[row])
            campaign[countries, hit] = row
        cdf = np.cumsum(weight, axis=1)
        cdf /= np.maximum(cdf[:, -1:], 1e-12)
        return cdf, discount, campaign


def pick_products(rng: np.random.Generator, cdf: F64, country: I64) -> I64:
    """A product for each line, from its country's mix."""
    u = rng.random(country.size)
    out = np.empty(country.size, dtype=np.int64)
    for c in np.unique(country):
        at = country == c
        out[at] = np.minimum(np.searchsorted(cdf[c], u[at], side="right"), cdf.shape[1] - 1)
    return out
