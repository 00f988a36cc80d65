"""DC → store truck trips, checked directly against truck_moves and both inventory tables."""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from datetime import date, timedelta

import numpy as np
import pyarrow as pa
import pytest
from support import small_config as make_small_config

from .readers import MICROS_PER_HOUR, epoch_day, ints, micros, strings
from .retail_data import RULE_WINDOWS, RetailRun

STATUSES = ("SCHEDULED", "LOADING", "IN_TRANSIT", "ARRIVED", "UNLOADING", "COMPLETED")
MINUTE = 60_000_000
LOGISTICS = ("truck_moves", "store_inventory_txn", "dc_inventory_txn")


def trips(tm: pa.Table) -> dict[str, list[tuple[int, str, int, int, int, str, int]]]:
    """Rows per shipment id: (ts, status, eta, etd, store, truck, dc), in table order."""
    out: dict[str, list[tuple[int, str, int, int, int, str, int]]] = defaultdict(list)
    for row in zip(
        strings(tm, "shipment_id").tolist(),
        micros(tm).tolist(),
        strings(tm, "status").tolist(),
        micros(tm, "eta").tolist(),
        micros(tm, "etd").tolist(),
        ints(tm, "store_id").tolist(),
        strings(tm, "truck_id").tolist(),
        ints(tm, "dc_id").tolist(),
        strict=True,
    ):
        out[row[0]].append(row[1:])
    return out


def delivery_day(shipment_id: str) -> date:
    return date(int(shipment_id[3:7]), int(shipment_id[7:9]), int(shipment_id[9:11]))


def interior(shipments: dict, start: date, n: int) -> dict:
    """Shipments delivered from the window's second day on, whose whole trip should be in the window."""
    return {
        s: rows
        for s, rows in shipments.items()
        if start + timedelta(days=1) <= delivery_day(s) < start + timedelta(days=n)
    }


def check_whole_trips(w: dict[str, pa.Table], start: date, n: int) -> int:
    """Each trip logs the six statuses once, in order, for one truck, DC and store."""
    shipments = interior(trips(w["truck_moves"]), start, n)
    assert shipments
    for sid, rows in shipments.items():
        assert sorted(r[1] for r in rows) == sorted(STATUSES), f"{sid}: {[r[1] for r in rows]}"
        by_status = {r[1]: r for r in rows}
        times = [by_status[s][0] for s in STATUSES]
        assert times == sorted(times) and len(set(times)) == 6, f"{sid} out of order"
        assert len({r[2:] for r in rows}) == 1, f"{sid}: eta, etd, store, truck or dc change along the trip"
        assert epoch_day(by_status["COMPLETED"][0]) == epoch_day(delivery_day(sid))
    return len(shipments)


def check_dc_ships_what_stores_receive(
    w: dict[str, pa.Table], master: dict[str, pa.Table], start: date, n: int
) -> None:
    s, d = w["store_inventory_txn"], w["dc_inventory_txn"]
    tm = trips(w["truck_moves"])
    received: Counter[tuple[str, int]] = Counter()
    inbound = strings(s, "reason") == "INBOUND_SHIPMENT"
    for sid, product, qty in zip(
        strings(s, "source")[inbound],
        ints(s, "product_id")[inbound],
        ints(s, "qty_delta")[inbound],
        strict=True,
    ):
        if delivery_day(sid) >= start + timedelta(days=2):
            received[sid, int(product)] += int(qty)
    shipped: Counter[tuple[str, int]] = Counter()
    outbound = strings(d, "reason") == "OUTBOUND_SHIPMENT"
    dc_of_store = dict(
        zip(ints(master["stores"], "store_id").tolist(), ints(master["stores"], "dc_id").tolist(), strict=True)
    )
    for sid, dc, ts, product, qty in zip(
        strings(d, "source")[outbound],
        ints(d, "dc_id")[outbound],
        micros(d)[outbound],
        ints(d, "product_id")[outbound],
        ints(d, "qty_delta")[outbound],
        strict=True,
    ):
        loading = next(r for r in tm[sid] if r[1] == "LOADING")
        assert (dc, ts) == (dc_of_store[int(sid[11:])], loading[0]), sid
        if start + timedelta(days=2) <= delivery_day(sid) < start + timedelta(days=n):
            shipped[sid, int(product)] -= int(qty)
    assert received
    missing = {k[0] for k in received.keys() - shipped.keys()}
    assert not missing, f"{len(missing)} deliveries were never shipped by a DC, e.g. {sorted(missing)[:3]}"
    assert shipped == received


@pytest.fixture(scope="module")
def week(retail: RetailRun) -> dict[str, pa.Table]:
    return retail.window(*RULE_WINDOWS["thanksgiving"])


