"""Bots: a configurable share of sessions, never near a cart, fast; their labels are kept out of streams."""

from __future__ import annotations

from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from emitter.scenarios.ecommerce.scenario import EcommerceScenario
from emitter.scenarios.ecommerce.settings import Funnel

from .ecommerce_data import Shop, codes, flags, ints

WEEK = (date(2024, 3, 4), 7)


def _bot_share(tables: dict[str, pa.Table]) -> float:
    """Bot sessions per human session (the setting is bots on top of the human sessions, as a share)."""
    bot = flags(tables["session_labels"], "is_bot")
    return float(bot.sum() / (~bot).sum())


@pytest.mark.parametrize("bots", [None, 0.15])
def test_the_bot_share_follows_the_setting(shop, bots) -> None:
    tables = shop.window(*WEEK) if bots is None else Shop(funnel={"bots": bots}).window(*WEEK)
    setting = Funnel().bots if bots is None else bots
    share = _bot_share(tables)
    # a week: ~10k human sessions and 400-1,500 bots (Poisson: ≤ 5 % relative error); human traffic in an
    # ordinary March week sits within ~10 % of the average day the setting is relative to
    assert abs(share - setting) < 0.2 * setting, (share, setting)


def test_more_bots_when_the_setting_says_so(shop) -> None:
    few = _bot_share(shop.window(*WEEK))
    many = _bot_share(Shop(funnel={"bots": 0.15}).window(*WEEK))
    assert many > 2.5 * few


def test_bots_never_touch_a_cart_and_click_fast(march) -> None:
    lab, k = march["session_labels"], march["clickstream"]
    bot_ids = lab.filter(lab.column("is_bot")).column("session_id").combine_chunks()
    by_bot = np.asarray(pc.is_in(k.column("session_id"), value_set=bot_ids).to_numpy(), dtype=bool)
    kind = np.asarray(k.column("event_type").to_numpy(zero_copy_only=False))
    cart = np.isin(kind, ["add_to_cart", "remove_from_cart", "begin_checkout", "purchase", "sign_up"])
    assert by_bot.sum() > 10_000
    assert not (by_bot & cart).any()
    assert (ints(k, "customer_id")[by_bot] == -1).all()  # and never sign in
    # median gap between consecutive events of a session
    session, ts = codes(k, "session_id"), ints(k, "event_ts")
    order = np.lexsort((ts, session))
    same = session[order][1:] == session[order][:-1]
    gap = np.diff(ts[order])[same]
    bot_gap = np.median(gap[by_bot[order][1:][same]])
    human_gap = np.median(gap[~by_bot[order][1:][same]])
    assert bot_gap < human_gap / 5, (bot_gap, human_gap)


def test_bot_sessions_are_long_crawls(march) -> None:
    lab, s = march["session_labels"], march["sessions"]
    bot = flags(lab, "is_bot")
    assert (pc.equal(lab.column("session_id"), s.column("session_id")).to_numpy(zero_copy_only=False)).all()
    events = ints(s, "events")
    assert np.median(events[bot]) > 2 * np.median(events[~bot])
    assert not flags(s, "converted")[bot].any()


def test_labels_are_written_by_backfill_but_not_streamed_by_default() -> None:
    catalog = EcommerceScenario.catalog()
    streamed = {t.id for t in catalog.select(None, stream=True)}
    written = {t.id for t in catalog.select(None)}
    assert "session_labels" not in streamed
    assert "session_labels" in written
    assert {"sessions", "clickstream", "orders"} <= streamed
