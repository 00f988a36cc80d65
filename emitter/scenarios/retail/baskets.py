"""What buyers put in their baskets: segment-shaped, season-shaped product choice, quantities, promotions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt

from emitter.core.arrivals import shares_cdf
from emitter.core.columns import round_half_up_div
from emitter.core.rng import BlockKeys
from emitter.scenarios.retail.catalog import CATEGORIES, SEGMENTS
from emitter.scenarios.retail.seasons import category_boost
from emitter.scenarios.retail.world import RetailWorld

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]

PROMO_SHARE = 0.06  # products on promotion on a given day
PROMO_PERCENTS = np.array([10, 15, 20, 25, 30])
PROMO_CODES = tuple(f"SAVE{p}" for p in PROMO_PERCENTS)
_CAT_WEIGHT = np.array([c.weight for c in CATEGORIES])
_SEG_BASKET = np.array([s.basket for s in SEGMENTS])
_SEG_EXTRA_QTY = np.array([s.extra_qty for s in SEGMENTS])
_SEG_LOYALTY = np.array([s.brand_loyalty for s in SEGMENTS])
_SEG_PROMO_USE = np.array([s.promo_use for s in SEGMENTS])
_SEG_CONVERSION = np.array([s.conversion for s in SEGMENTS])


class BasketModel:
    """Precomputed choice tables for one world; draws are per day."""

    def __init__(self, world: RetailWorld, items_per_ticket_mean: float, segment_shares: F64) -> None:
        self.world = world
        n_cat = len(CATEGORIES)
        cat = world.product_category
        # within-category choice per segment: popularity tilted by price (cheap for budget, premium for quality)
        self.within_cdf: list[F64] = []
        self.within_prob: list[F64] = []
        for seg in SEGMENTS:
            w = world.product_popularity * (world.product_price / 100.0) ** seg.price_tilt
            totals = np.bincount(cat, weights=w, minlength=n_cat)
            prob = w / totals[cat]
            csum = np.cumsum(prob)
            first = np.searchsorted(cat, cat, side="left")
            within = csum - np.concatenate([[0.0], csum])[first]
            within[np.r_[cat[1:] != cat[:-1], True]] = 1.0  # close each category exactly
            # category index + cumulative share inside it: one monotone table for all categories
            self.within_cdf.append(cat + within)
            self.within_prob.append(prob)
        by_brand = np.argsort(world.product_brand, kind="stable")
        self.brand_products = by_brand
        counts = np.bincount(world.product_brand, minlength=int(world.product_brand.max()) + 1)
        self.brand_offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        # lines per receipt by segment, scaled so buyers average items_per_ticket_mean
        buyer_mix = segment_shares * _SEG_CONVERSION
        self.lines_mean = items_per_ticket_mean * _SEG_BASKET / float((buyer_mix * _SEG_BASKET).sum() / buyer_mix.sum())

    def expected_units_per_buyer(self) -> F64:
        """Expected units of each product per buyer, by segment (baseline season), shape (segments, products)."""
        cat_prob = _CAT_WEIGHT / _CAT_WEIGHT.sum()
        rows = [
            self.lines_mean[s] * (1 + _SEG_EXTRA_QTY[s]) * cat_prob[self.world.product_category] * self.within_prob[s]
            for s in range(len(SEGMENTS))
        ]
        return np.array(rows)

    def promotions(self, keys: BlockKeys, day: date) -> I64:
        """Promotion percent per product on ``day`` (0 = none)."""
        rng = keys.rng("promotions", day)
        on = rng.random(self.world.n_products) < PROMO_SHARE
        return np.where(on, PROMO_PERCENTS[rng.integers(0, PROMO_PERCENTS.size, self.world.n_products)], 0)

    def draw(self, keys: BlockKeys, day: date, stream: str, segment: I64, customer: I64) -> Lines:
        """Draw the lines for buyers with the given segments and customers (one basket each)."""
        rng = keys.rng(stream, day)
        n_lines = 1 + rng.poisson(np.maximum(self.lines_mean[segment] - 1, 0))
        owner = np.repeat(np.arange(segment.size), n_lines)
        seg = segment[owner]
        m = owner.size

        cat_w = _CAT_WEIGHT * category_boost(day)
        cat_cdf = shares_cdf(cat_w)
        category = np.minimum(np.searchsorted(cat_cdf, rng.random(m), side="right"), len(CATEGORIES) - 1)
        u = category + rng.random(m)
        product = np.empty(m, dtype=np.int64)
        for s in range(len(SEGMENTS)):
            sel = np.flatnonzero(seg == s)
            product[sel] = np.searchsorted(self.within_cdf[s], u[sel], side="left")
        product = np.minimum(product, self.world.n_products - 1)

        # brand-loyal shoppers reach for their favourite brand
        brand = self.world.customer_brand[customer[owner]]
        lo, hi = self.brand_offsets[brand], self.brand_offsets[brand + 1]
        loyal = (rng.random(m) < _SEG_LOYALTY[seg]) & (hi > lo)
        fav = self.brand_products[
            np.minimum(lo + (rng.random(m) * (hi - lo)).astype(np.int64), self.brand_products.size - 1)
        ]
        product = np.where(loyal, fav, product)

        qty = 1 + np.minimum(rng.poisson(_SEG_EXTRA_QTY[seg]), 11)
        promo = self.promotions(keys, day)[product]
        uses = (promo > 0) & (rng.random(m) < _SEG_PROMO_USE[seg])
        pct = np.where(uses, promo, 0)
        price = self.world.product_price[product]
        unit_price = price - round_half_up_div(price * pct, 100)
        promo_code = np.where(uses, np.searchsorted(PROMO_PERCENTS, pct), -1)
        return Lines(owner, product, qty, unit_price, promo_code)


@dataclass
class Lines:
    """Basket lines, grouped by owner (the buyer's index) in line order."""

    owner: I64
    product: I64
    qty: I64
    unit_price: I64  # cents
    promo: I64  # index into PROMO_CODES, -1 for none
