"""Store visits in time and space: opening hours, holidays, foot traffic, BLE pings and buyers."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

import numpy as np
import pyarrow as pa
import pytest

from emitter.scenarios.retail.catalog import ZONES

from .readers import MICROS_PER_DAY, MICROS_PER_HOUR, epoch_day, hour_of_day, ints, lookup, micros, strings
from .retail_data import BLACK_FRIDAY, CHRISTMAS, NOVEMBER, RULE_WINDOWS, THANKSGIVING, RetailRun


def hours_on(stores: pa.Table, day: date) -> tuple[np.ndarray, np.ndarray]:
    """(open, close) hour per store row on ``day``, from the master table and the seed's holiday rules."""
    opening, closing = ints(stores, "open_hour").copy(), ints(stores, "close_hour").copy()
    all_day = stores.column("is_24h").to_numpy(zero_copy_only=False)
    if day == BLACK_FRIDAY:  # doors at 5:00, close at midnight
        opening, closing = np.minimum(opening, 5), np.full_like(closing, 24)
    if day in (THANKSGIVING, CHRISTMAS):  # only 24/7 stores open
        closing = np.where(all_day, closing, opening)
    return opening, closing


def outside_hours(retail: RetailRun, table: pa.Table) -> list[tuple[int, str]]:
    stores = retail.master["stores"]
    row = lookup(ints(table, "store_id"), ints(stores, "store_id"))
    ts = micros(table)
    days = epoch_day(ts)
    bad = []
    for d in np.unique(days):
        day = date(1970, 1, 1) + timedelta(days=int(d))
        opening, closing = hours_on(stores, day)
        sel = days == d
        h = hour_of_day(ts[sel])
        out = (h < opening[row[sel]]) | (h >= closing[row[sel]])
        bad += [
            (int(s), str(np.datetime64(int(t), "us")))
            for s, t in zip(ints(table, "store_id")[sel][out], ts[sel][out], strict=True)
        ]
    return bad


def test_store_hours_are_sensible(varied: RetailRun) -> None:
    stores = varied.master["stores"]
    opening, closing = ints(stores, "open_hour"), ints(stores, "close_hour")
    all_day = stores.column("is_24h").to_numpy(zero_copy_only=False)
    assert all_day.any() and not all_day.all(), "the fixture should have some 24/7 stores"
    assert (opening[all_day] == 0).all() and (closing[all_day] == 24).all()
    assert ((opening[~all_day] >= 5) & (opening[~all_day] <= 10)).all()
    assert ((closing[~all_day] >= 20) & (closing[~all_day] <= 24)).all()


@pytest.mark.parametrize("window", RULE_WINDOWS.values(), ids=RULE_WINDOWS.keys())
def test_shoppers_enter_only_while_the_store_is_open(varied: RetailRun, window: tuple[date, int]) -> None:
    foot = varied.window(*window)["foot_traffic"]
    entrance = foot.filter(pa.compute.equal(foot.column("zone"), "ENTRANCE"))
    assert entrance.num_rows > 1000
    bad = outside_hours(varied, entrance)
    assert not bad, f"{len(bad)} entries while closed, e.g. {bad[:3]}"


@pytest.mark.parametrize("window", RULE_WINDOWS.values(), ids=RULE_WINDOWS.keys())
def test_no_receipts_while_the_store_is_closed(varied: RetailRun, window: tuple[date, int]) -> None:
    """Checkouts happen between opening and closing (stores.open_hour/close_hour, holiday hours).

    Currently a checkout is arrival + dwell, and nothing stops it from running past closing time:
    about 1.5 % of receipts at stores that close before midnight are rung up after close_hour,
    some more than an hour after.
    """
    receipts = varied.window(*window)["receipts"]
    bad = outside_hours(varied, receipts)
    assert not bad, f"{len(bad)} of {receipts.num_rows} receipts while closed, e.g. {bad[:3]}"


