"""Who visits on a day: arrivals along the day's curve, kind of visitor, device, place and traffic source.

Four kinds: anonymous visitors (a new visitor id each time), signed-in customers (chosen among those
registered by then, the active ones more often), customers signing up (one session per registration of
the day, built around its moment) and bots.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from emitter.core.arrivals import cdf_pick, draw_arrivals, shares_cdf
from emitter.core.clock import MICROS_PER_DAY, MICROS_PER_SLOT, day_start_us
from emitter.core.rng import BlockKeys
from emitter.scenarios.ecommerce.calendar import (
    BOT_HOURS,
    HUMAN_HOURS,
    MOBILE_SHARE,
    TABLET_SHARE,
    department_boost,
    traffic_factor,
)
from emitter.scenarios.ecommerce.settings import EcommerceSettings
from emitter.scenarios.ecommerce.vocabulary import (
    BOT_PLACES,
    BROWSERS,
    DEPARTMENTS,
    OPERATING_SYSTEMS,
    PLACES,
    SOURCES,
    USER_AGENTS,
)
from emitter.scenarios.ecommerce.world import EcommerceWorld

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
ANONYMOUS, SIGNED_IN, SIGNING_UP, BOT = 0, 1, 2, 3
INTERESTS = 3  # departments a session may browse
DIRECT = 0  # index of the direct source in SOURCES

OS_NAMES = tuple(dict.fromkeys(os for _, os, _ in OPERATING_SYSTEMS))
BROWSER_NAMES = tuple(dict.fromkeys([*(b for pairs in BROWSERS.values() for b, _ in pairs), "Googlebot", "bingbot"]))
DEPARTMENT_NAMES = tuple(d.name for d in DEPARTMENTS)
# index os * len(BROWSER_NAMES) + browser; null where no such pair is drawn
USER_AGENT_POOL = pa.array(
    [USER_AGENTS.get((os, browser)) for os in OS_NAMES for browser in BROWSER_NAMES], pa.string()
)
PLACE_COUNT = len(PLACES)  # places index PLACES, then BOT_PLACES


def _os_table() -> tuple[list[F64], list[I64]]:
    """Per device: cdf over its operating systems and their indices in OS_NAMES."""
    cdfs, ids = [], []
    for device in ("desktop", "mobile", "tablet"):
        rows = [(OS_NAMES.index(os), share) for dev, os, share in OPERATING_SYSTEMS if dev == device]
        ids.append(np.array([r[0] for r in rows]))
        cdfs.append(shares_cdf([r[1] for r in rows]))
    return cdfs, ids


OS_CDFS, OS_IDS = _os_table()


@dataclass
class Visits:
    """A day's sessions, numeric, in the order drawn (``clicks`` sorts them by start)."""

    kind: I64
    arrival: I64  # µs: when the first event happens (sign-ups: when the account is created)
    customer: I64  # index into customers, -1 for anonymous visitors and bots
    device: I64
    os: I64
    browser: I64
    place: I64  # index into PLACES + BOT_PLACES
    source: I64  # index into SOURCES
    landing: I64  # 0 home, 1 category, 2 product, 3 sale page
    interests: I64  # (n, INTERESTS) department indices
    bot_kind: I64  # -1 for humans, else index into BOT_KINDS

    @property
    def size(self) -> int:
        return int(self.kind.size)

    @property
    def user_agent(self) -> I64:
        """Index into USER_AGENT_POOL."""
        return self.os * len(BROWSER_NAMES) + self.browser


