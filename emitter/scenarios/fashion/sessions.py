"""A day's web sessions, page by page: who visits, from where, what they view and cart, and who orders.

A converting session ends on cart, checkout and confirmation pages; its order (a web basket) is placed at the
confirmation, with the products it carted, by the same customer. Everything else the webshop records
(searches, wishlists, events, recommendations, A/B enrolments) hangs off these pages in ``webshop.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt

from emitter.core.arrivals import cdf_pick, hour_curve, shares_cdf, times_in_day
from emitter.core.clock import MICROS_PER_DAY, MICROS_PER_SECOND, SLOTS_PER_DAY, day_start_us
from emitter.scenarios.fashion.ab_tests import AbTests, running, variant
from emitter.scenarios.fashion.baskets import UTC_OFFSET, Baskets, pick_sizes
from emitter.scenarios.fashion.campaigns import CHANNELS, Campaigns, active
from emitter.scenarios.fashion.demand import DayDemand, pick_products
from emitter.scenarios.fashion.shoppers import Shoppers
from emitter.scenarios.fashion.vocabulary import (
    BROWSING,
    CART,
    CHECKOUT,
    CONFIRMATION,
    DEVICES,
    LANDING,
    PRODUCT,
    SEARCH,
    TRAFFIC_SOURCES,
)

I64 = npt.NDArray[np.int64]
B = npt.NDArray[np.bool_]
# Local time of visits: lunch, and the evening on the sofa.
_VISITS = hour_curve({0: 0.35, 3: 0.08, 6: 0.25, 8: 0.6, 12.5: 1.3, 15: 1.0, 18: 1.1, 20.5: 1.9, 22: 1.5, 23.5: 0.7})
_DEVICE_CDF = shares_cdf(list(DEVICES.values()))
_SOURCE_CDF = shares_cdf([share for share, _ in TRAFFIC_SOURCES.values()])
_SOURCE_CHANNEL = np.array([-1 if ch is None else CHANNELS.index(ch) for _, ch in TRAFFIC_SOURCES.values()])
_LANDING_TYPES, _LANDING_CDF = np.array(list(LANDING)), shares_cdf(list(LANDING.values()))
_BROWSE_TYPES, _BROWSE_CDF = np.array(list(BROWSING)), shares_cdf(list(BROWSING.values()))
_DWELL_S = 40.0  # median seconds on a page
_MORE_LINES = 0.8  # an online basket holds 1 + Poisson(0.8) of the products the session viewed


@dataclass(frozen=True)
class Rates:
    """Per-session and per-page rates that make the webshop tables hold their counts (from the settings)."""

    pages_after_landing: float  # Poisson mean of browsing pages
    search: float  # share of browsing pages that are searches
    abandoned_add: float  # chance a non-converting session carts a product page's product
    enrol: float  # scales each A/B test's traffic share so enrolments hold their count


@dataclass(frozen=True)
class Sessions:
    start: I64
    end: I64
    customer: I64
    country: I64
    device: I64
    source: I64
    campaign: I64  # row, -1 for none
    converted: B
    n_pages: I64
    first_page: I64
    # enrolments: one row per (session, test)
    enrolled_session: I64
    enrolled_test: I64
    enrolled_variant: I64


@dataclass(frozen=True)
class Pages:
    session: I64
    ts: I64
    dwell_s: I64
    page_type: I64
    product: I64  # -1 off product pages
    carted: B  # the product went into the basket here
    size: I64  # the size carted, -1 if none


def draw_sessions(
    rng: np.random.Generator,
    day: date,
    demand: DayDemand,
    shoppers: Shoppers,
    customer_id: I64,
    campaigns: Campaigns,
    tests: AbTests,
    conversion: float,
    rates: Rates,
) -> Sessions:
    counts = rng.poisson(demand.sessions)
    country = np.repeat(np.arange(counts.size, dtype=np.int64), counts)
    start = np.empty(country.size, dtype=np.int64)
    for c in np.flatnonzero(counts):  # each country's evening, in UTC
        at = country == c
        start[at] = times_in_day(rng, np.roll(_VISITS, -int(UTC_OFFSET[c]) * SLOTS_PER_DAY // 24), int(at.sum()))
    order = np.argsort(start, kind="stable")
    country, start = country[order], start[order] + day_start_us(day)
    customer = shoppers.pick(rng, country, day_start_us(day))
    keep = customer >= 0
    country, start, customer = country[keep], start[keep], customer[keep]
    n = country.size
    source = cdf_pick(rng, _SOURCE_CDF, n)
    campaign = _campaign_of(rng, campaigns, day, country, _SOURCE_CHANNEL[source])
    lift = np.ones(n)
    e_session: list[I64] = []
    e_test: list[I64] = []
    e_variant: list[I64] = []
    for t in running(tests, day):
        joined = np.flatnonzero(rng.random(n) < tests.traffic[t] * rates.enrol)
        v = variant(np.full(joined.size, t, dtype=np.int64), customer_id[customer[joined]])
        lift[joined] *= 1.0 + tests.lift[t] * v
        e_session.append(joined)
        e_test.append(np.full(joined.size, t, dtype=np.int64))
        e_variant.append(v.astype(np.int64))
    converted = rng.random(n) < np.minimum(conversion * lift, 1.0)
    n_pages = 1 + rng.poisson(rates.pages_after_landing, n) + 3 * converted
    first_page = np.r_[0, np.cumsum(n_pages)[:-1]].astype(np.int64)
    return Sessions(
        start=start,
        end=start,  # set once pages have their times
        customer=customer,
        country=country,
        device=cdf_pick(rng, _DEVICE_CDF, n),
        source=np.where((_SOURCE_CHANNEL[source] >= 0) & (campaign < 0), 1, source),  # no campaign: organic
        campaign=campaign,
        converted=converted,
        n_pages=n_pages,
        first_page=first_page,
        enrolled_session=_joined(e_session),
        enrolled_test=_joined(e_test),
        enrolled_variant=_joined(e_variant),
    )


def _joined(parts: list[I64]) -> I64:
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)


def _campaign_of(rng: np.random.Generator, c: Campaigns, day: date, country: I64, channel: I64) -> I64:
    """A running campaign of the visit's channel that covers its country, or -1."""
    out = np.full(country.size, -1, dtype=np.int64)
    rows = active(c, day)
    for ch in np.unique(channel[channel >= 0]):
        mine = rows[c.channel[rows] == ch]
        if not mine.size:
            continue
        at = np.flatnonzero(channel == ch)
        pick = mine[(rng.random(at.size) * mine.size).astype(np.int64)]
        fits = (c.country[pick] < 0) | (c.country[pick] == country[at])
        out[at[fits]] = pick[fits]
    return out