def test_holiday_hours(varied: RetailRun) -> None:
    w = varied.window(*RULE_WINDOWS["thanksgiving"])
    stores = varied.master["stores"]
    all_day = dict(zip(ints(stores, "store_id").tolist(), stores.column("is_24h").to_pylist(), strict=True))
    receipts = w["receipts"]
    day, store, h = epoch_day(micros(receipts)), ints(receipts, "store_id"), hour_of_day(micros(receipts))
    thanksgiving = day == epoch_day(THANKSGIVING)
    assert thanksgiving.sum() > 20, "24/7 stores sell on Thanksgiving"
    assert all(all_day[s] for s in store[thanksgiving].tolist()), "only 24/7 stores sell on Thanksgiving"
    bf = day == epoch_day(BLACK_FRIDAY)
    regular = np.array([not all_day[s] for s in store.tolist()])
    assert (h[bf & regular] >= 5).all()
    assert ((h[bf & regular] >= 5) & (h[bf & regular] < 6)).sum() > 20, "Black Friday doors open at 5:00"
    assert (h[bf & regular] >= 23).sum() > 20, "Black Friday stores stay open until midnight"
    christmas = varied.window(*RULE_WINDOWS["christmas"])["receipts"]
    xmas = epoch_day(micros(christmas)) == epoch_day(CHRISTMAS)
    assert xmas.sum() > 20
    assert all(all_day[s] for s in ints(christmas, "store_id")[xmas].tolist())


def test_all_night_stores_sell_overnight(varied: RetailRun) -> None:
    receipts = varied.window(*NOVEMBER)["receipts"]
    stores = varied.master["stores"]
    all_day = stores.column("is_24h").to_numpy(zero_copy_only=False)
    row = lookup(ints(receipts, "store_id"), ints(stores, "store_id"))
    night = hour_of_day(micros(receipts)) < 5
    assert (night & all_day[row]).sum() >= 30
    assert not (night & ~all_day[row]).any()
    # quieter than the day: night hours carry a small share of a 24/7 store's sales
    assert (night & all_day[row]).sum() < 0.1 * all_day[row].sum()


@pytest.mark.parametrize("window", RULE_WINDOWS.values(), ids=RULE_WINDOWS.keys())
def test_checkouts_do_not_pile_up_at_midnight(retail: RetailRun, window: tuple[date, int]) -> None:
    """Checkout times are continuous: two receipts at one store never share a microsecond, and the
    day's last minute is at most a closing rush (visits that would run past closing end in the last
    minutes, at most a few times the usual rate), not a pile at 23:59:59.999999.
    """
    receipts = retail.window(*window)["receipts"]
    second = (micros(receipts) % MICROS_PER_DAY) // 1_000_000
    last_minute = int((second >= 86_340).sum())
    per_minute_before = ((second >= 82_800) & (second < 86_340)).sum() / 59
    assert last_minute <= 3 * per_minute_before + 5, (
        f"{last_minute} receipts in 23:59-24:00 vs {per_minute_before:.1f} a minute in the hour before"
    )
    key = np.stack([ints(receipts, "store_id"), micros(receipts)], axis=1)
    _, counts = np.unique(key, axis=0, return_counts=True)
    shared = counts[counts > 1]
    assert shared.size == 0, f"{shared.sum()} receipts share {shared.size} store-instants"


