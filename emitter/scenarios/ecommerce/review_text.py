"""Review titles and bodies: a few templates per star rating, rendered once per subcategory into a pool."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from emitter.core.columns import Pooled
from emitter.scenarios.ecommerce.world import singular

TEMPLATES = {
    1: (
        ("Very disappointed", "This {kind} stopped working properly within days. Would not buy again."),
        ("Not as described", "The {kind} looked nothing like the pictures and the quality is poor."),
        ("Waste of money", "Cheaply made {kind}. I sent it back."),
    ),
    2: (
        ("Below expectations", "The {kind} is okay at best; the finish is rough and it feels flimsy."),
        ("Meh", "Expected more from this {kind} for the price."),
        ("Sizing is off", "The {kind} runs small and the material is thinner than I hoped."),
    ),
    3: (
        ("It's fine", "Does the job. Nothing special about this {kind}, nothing wrong either."),
        ("Average", "Decent {kind} for everyday use, but I've had better."),
        ("Mixed feelings", "Like the look of the {kind}, not so sure about how long it will last."),
    ),
    4: (
        ("Really good", "Very happy with this {kind}. Good quality, arrived quickly."),
        ("Great value", "Solid {kind} for the price. Would recommend."),
        ("Nice", "The {kind} works well; one small niggle but overall great."),
    ),
    5: (
        ("Love it!", "Best {kind} I've owned. Exactly as described and beautifully made."),
        ("Perfect", "This {kind} is perfect. Bought a second one as a gift."),
        ("Excellent quality", "Five stars: the {kind} exceeded my expectations."),
    ),
}
PER_RATING = 3


def review_pools(subcategories: tuple[str, ...]) -> tuple[pa.StringArray, pa.StringArray]:
    """Titles and bodies indexed by ``text_index``."""
    titles, bodies = [], []
    for sub in subcategories:
        kind = singular(sub).lower()
        for rating in range(1, 6):
            for title, body in TEMPLATES[rating]:
                titles.append(title)
                bodies.append(body.format(kind=kind))
    return pa.array(titles), pa.array(bodies)


def text_index(
    subcategory: npt.NDArray[np.int64], rating: npt.NDArray[np.int64], pick: npt.NDArray[np.int64]
) -> npt.NDArray[np.int64]:
    return np.asarray((subcategory * 5 + rating - 1) * PER_RATING + pick % PER_RATING, dtype=np.int64)


def review_columns(pools: tuple[pa.StringArray, pa.StringArray], index: npt.NDArray[np.int64]) -> tuple[Pooled, Pooled]:
    return Pooled(pools[0], index), Pooled(pools[1], index)
