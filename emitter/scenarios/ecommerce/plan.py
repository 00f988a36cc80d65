"""E-commerce's capacity estimate: expected rows per table and slot from the shop's curves, without generating.

Sessions are the calendar's arrival curves (sign-ups are the world's own registrations). Clicks and
orders are their expectations per session from the funnel settings and the plan's length distribution.
Order statuses, stock movements and reviews follow the orders placed over the weeks before each day,
spread by the timeline's delays; the weekly stock count and restocks follow each cell's expected demand.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from emitter.core.clock import MICROS_PER_SECOND, MICROS_PER_SLOT, SLOTS_PER_DAY, day_start_us
from emitter.plan.expectations import demand_tail, normal_sf
from emitter.plan.volume import TableVolume
from emitter.scenarios.ecommerce import orders as timeline
from emitter.scenarios.ecommerce import plans
from emitter.scenarios.ecommerce.calendar import (
    BOT_HOURS,
    HUMAN_HOURS,
    campaign,
    conversion_factor,
    department_boost,
    sale_day,
    traffic_factor,
)
from emitter.scenarios.ecommerce.clicks import (
    ADD_SHARE,
    BOT_PRODUCT_VIEWS,
    BROWSE_TYPES,
    REMOVE_SHARE,
    SECOND_THOUGHTS,
    THINK_S,
    THINK_SIGMA,
)
from emitter.scenarios.ecommerce.event_types import PAGE_VIEW, PRODUCT_VIEW, SEARCH
from emitter.scenarios.ecommerce.plan_bytes import Mix, row_bytes
from emitter.scenarios.ecommerce.plan_orders import OrderFlows, order_flows
from emitter.scenarios.ecommerce.stock import RESTOCK_HOUR, RESTOCK_STAGGER_MINUTES, warehouse_shares
from emitter.scenarios.ecommerce.visits import DEPARTMENT_NAMES
from emitter.scenarios.ecommerce.vocabulary import SOURCES

if TYPE_CHECKING:
    from emitter.scenarios.ecommerce.scenario import EcommerceScenario

F64 = npt.NDArray[np.float64]
SLOT_S = MICROS_PER_SLOT / MICROS_PER_SECOND
DAY_SLOTS = SLOTS_PER_DAY
MAX_LINES = 12  # 1 + Poisson(0.45) beyond this has no weight worth counting


def _cdf(z: F64) -> F64:
    return 1.0 - normal_sf(z)


def browse_lengths() -> F64:
    """pmf of a non-bounce session's browse events, index = length (2 + floor(lognormal), capped)."""
    m = np.arange(plans.MAX_BROWSE - 1, dtype=np.float64)  # floor of the lognormal: 0 .. MAX_BROWSE - 2
    mu, sigma = np.log(plans.BROWSE_MEDIAN), plans.BROWSE_SIGMA
    upper = _cdf((np.log(m + 1) - mu) / sigma)
    lower = np.where(m > 0, _cdf((np.log(np.maximum(m, 1)) - mu) / sigma), 0.0)
    pmf = np.zeros(plans.MAX_BROWSE + 1)
    pmf[2 : plans.MAX_BROWSE] = (upper - lower)[:-1]
    pmf[plans.MAX_BROWSE] = 1.0 - upper[-2]  # everything longer is cut to the maximum
    return pmf


def _poisson(lam: float, n: int) -> F64:
    k = np.arange(n)
    logp = -lam + k * np.log(lam) - np.cumsum(np.r_[0.0, np.log(np.arange(1, n))])
    return np.asarray(np.exp(logp), dtype=np.float64)


def cart_lines(lengths: F64) -> F64:
    """pmf of a buyer's cart lines (index = lines): min(1 + Poisson, browse events - 1), as ``plan_sessions``."""
    extra = _poisson(plans.EXTRA_LINES_MEAN, MAX_LINES)
    wanted = np.zeros(MAX_LINES + 1)
    wanted[1:] = extra / extra.sum()
    out = np.zeros(MAX_LINES + 1)
    for length, p in enumerate(lengths):
        if p == 0:
            continue
        cap = max(length - 1, 1)
        out[: cap + 1] += p * wanted[: cap + 1]
        out[min(cap, MAX_LINES)] += p * wanted[cap + 1 :].sum()
    return out