@pytest.mark.parametrize("window", RULE_WINDOWS.values(), ids=RULE_WINDOWS.keys())
def test_foot_traffic_at_least_ble_at_least_buyers(retail: RetailRun, window: tuple[date, int]) -> None:
    """Per store and clock hour: Σ sensor counts ≥ distinct members pinged ≥ distinct members who bought."""
    w = retail.window(*window)

    def hour_key(t: pa.Table) -> np.ndarray:
        return ints(t, "store_id") * 10**7 + micros(t) // MICROS_PER_HOUR

    foot: dict[int, int] = defaultdict(int)
    for k, c in zip(hour_key(w["foot_traffic"]).tolist(), ints(w["foot_traffic"], "count").tolist(), strict=True):
        foot[k] += c
    ble: dict[int, set[str]] = defaultdict(set)
    for k, c in zip(
        hour_key(w["ble_pings"]).tolist(), w["ble_pings"].column("customer_ble_id").to_pylist(), strict=True
    ):
        ble[k].add(c)
    buyers: dict[int, set[str]] = defaultdict(set)
    for k, c in zip(hour_key(w["receipts"]).tolist(), ints(w["receipts"], "customer_id").tolist(), strict=True):
        buyers[k].add(f"BLE{c:09d}")
    assert all(foot.get(k, 0) >= len(v) for k, v in ble.items())
    assert all(len(ble.get(k, ())) >= len(v) for k, v in buyers.items())
    assert all(v <= ble.get(k, set()) for k, v in buyers.items()), "a buyer the beacons never saw"
    # and the inequalities are not trivially loose: most store-hours have more visitors than buyers
    assert sum(foot[k] > len(buyers.get(k, ())) for k in foot) > 0.9 * len(foot)


def test_buyers_are_pinged_at_checkout(retail: RetailRun) -> None:
    w = retail.window(*RULE_WINDOWS["month_end"])
    ble, receipts = w["ble_pings"], w["receipts"]
    checkout = np.array(ble.column("zone").to_pylist()) == "CHECKOUT"
    seen = set(
        zip(
            ints(ble, "store_id")[checkout].tolist(),
            strings(ble, "customer_ble_id")[checkout].tolist(),
            micros(ble)[checkout].tolist(),
            strict=True,
        )
    )
    for store, customer, ts in zip(
        ints(receipts, "store_id").tolist(),
        ints(receipts, "customer_id").tolist(),
        micros(receipts).tolist(),
        strict=True,
    ):
        assert (store, f"BLE{customer:09d}", ts) in seen


def test_sensors_and_beacons_name_their_store_and_zone(retail: RetailRun) -> None:
    w = retail.window(*RULE_WINDOWS["month_end"])
    for table, column, prefix in (
        ("foot_traffic", "sensor_id", "SENSOR"),
        ("ble_pings", "beacon_id", "BEACON"),
    ):
        t = w[table]
        ids, zones, stores = strings(t, column), strings(t, "zone"), ints(t, "store_id")
        assert set(zones) <= set(ZONES)
        expected = np.char.add(np.char.add(f"{prefix}_", np.char.zfill(stores.astype(str), 5)), np.char.add("_", zones))
        assert (ids == expected).all(), table
    ble = w["ble_pings"]
    rssi = ints(ble, "rssi")
    assert ((rssi >= -100) & (rssi <= -30)).all()
    assert -80 < rssi.mean() < -55
    foot = w["foot_traffic"]
    assert (ints(foot, "count") >= 1).all() and (ints(foot, "dwell") >= 1).all()


def test_every_visit_starts_at_the_entrance(retail: RetailRun) -> None:
    """Members walk entrance → zones (→ checkout): the first BLE zone of a visit is the entrance."""
    ble = retail.window(*RULE_WINDOWS["month_end"])["ble_pings"]
    zone, ts = strings(ble, "zone"), micros(ble)
    key = ints(ble, "store_id").astype(str).astype(object) + ":" + strings(ble, "customer_ble_id").astype(object)
    first_zone: dict[tuple[str, int], tuple[int, str]] = {}
    for k, d, t, z in zip(key.tolist(), epoch_day(ts).tolist(), ts.tolist(), zone.tolist(), strict=True):
        if (k, d) not in first_zone or t < first_zone[k, d][0]:
            first_zone[k, d] = (t, z)
    share = np.mean([z == "ENTRANCE" for _, z in first_zone.values()])
    assert share > 0.95
