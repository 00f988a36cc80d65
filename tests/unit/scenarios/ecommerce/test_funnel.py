"""The funnel: fewer sessions at each step, abandoned carts, low conversion that follows the settings."""

from __future__ import annotations

import itertools
from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from emitter.scenarios.ecommerce.settings import Funnel

from .ecommerce_data import Shop, flags, human_sessions, ints

STEPS = ("product_view", "add_to_cart", "begin_checkout", "purchase")
WEEK = (date(2024, 3, 4), 7)


def _reached(clicks: pa.Table, step: str) -> set[str]:
    return set(pc.unique(clicks.filter(pc.equal(clicks.column("event_type"), step)).column("session_id")).to_pylist())


def test_each_step_is_reached_by_fewer_sessions(march) -> None:
    reached = [_reached(march["clickstream"], step) for step in STEPS]
    sizes = [len(r) for r in reached]
    assert all(a > b for a, b in itertools.pairwise(sizes)), sizes
    # every step comes after the one before it: a session at a step passed the steps above
    for above, below in itertools.pairwise(reached):
        assert below <= above
    assert sizes[-1] > 100  # enough purchases to measure


def test_carts_are_abandoned(march) -> None:
    carts, bought = _reached(march["clickstream"], "add_to_cart"), _reached(march["clickstream"], "purchase")
    abandoned = len(carts - bought) / len(carts)
    assert 0.5 < abandoned < 0.98, abandoned  # most carts are left; a shop where none are kept would not sell


def _conversion(tables: dict[str, pa.Table]) -> float:
    human = human_sessions(tables)
    return float(flags(human, "converted").mean())


def test_conversion_is_low_single_digit_on_ordinary_days(march) -> None:
    assert 0.005 < _conversion(march) < 0.05


def test_raising_the_funnel_rates_raises_conversion(shop) -> None:
    default = _conversion(shop.window(*WEEK))
    # ~10k human sessions a week convert ~2%: ~200 orders, a relative error of ~7%
    keen = Shop(funnel={"add_to_cart": 0.4, "purchase": 0.9})
    raised = _conversion(keen.window(*WEEK))
    assert raised > 2 * default, (default, raised)  # doubled carts alone would double it; purchase adds half again


@pytest.mark.parametrize("rate", [0.1, 0.4])
def test_the_cart_rate_is_the_configured_one(rate) -> None:
    """Non-bounce human sessions that add to cart: close to funnel.add_to_cart (no sale or gift boost in March)."""
    tables = Shop(funnel={"add_to_cart": rate}).window(*WEEK)
    human = human_sessions(tables)
    browsing = human.filter(pc.invert(human.column("is_bounce")))
    carts = _reached(tables["clickstream"], "add_to_cart")
    share = float(np.mean(np.isin(browsing.column("session_id").to_numpy(zero_copy_only=False), list(carts))))
    # ~6k browsing sessions: sd ≤ 0.7 points; sign-up sessions (a few dozen) always fill a cart
    assert abs(share - rate) < 0.03, share
    assert Funnel().add_to_cart != rate


def test_every_order_comes_from_a_purchase_at_the_same_moment(march) -> None:
    o, k = march["orders"], march["clickstream"]
    placed = o.filter(pc.equal(o.column("status"), "placed"))
    buys = k.filter(pc.equal(k.column("event_type"), "purchase"))
    assert placed.num_rows == buys.num_rows > 100
    keyed = buys.select(["order_id", "session_id", "event_ts"]).join(
        placed.select(["order_id", "session_id", "placed_at"]), ["order_id", "session_id"]
    )
    assert keyed.num_rows == placed.num_rows
    assert (ints(keyed, "event_ts") == ints(keyed, "placed_at")).all()