def draw_visits(world: EcommerceWorld, keys: BlockKeys, settings: EcommerceSettings, day: date) -> Visits:
    """Every session arriving on ``day``."""
    rng = keys.rng("visits", day)
    start = day_start_us(day)
    humans = settings.volume.sessions_per_day * traffic_factor(day) / HUMAN_HOURS.size
    _, human_ts = draw_arrivals(rng, (humans * HUMAN_HOURS)[None, :], start)
    bots = settings.volume.sessions_per_day * settings.funnel.bots / BOT_HOURS.size
    _, bot_ts = draw_arrivals(rng, (bots * BOT_HOURS)[None, :], start)
    c = world.customers
    # the customers who register today: one session each, around the moment of registration
    signing = np.arange(
        np.searchsorted(c.registered_at, start, side="left"),
        np.searchsorted(c.registered_at, start + MICROS_PER_DAY, side="left"),
    )
    # a signed-in session picks a customer registered before it, in proportion to activity
    signed = rng.random(human_ts.size) < settings.funnel.signed_in
    registered = np.searchsorted(c.registered_at, human_ts, side="left")
    signed &= registered > 0
    pick = rng.random(human_ts.size) * np.where(registered > 0, c.cumulative_activity[np.maximum(registered - 1, 0)], 0)
    who = np.minimum(np.searchsorted(c.cumulative_activity, pick, side="right"), np.maximum(registered - 1, 0))
    kind = np.concatenate(
        [
            np.where(signed, SIGNED_IN, ANONYMOUS),
            np.full(signing.size, SIGNING_UP),
            np.full(bot_ts.size, BOT),
        ]
    ).astype(np.int64)
    arrival = np.concatenate([human_ts, c.registered_at[signing], bot_ts])
    customer = np.concatenate([np.where(signed, who, -1), signing, np.full(bot_ts.size, -1)]).astype(np.int64)
    n = kind.size
    is_bot = kind == BOT
    slot = ((arrival - start) // MICROS_PER_SLOT).clip(0, HUMAN_HOURS.size - 1)

    # device: phones in the evening; bots present as desktops
    u = rng.random(n)
    mobile, tablet = MOBILE_SHARE[slot], TABLET_SHARE[slot]
    device = np.where(u < mobile, 1, np.where(u < mobile + tablet, 2, 0))
    device[is_bot] = 0
    os = np.empty(n, np.int64)
    browser = np.empty(n, np.int64)
    u_os, u_browser = rng.random(n), rng.random(n)
    for d in range(3):
        sel = device == d
        os[sel] = OS_IDS[d][np.minimum(np.searchsorted(OS_CDFS[d], u_os[sel], side="right"), OS_IDS[d].size - 1)]
    for o, name in enumerate(OS_NAMES):
        sel = os == o
        pairs = BROWSERS[name]
        cdf = shares_cdf([s for _, s in pairs])
        ids = np.array([BROWSER_NAMES.index(b) for b, _ in pairs])
        browser[sel] = ids[np.minimum(np.searchsorted(cdf, u_browser[sel], side="right"), ids.size - 1)]
    bot_kind = np.where(is_bot, (rng.random(n) < 0.45).astype(np.int64) ^ 1, -1)  # 45% declared crawlers
    crawler = bot_kind == 0
    os[is_bot] = OS_NAMES.index("Linux")
    browser[is_bot & ~crawler] = BROWSER_NAMES.index("Chrome")
    browser[crawler] = np.where(
        rng.random(int(crawler.sum())) < 0.7, BROWSER_NAMES.index("Googlebot"), BROWSER_NAMES.index("bingbot")
    )
    os[crawler] = OS_NAMES.index("Linux")

    # place: a customer's home; an anonymous visitor from anywhere; bots from data centres
    place = cdf_pick(rng, world.place_cdf, n)
    known = customer >= 0
    place[known] = c.place[customer[known]]
    place[is_bot] = PLACE_COUNT + rng.integers(0, len(BOT_PLACES), int(is_bot.sum()))

    # traffic source and landing page; newsletters reach only customers who opted in
    source = cdf_pick(rng, shares_cdf([s.share for s in SOURCES]), n)
    email = np.array([s.utm_medium == "email" for s in SOURCES])[source]
    no_mail = email & ~(known & c.opt_in[np.maximum(customer, 0)])
    source[no_mail | is_bot] = DIRECT
    landing_cdf = np.array([np.cumsum(s.landing) / sum(s.landing) for s in SOURCES])
    landing = (rng.random(n)[:, None] > landing_cdf[source]).sum(axis=1).clip(0, 3).astype(np.int64)
    landing[is_bot] = 2

    # interests: up to three departments, by weight and season; the first is the strongest
    weights = world.department_weight * department_boost(day, DEPARTMENT_NAMES)
    interests = cdf_pick(rng, shares_cdf(weights), n * INTERESTS).reshape(n, INTERESTS)
    return Visits(kind, arrival, customer, device, os, browser, place, source, landing, interests, bot_kind)
