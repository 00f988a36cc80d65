"""Sessions and clicks: in order inside the session, heavy-tailed lengths, returning customers, sign-ups."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .ecommerce_data import codes, flags, human_sessions, ints, strings


def _by_session(sessions: pa.Table, clicks: pa.Table) -> np.ndarray:
    """Row of ``sessions`` for each click."""
    idx = pc.index_in(clicks.column("session_id"), value_set=sessions.column("session_id").combine_chunks())
    return np.asarray(pc.fill_null(idx, -1).to_numpy(), dtype=np.int64)


def test_clicks_fall_inside_their_session_in_order(sale_weeks) -> None:
    s, k = sale_weeks["sessions"], sale_weeks["clickstream"]
    row = _by_session(s, k)
    assert (row >= 0).all()
    ts, position = ints(k, "event_ts"), ints(k, "position")
    first = np.full(s.num_rows, np.iinfo(np.int64).max)
    last = np.full(s.num_rows, np.iinfo(np.int64).min)
    np.minimum.at(first, row, ts)
    np.maximum.at(last, row, ts)
    # the session spans exactly its first to its last event
    assert (first == ints(s, "started_at")).all()
    assert (last == ints(s, "ended_at")).all()
    # in position order, time never goes back
    order = np.lexsort((position, row))
    same = row[order][1:] == row[order][:-1]
    assert (np.diff(ts[order])[same] >= 0).all()
    assert (np.diff(position[order])[same] == 1).all()


def test_session_lengths_are_heavy_tailed_and_mostly_short(march) -> None:
    human = human_sessions(march)
    events = ints(human, "events")
    median, p99 = np.median(events), np.percentile(events, 99)
    # ~30k human sessions: the median and the 99th percentile are measured to within an event or two
    assert median <= 12, median
    assert p99 >= 6 * median, (median, p99)
    assert events.max() >= 3 * p99 / 2  # the tail runs on past the 99th percentile
    bounce = flags(human, "is_bounce").mean()
    assert 0.25 <= bounce <= 0.50, bounce


def test_signed_in_customers_come_back(march) -> None:
    human = human_sessions(march)
    customer = ints(human, "customer_id")
    per_customer = np.bincount(customer[customer > 0])
    per_customer = per_customer[per_customer > 0]
    assert per_customer.max() >= 3
    assert per_customer.mean() > 1.5
    # a returning customer keeps one visitor id across the sessions they sign in to
    known = (customer > 0) & ~flags(human, "signed_up")
    pairs = np.unique(np.stack([customer[known], codes(human, "visitor_id")[known]]), axis=1)
    assert pairs.shape[1] == np.unique(customer[known]).size


def test_anonymous_visitors_appear_once(march) -> None:
    s = march["sessions"]
    anonymous = s.filter(pc.is_null(s.column("customer_id")))
    assert anonymous.num_rows > 1000
    _, count = np.unique(strings(anonymous, "visitor_id"), return_counts=True)
    assert (count == 1).all(), int((count > 1).sum())
    # and their visitor ids are not any customer's
    customers = s.filter(pc.is_valid(s.column("customer_id"))).column("visitor_id").combine_chunks()
    assert not pc.any(pc.is_in(anonymous.column("visitor_id"), value_set=customers)).as_py()


def test_a_sign_up_session_turns_a_visitor_into_a_customer(sale_weeks) -> None:
    s, k, c = sale_weeks["sessions"], sale_weeks["clickstream"], sale_weeks["customers"]
    signups = s.filter(s.column("signed_up"))
    assert signups.num_rows >= 10
    registered = dict(zip(ints(c, "customer_id").tolist(), ints(c, "registered_at").tolist(), strict=True))
    clicks = k.filter(pc.is_in(k.column("session_id"), value_set=signups.column("session_id").combine_chunks()))
    for session in signups.to_pylist():
        mine = clicks.filter(pc.equal(clicks.column("session_id"), session["session_id"]))
        mine = mine.sort_by("position")
        assert set(strings(mine, "visitor_id")) == {session["visitor_id"]}
        kinds = strings(mine, "event_type")
        assert (kinds == "sign_up").sum() == 1
        at = int(np.flatnonzero(kinds == "sign_up")[0])
        who = ints(mine, "customer_id")
        assert (who[:at] == -1).all(), session["session_id"]
        assert (who[at:] == session["customer_id"]).all(), session["session_id"]
        assert ints(mine, "event_ts")[at] == registered[session["customer_id"]]
