"""Fraud patterns as they look in the data, and their labels: the ground truth a detection demo scores against."""

from __future__ import annotations

from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from emitter.scenarios.rules import ints

from .bank_data import ACCOUNTS, CATALOG, LABELS, TRANSACTIONS, generated

MINUTE = 60_000_000


def distance_km(lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray) -> np.ndarray:
    """Great-circle distance (haversine)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(lon2 - lon1)
    h = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return np.asarray(2 * 6_371.0 * np.arcsin(np.sqrt(h)), dtype=np.float64)


@pytest.fixture(scope="module")
def month() -> dict[str, pa.Table]:
    """A month of the small bank, which sees plenty of fraud."""
    return generated(date(2025, 2, 1), 28, preset="small")


def _labelled(t: dict[str, pa.Table], pattern: str) -> pa.Table:
    ids = t[LABELS].filter(pc.equal(t[LABELS]["pattern"], pattern))["transaction_id"]
    return t[TRANSACTIONS].filter(pc.is_in(t[TRANSACTIONS]["transaction_id"], value_set=ids.combine_chunks()))


def test_labels_are_not_streamed_by_default_but_written() -> None:
    assert LABELS not in {s.id for s in CATALOG.streamed}
    assert LABELS in {s.id for s in CATALOG.per_day}


def test_every_pattern_occurs(month: dict[str, pa.Table]) -> None:
    assert set(month[LABELS]["pattern"].to_pylist()) == {"card_testing", "account_takeover", "impossible_travel"}


def test_card_testing_is_a_burst_of_tiny_online_charges(month: dict[str, pa.Table]) -> None:
    labels = month[LABELS].filter(pc.equal(month[LABELS]["pattern"], "card_testing"))
    tx = _labelled(month, "card_testing")
    assert set(tx["channel"].to_pylist()) == {"online"}
    by_id = dict(zip(tx["transaction_id"].to_pylist(), range(tx.num_rows), strict=True))
    ts, cents = ints(tx, "transaction_at"), np.array([abs(a) * 100 for a in tx["amount"].to_pylist()])
    devices = tx["device_id"].to_pylist()
    incidents: dict[str, list[int]] = {}
    for incident, tid in zip(labels["incident_id"].to_pylist(), labels["transaction_id"].to_pylist(), strict=True):
        incidents.setdefault(incident, []).append(by_id[tid])
    for rows in incidents.values():
        assert (cents[rows] < 500).sum() >= 5  # five or more charges under five dollars
        assert ts[rows].max() - ts[rows].min() < 60 * MINUTE  # minutes, not days
        assert len({devices[r] for r in rows}) == 1  # one device for the whole burst


def test_fraud_comes_from_devices_no_customer_uses(month: dict[str, pa.Table]) -> None:
    """Burner devices look like anyone's phone, but no genuine transaction ever used one."""
    tx, fraud = month[TRANSACTIONS], set(month[LABELS]["transaction_id"].to_pylist())
    rows = tx.select(["transaction_id", "device_id"]).to_pylist()
    genuine = {r["device_id"] for r in rows if r["transaction_id"] not in fraud and r["device_id"]}
    burners = {r["device_id"] for r in rows if r["transaction_id"] in fraud and r["device_id"]}
    assert burners and not burners & genuine
    assert len({len(d) for d in genuine | burners}) == 1  # one format: the id alone gives nothing away


def test_account_takeover_drains_what_is_there_from_a_new_device_far_away(month: dict[str, pa.Table]) -> None:
    tx = _labelled(month, "account_takeover")
    assert set(tx["transaction_type"].to_pylist()) == {"transfer"}
    assert "US" not in set(tx["country"].to_pylist())
    limits = dict(
        zip(month[ACCOUNTS]["account_id"].to_pylist(), month[ACCOUNTS]["overdraft_limit"].to_pylist(), strict=True)
    )
    posted = tx.filter(pc.equal(tx["status"], "posted")).to_pylist()
    assert posted
    for row in posted:  # each transfer takes at least half of what the balance and limit allowed
        available = row["balance_after"] - row["amount"] + limits[row["account_id"]]
        assert -row["amount"] >= available / 2, row


def test_every_incident_ends_the_day_it_starts(month: dict[str, pa.Table]) -> None:
    times = month[LABELS]["transaction_at"].to_pylist()
    assert times and max(t.hour * 60 + t.minute for t in times) < 23 * 60 + 59  # nothing held at midnight


def test_impossible_travel_follows_a_purchase_at_home_too_far_away_too_soon(month: dict[str, pa.Table]) -> None:
    tx = month[TRANSACTIONS]
    far = _labelled(month, "impossible_travel")
    assert far.num_rows
    cards = tx.filter(pc.equal(tx["channel"], "card_present"))
    acct, ts = ints(cards, "account_id"), ints(cards, "transaction_at")
    lat, lon = cards["latitude"].to_numpy(zero_copy_only=False), cards["longitude"].to_numpy(zero_copy_only=False)
    for a, t1, la, lo in zip(
        ints(far, "account_id"),
        ints(far, "transaction_at"),
        far["latitude"].to_numpy(),
        far["longitude"].to_numpy(),
        strict=True,
    ):
        before = np.flatnonzero((acct == a) & (ts < t1) & (ts > t1 - 2 * 60 * MINUTE))
        assert before.size, "no purchase before the far one"
        prev = before[np.argmax(ts[before])]
        km = distance_km(np.array([lat[prev]]), np.array([lon[prev]]), np.array([la]), np.array([lo]))[0]
        hours = (t1 - ts[prev]) / 3_600e6
        assert km / hours > 1_000  # faster than any airliner


def test_cardholders_travel_too_so_abroad_is_not_fraud_by_itself() -> None:
    """A trip takes a day: genuine purchases abroad exist, unlabelled, and that day's others are in the same place."""
    t = generated(date(2025, 6, 2), 14, customers=6_000)
    tx, labels = t[TRANSACTIONS], t[LABELS]
    fraud = set(labels["transaction_id"].to_pylist())
    present = tx.filter(pc.equal(tx["channel"], "card_present")).select(
        ["transaction_id", "account_id", "transaction_at", "country", "city"]
    )
    genuine_abroad = [r for r in present.to_pylist() if r["country"] != "US" and r["transaction_id"] not in fraud]
    assert len(genuine_abroad) > 5
    by_account_day: dict[tuple[int, date], set[str]] = {}
    for r in present.to_pylist():
        if r["transaction_id"] not in fraud:
            by_account_day.setdefault((r["account_id"], r["transaction_at"].date()), set()).add(r["city"])
    # one place a day for genuine purchases (an impossible-travel incident's purchase at home aside)
    assert sum(len(c) > 1 for c in by_account_day.values()) <= len(labels)