def _slot_lag(offset_s: F64, weight: F64, slots: int) -> F64:
    """Where events ``offset_s`` seconds after an arrival fall, in slots after the arrival's (uniform in it)."""
    pos = offset_s / SLOT_S
    whole = np.floor(pos).astype(np.int64)
    frac = pos - whole
    kernel = np.zeros(slots + 2)
    np.add.at(kernel, np.minimum(whole, slots), weight * (1 - frac))
    np.add.at(kernel, np.minimum(whole + 1, slots + 1), weight * frac)
    return kernel[:slots]


def _within_day(grid: F64, kernel: F64) -> F64:
    """Spread each slot's rows by ``kernel`` (slots later); past midnight is lost, as a session ends there."""
    out = np.zeros_like(grid)
    for lag, w in enumerate(kernel):
        if w:
            out[:, lag:] += w * grid[:, : DAY_SLOTS - lag]
    return out


@dataclass(frozen=True)
class SessionRates:
    """Per human session of one kind: expected clicks and what its funnel leads to."""

    clicks: float
    views: float
    searches: float
    adds: float
    removes: float
    checkouts: float
    buys: float


class EcommercePlan:
    """The estimate for one scenario instance over a list of consecutive days."""

    def __init__(self, scenario: EcommerceScenario, days: Sequence[date]) -> None:
        self.s, self.w = scenario, scenario.world
        self.settings = scenario.settings
        self.days = list(days)
        # an order's statuses and reviews reach LOOKBACK_DAYS ahead of its day
        self.before = timeline.LOOKBACK_DAYS
        self.span = [days[0] - timedelta(days=self.before - i) for i in range(self.before)] + self.days
        self.lengths = browse_lengths()
        self.lines = cart_lines(self.lengths)
        f = self.settings.funnel
        nb = self.lengths.sum()
        self.mean_length = float((self.lengths * np.arange(self.lengths.size)).sum() / nb)
        signing = self.lengths.copy()
        signing[plans.SIGNUP_AFTER + 1] += signing[: plans.SIGNUP_AFTER + 1].sum()
        signing[: plans.SIGNUP_AFTER + 1] = 0
        self.signup_length = float((signing * np.arange(signing.size)).sum())
        self.mean_lines = float((self.lines * np.arange(self.lines.size)).sum())
        self.bounce = {"anonymous": f.bounce, "signed": f.bounce * plans.SIGNED_IN_BOUNCE}
        p_bot = 1 / plans.BOT_PAGES_MEAN  # 15 + geometric, capped
        self.bot_clicks = 15 + (1 - (1 - p_bot) ** (plans.MAX_BOT_PAGES - 15)) / p_bot
        c = self.w.customers
        self.opt_in = float((c.activity * c.opt_in).sum() / c.activity.sum())

    # ---- sessions and clicks ----------------------------------------------------------------------
    def _arrivals(self) -> tuple[F64, F64, F64]:
        """Expected human, sign-up and bot sessions per (day of span, slot)."""
        v = self.settings.volume
        humans = np.array([v.sessions_per_day * traffic_factor(d) / HUMAN_HOURS.size * HUMAN_HOURS for d in self.span])
        bots = np.tile(v.sessions_per_day * self.settings.funnel.bots / BOT_HOURS.size * BOT_HOURS, (len(self.span), 1))
        start = day_start_us(self.span[0])
        edges = start + np.arange(len(self.span) * DAY_SLOTS + 1) * MICROS_PER_SLOT
        signing, _ = np.histogram(self.w.customers.registered_at, bins=edges)
        return humans, signing.reshape(len(self.span), DAY_SLOTS).astype(np.float64), bots

    def landing_product(self, kind: str) -> float:
        """Share of a kind's sessions that land on a product page (newsletters reach only opted-in customers)."""
        share = np.array([s.share for s in SOURCES], dtype=np.float64)
        mail = np.array([s.utm_medium == "email" for s in SOURCES])
        kept = 0.0 if kind == "anonymous" else self.opt_in
        share[0] += share[mail].sum() * (1 - kept)
        share[mail] *= kept
        product = np.array([s.landing[2] / sum(s.landing) for s in SOURCES])
        return float((share * product).sum() / share.sum())

    def session_rates(self, kind: str, day: date) -> SessionRates:
        """Expected events of one session of ``kind`` (anonymous, signed, signing) on ``day``."""
        f, boost = self.settings.funnel, conversion_factor(day)
        cart, paid = min(1.0, f.add_to_cart * boost), min(1.0, f.purchase * boost)
        bounce = 0.0 if kind == "signing" else self.bounce[kind]
        length = self.signup_length if kind == "signing" else self.mean_length
        land = self.landing_product(kind)
        views = land + BROWSE_TYPES[0] * (length - 1)  # the first event, then the browse mix
        searches = (BROWSE_TYPES[2] - BROWSE_TYPES[1]) * (length - 1)
        buys = {"anonymous": 0.0, "signed": cart * f.begin_checkout * paid, "signing": f.signup_purchase}[kind]
        carts = cart if kind != "signing" else f.signup_purchase + (1 - f.signup_purchase) * cart
        abandons = carts - buys
        checkouts = buys + (cart * f.begin_checkout - (buys if kind == "signed" else 0.0)) * (
            1 - f.signup_purchase if kind == "signing" else 1.0
        )
        k = self.mean_lines
        unplanned = land + BROWSE_TYPES[0] * (length - 1 - k)  # a buyer's views beyond its cart's products
        adds = buys * (k + SECOND_THOUGHTS * unplanned) + abandons * (1 + ADD_SHARE * (views - 1))
        removes = buys * SECOND_THOUGHTS * unplanned + abandons * REMOVE_SHARE * ADD_SHARE * (views - 1)
        nb = 1 - bounce
        browse = bounce + nb * length
        extra = nb * (adds + removes + checkouts + buys) + (1.0 if kind == "signing" else 0.0)
        views_all = bounce * land + nb * (views + buys * (1 - BROWSE_TYPES[0]) * k)
        return SessionRates(
            browse + extra, views_all, nb * searches, nb * adds, nb * removes, nb * checkouts, nb * buys
        )

    def _click_lag(self) -> F64:
        """Clicks of a human session by slots after its arrival, from think times along its length."""
        shares = np.diff(np.r_[0.0, BROWSE_TYPES, 1.0])
        types = np.array([PRODUCT_VIEW, PAGE_VIEW, SEARCH, PAGE_VIEW])
        gap = float((shares * THINK_S[types]).sum()) * np.exp(THINK_SIGMA**2 / 2)
        position = np.arange(self.lengths.size, dtype=np.float64)
        survive = np.clip(1 - np.cumsum(self.lengths), 0, 1)  # P(length > position): that event exists
        kernel = _slot_lag(position * gap, survive, DAY_SLOTS)
        return np.asarray(kernel / kernel.sum(), dtype=np.float64)  # a shape: clicks per session count apart

    def volumes(self) -> dict[str, TableVolume]:
        inside = slice(self.before, self.before + len(self.days))
        humans, signing, bots = self._arrivals()
        f = self.settings.funnel
        signed_share = np.array([f.signed_in if self._registered_by(d) else 0.0 for d in self.span])
        rates = {kind: [self.session_rates(kind, d) for d in self.span] for kind in ("anonymous", "signed", "signing")}

        def per_session(field: str, kind: str) -> F64:
            return np.array([getattr(r, field) for r in rates[kind]])[:, None]

        def human(field: str) -> F64:
            mix = (1 - signed_share)[:, None] * per_session(field, "anonymous")
            return humans * (mix + signed_share[:, None] * per_session(field, "signed"))

        sessions = humans + signing + bots
        lag = self._click_lag()
        clicks = _within_day(human("clicks") + signing * per_session("clicks", "signing"), lag) + bots * self.bot_clicks
        placed = human("buys") + signing * per_session("buys", "signing")
        flows = order_flows(self, placed)
        restocks = self._stock(flows)
        mix = self._mix(
            inside, humans, signing, bots, signed_share, clicks, placed, flows, restocks, human, per_session
        )
        out = {
            "sessions": sessions[inside],
            "session_labels": sessions[inside],
            "clickstream": clicks[inside],
            "orders": flows.orders[inside],
            "order_items": (placed * flows.distinct_lines)[inside],
            "inventory": (restocks + flows.ship_lines + flows.return_lines)[inside],
            "reviews": flows.reviews[inside],
        }
        volumes = {name: TableVolume.per_day(rows, row_bytes(self.s, name, mix)) for name, rows in out.items()}
        catalog = self.s.catalog()
        for name, t in self.w.tables.items():
            volumes[name] = TableVolume.reference(t.num_rows, row_bytes(self.s, name, mix))
        return {spec.id: volumes[spec.id] for spec in catalog.tables}

    def _mix(
        self,
        inside: slice,
        humans: F64,
        signing: F64,
        bots: F64,
        signed_share: F64,
        clicks: F64,
        placed: F64,
        flows: OrderFlows,
        restocks: F64,
        human: Callable[[str], F64],
        per_session: Callable[[str, str], F64],
    ) -> Mix:
        """The range's totals that decide what its rows carry (for their sizes)."""

        def total(field: str) -> float:
            return float((human(field) + signing * per_session(field, "signing"))[inside].sum())

        signed = humans * signed_share[:, None]
        by_day = placed[inside].sum(axis=1)
        sale = np.array([timeline.SALE_PROMO if sale_day(d) else timeline.SAVE_PROMO for d in self.days])
        promo = float((by_day * sale).sum() / max(by_day.sum(), 1e-9)) + timeline.FRIENDS_PROMO
        landing = {k: self.landing_product(k) for k in ("anonymous", "signed")}
        return Mix(
            sessions=float((humans + signing + bots)[inside].sum()),
            bots=float(bots[inside].sum()),
            signed=float((signed + signing)[inside].sum()),
            clicks=float(clicks[inside].sum()),
            signed_clicks=float(
                (signed * per_session("clicks", "signed") + signing * per_session("clicks", "signing"))[inside].sum()
            ),
            landing_product=float((humans - signed)[inside].sum()) * landing["anonymous"]
            + float((signed + signing)[inside].sum()) * landing["signed"]
            + float(bots[inside].sum()),
            views=total("views") + float(bots[inside].sum()) * self.bot_clicks * BOT_PRODUCT_VIEWS,
            searches=total("searches"),
            adds=total("adds"),
            removes=total("removes"),
            checkouts=total("checkouts"),
            buys=float(placed[inside].sum()),
            signups=float(signing[inside].sum()),
            statuses=flows.status_rows(inside),
            movements=(
                float(restocks[inside].sum()),
                float(flows.ship_lines[inside].sum()),
                float(flows.return_lines[inside].sum()),
            ),
            promo=promo,
            campaign=float(np.mean([len(campaign(d)) for d in self.days])),
            product_share=np.mean([self.product_shares(d) for d in self.days], axis=0),
        )

    def _registered_by(self, d: date) -> bool:
        return bool(self.w.customers.size and self.w.customers.registered_at[0] < day_start_us(d))

    def product_shares(self, d: date) -> F64:
        """Per product: its share of the day's cart lines (department interest × popularity inside it)."""
        p = self.w.products
        q = self.w.department_weight * department_boost(d, DEPARTMENT_NAMES)
        return np.asarray(q[p.department] / q.sum() * p.share, dtype=np.float64)

    def _stock(self, flows: OrderFlows) -> F64:
        """Restock and count rows per (day of span, slot): Mondays count every cell that moved in the week."""
        policy = self.s.policy
        served = warehouse_shares()
        gap = (policy.par - policy.reorder).astype(np.float64) + 1  # restocked once shipped units exceed the gap
        qty1, qty2 = flows.units_per_line
        share = np.stack([self.product_shares(d) for d in self.span])  # (span, products)
        ships = flows.ship_lines.sum(axis=1)[:, None] * share  # lines per (span day, product)
        moves = ships + flows.return_lines.sum(axis=1)[:, None] * share
        rows = np.zeros((len(self.span), DAY_SLOTS))
        slot = (RESTOCK_HOUR * 60 + np.arange(served.size) * RESTOCK_STAGGER_MINUTES) // (MICROS_PER_SLOT // 60_000_000)
        for i in range(7, len(self.span)):
            d = self.span[i]
            if d.weekday() == 0:
                week = moves[i - 7 : i].sum(axis=0)
                cells = 1 - np.exp(-served[:, None] * week[None, :])
            else:
                since = i - d.weekday()
                lam_now = served[:, None] * ships[since : i + 1].sum(axis=0)[None, :]
                lam_before = served[:, None] * ships[since:i].sum(axis=0)[None, :]
                cells = demand_tail(lam_now * qty1, lam_now * qty2, gap) - demand_tail(
                    lam_before * qty1, lam_before * qty2, gap
                )
                cells = np.clip(cells, 0, 1)
            np.add.at(rows[i], slot, cells.sum(axis=1))
        return rows