@pytest.mark.parametrize("window", RULE_WINDOWS.values(), ids=RULE_WINDOWS.keys())
def test_trucks_progress_through_every_status(retail: RetailRun, window: tuple[date, int]) -> None:
    assert check_whole_trips(retail.window(*window), *window) > 20


def test_eta_before_etd_and_arrival_near_eta(week: dict[str, pa.Table]) -> None:
    tm = week["truck_moves"]
    eta, etd, ts = micros(tm, "eta"), micros(tm, "etd"), micros(tm)
    assert (eta < etd).all()
    assert (etd - eta < 4 * MICROS_PER_HOUR).all(), "a store stop should not last hours"
    arrived = strings(tm, "status") == "ARRIVED"
    assert (np.abs(ts[arrived] - eta[arrived]) <= 60 * MINUTE).all()


def test_trucks_belong_to_the_dc_serving_the_store(retail: RetailRun, week: dict[str, pa.Table]) -> None:
    tm, stores, trucks = week["truck_moves"], retail.master["stores"], retail.master["trucks"]
    dc_of_store = dict(zip(ints(stores, "store_id").tolist(), ints(stores, "dc_id").tolist(), strict=True))
    dc_of_truck = dict(zip(strings(trucks, "truck_id").tolist(), ints(trucks, "dc_id").tolist(), strict=True))
    for store, truck, dc in zip(
        ints(tm, "store_id").tolist(),
        strings(tm, "truck_id").tolist(),
        ints(tm, "dc_id").tolist(),
        strict=True,
    ):
        assert dc == dc_of_store[store] == dc_of_truck[truck]


def test_every_delivery_comes_off_its_truck(week: dict[str, pa.Table]) -> None:
    """Each INBOUND_SHIPMENT names a trip to that store; stock is received between ARRIVED and COMPLETED."""
    s = week["store_inventory_txn"]
    tm = trips(week["truck_moves"])
    inbound = strings(s, "reason") == "INBOUND_SHIPMENT"
    assert inbound.sum() > 100
    arrivals = 0
    for sid, store, ts in zip(
        strings(s, "source")[inbound], ints(s, "store_id")[inbound], micros(s)[inbound], strict=True
    ):
        assert sid in tm, f"{sid} has no truck_moves"
        by_status = {r[1]: r for r in tm[sid]}
        assert by_status["COMPLETED"][4] == store
        assert ts < by_status["COMPLETED"][0], sid
        if "ARRIVED" in by_status:  # absent only when the truck arrived the evening before the window
            assert by_status["ARRIVED"][0] < ts, sid
            arrivals += 1
    assert arrivals > 0.9 * inbound.sum()


def test_dc_ships_what_stores_receive(retail: RetailRun) -> None:
    window = RULE_WINDOWS["thanksgiving"]
    check_dc_ships_what_stores_receive(retail.window(*window), retail.master, *window)


def test_long_trips_keep_all_their_events() -> None:
    """One DC for stores across the country: trips take more than a day and must still be logged whole.

    With the small world's stores, spread over its metros, served from a single DC, trucks drive up to
    ~60 h. Events of a trip that start two or more days before delivery are currently dropped (neither the
    delivery day nor the day before emits them), so trips lack SCHEDULED/LOADING/IN_TRANSIT and the DC never
    records the OUTBOUND_SHIPMENT for stock the store receives.
    """
    run = RetailRun(make_small_config({"volume": {"dcs": 1}}))
    start, n = date(2024, 3, 4), 6
    w = run.window(start, n, LOGISTICS)
    check_whole_trips(w, start, n)
    check_dc_ships_what_stores_receive(w, run.master, start, n)


def test_a_truck_is_on_one_trip_at_a_time() -> None:
    """A DC serving many stores never sends one truck to two stores at once (here 40 stores share 2 DCs)."""
    run = RetailRun(make_small_config({"volume": {"stores": 40, "dcs": 2}}))
    start, n = date(2024, 3, 4), 4
    shipments = interior(trips(run.window(start, n, ("truck_moves",))["truck_moves"]), start, n)
    spans: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
    for sid, rows in shipments.items():
        times = [r[0] for r in rows]
        spans[rows[0][5]].append((min(times), max(times), sid))
    clashes = []
    for truck, trips_of_truck in spans.items():
        trips_of_truck.sort()
        for (_, end, a), (begin, _, b) in itertools.pairwise(trips_of_truck):
            if begin < end:
                clashes.append((truck, a, b))
    assert not clashes, f"{len(clashes)} overlapping trips, e.g. {clashes[:3]}"