def draw_pages(rng: np.random.Generator, s: Sessions, demand: DayDemand, size_run: I64, rates: Rates) -> Pages:
    total = int(s.n_pages.sum())
    session = np.repeat(np.arange(s.start.size, dtype=np.int64), s.n_pages)
    position = np.arange(total, dtype=np.int64) - s.first_page[session]
    from_end = s.n_pages[session] - position  # 1 on the last page
    page_type = _BROWSE_TYPES[cdf_pick(rng, _BROWSE_CDF, total)]
    page_type = np.where(rng.random(total) < rates.search, SEARCH, page_type)
    page_type = np.where(position == 0, _LANDING_TYPES[cdf_pick(rng, _LANDING_CDF, total)], page_type)
    tail = s.converted[session] & (from_end <= 3)
    page_type = np.where(tail, np.array([CONFIRMATION, CHECKOUT, CART])[np.minimum(from_end, 3) - 1], page_type)
    # a converting session views at least one product: its landing page, when nothing else is one
    is_product = page_type == PRODUCT
    viewed = np.bincount(session, weights=is_product, minlength=s.start.size) > 0
    page_type = np.where((position == 0) & s.converted[session] & ~viewed[session], PRODUCT, page_type)
    is_product = page_type == PRODUCT
    product = np.full(total, -1, dtype=np.int64)
    product[is_product] = pick_products(rng, demand.product_cdf, s.country[session[is_product]])
    carted = _carts(rng, s, session, is_product, rates)
    size = np.full(total, -1, dtype=np.int64)
    size[carted] = pick_sizes(rng, size_run[product[carted]])
    dwell = np.maximum(3, rng.lognormal(np.log(_DWELL_S), 0.8, total)).astype(np.int64)
    ts = _page_times(s, session, position, dwell)
    return Pages(session, ts, dwell, page_type, product, carted, size)


def _carts(rng: np.random.Generator, s: Sessions, session: I64, is_product: B, rates: Rates) -> B:
    """Converting sessions cart their first 1 + Poisson(0.8) viewed products; others now and then one."""
    rank = np.cumsum(is_product) - 1  # product pages so far, counted across sessions
    first = np.flatnonzero(is_product)
    before = np.zeros(s.start.size, dtype=np.int64)  # product pages ahead of each session's first
    seen = np.bincount(session[first], minlength=s.start.size)
    before[1:] = np.cumsum(seen)[:-1]
    within = rank - before[session]
    wanted = 1 + rng.poisson(_MORE_LINES, s.start.size)
    bought = is_product & s.converted[session] & (within < wanted[session])
    abandoned = is_product & ~s.converted[session] & (rng.random(session.size) < rates.abandoned_add)
    return bought | abandoned


def _page_times(s: Sessions, session: I64, position: I64, dwell: I64) -> I64:
    """Pages follow each other by their dwell; a session squeezed in before midnight runs faster."""
    spent = np.bincount(session, weights=dwell, minlength=s.start.size).astype(np.int64) * MICROS_PER_SECOND
    room = (s.start // MICROS_PER_DAY + 1) * MICROS_PER_DAY - 1 - s.start
    squeeze = np.minimum(1.0, room / np.maximum(spent, 1))
    offsets = np.cumsum(dwell) - dwell  # seconds before each page, across sessions
    offsets = offsets - offsets[s.first_page][session]
    return s.start[session] + (offsets * MICROS_PER_SECOND * squeeze[session]).astype(np.int64) + position


def session_ends(s: Sessions, pages: Pages) -> I64:
    last = s.first_page + s.n_pages - 1
    day_end = (s.start // MICROS_PER_DAY + 1) * MICROS_PER_DAY - 1
    return np.asarray(np.minimum(pages.ts[last] + pages.dwell_s[last] * MICROS_PER_SECOND, day_end), dtype=np.int64)


def web_baskets(rng: np.random.Generator, s: Sessions, pages: Pages, dc_for_country: I64) -> Baskets:
    """The orders converting sessions place at their confirmation page, with what they carted."""
    bought = pages.carted & s.converted[pages.session]
    sessions = np.flatnonzero(s.converted)
    n_lines = np.bincount(pages.session[bought], minlength=s.start.size)[sessions]
    confirmation = s.first_page[sessions] + s.n_pages[sessions] - 1
    country = s.country[sessions]
    return Baskets(
        ts=pages.ts[confirmation],
        customer=s.customer[sessions],
        country=country,
        store=dc_for_country[country],
        online=np.ones(sessions.size, dtype=bool),
        session=sessions.astype(np.int64),
        campaign=s.campaign[sessions],
        n_lines=n_lines.astype(np.int64),
        product=pages.product[bought],
        size=pages.size[bought],
        quantity=np.where(rng.random(int(bought.sum())) < 0.05, 2, 1).astype(np.int64),
    )
