"""The timeline: one day's events merged in time order across tables, days one after another."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta, timezone
from itertools import islice
from typing import Any

import numpy as np
import pyarrow as pa
import pytest

from emitter.config import Config
from emitter.core.clock import MICROS_PER_DAY, MICROS_PER_HOUR, day_start_us
from emitter.core.columns import timestamps
from emitter.scenarios import Scenario, open_scenario
from emitter.stream.timeline import DayEvents, merge_day, timeline, to_micros

DAY = date(2024, 1, 2)
TABLES = ("receipts", "truck_moves", "online_orders", "marketing")


def _table(ts: Sequence[int], tag: str) -> pa.Table:
    return pa.table({"event_ts": timestamps(list(ts)), "tag": [f"{tag}{i}" for i in range(len(ts))]})


def _tags(events: DayEvents) -> list[str]:
    return [
        events.tables[events.names[int(t)]].column("tag")[int(r)].as_py()
        for t, r in zip(events.table, events.row, strict=True)
    ]


def _merge(day: date, tables: dict[str, pa.Table], names: Sequence[str]) -> DayEvents:
    """merge_day on tables whose event time is ``event_ts`` (retail's, and the synthetic tables here)."""
    return merge_day(day, tables, names, ["event_ts"] * len(names))


@pytest.fixture(scope="module")
def scenario(small_config: Config) -> Scenario[Any]:
    return open_scenario(small_config)


@pytest.fixture(scope="module")
def two_days(scenario: Scenario[Any]) -> dict[date, dict[str, pa.Table]]:
    return dict(scenario.days([DAY, DAY + timedelta(days=1)], TABLES))


def test_merge_day_orders_by_time_ties_keep_table_then_row_order() -> None:
    tables = {"a": _table([1, 3, 3, 5], "a"), "b": _table([0, 3, 5, 5], "b")}
    events = _merge(DAY, tables, ["a", "b"])
    assert _tags(events) == ["b0", "a0", "a1", "a2", "b1", "a3", "b2", "b3"]
    assert events.ts.tolist() == [0, 1, 3, 3, 3, 5, 5, 5]
    assert events.names == ("a", "b")
    assert len(events) == 8
    assert events.ts.dtype == events.table.dtype == events.row.dtype == np.int64

    # the table order that breaks ties is the order of ``names``, not of the dict
    swapped = _merge(DAY, tables, ["b", "a"])
    assert _tags(swapped) == ["b0", "a0", "b1", "a1", "a2", "b2", "b3", "a3"]
    assert swapped.table.tolist() == [0, 1, 0, 1, 1, 0, 0, 1]


def test_merge_day_orders_each_table_by_its_own_event_time_column() -> None:
    at = pa.table({"at": timestamps([2, 4]), "tag": ["a0", "a1"]})
    tables = {"a": at, "b": _table([1, 3], "b")}
    events = merge_day(DAY, tables, ["a", "b"], ["at", "event_ts"])
    assert _tags(events) == ["b0", "a0", "b1", "a1"]
    assert events.ts.tolist() == [1, 2, 3, 4]


def test_merge_day_leaves_out_tables_not_named() -> None:
    tables = {"a": _table([2, 4], "a"), "b": _table([1, 3], "b"), "c": _table([0], "c")}
    events = _merge(DAY, tables, ["a", "b"])
    assert _tags(events) == ["b0", "a0", "b1", "a1"]


def test_merge_day_of_an_empty_table() -> None:
    events = _merge(DAY, {"a": _table([], "a"), "b": _table([7, 8], "b")}, ["a", "b"])
    assert _tags(events) == ["b0", "b1"]
    assert {name: t.num_rows for name, t in events.tables.items()} == {"a": 0, "b": 2}


def test_merge_day_of_no_tables_is_empty() -> None:
    events = _merge(DAY, {}, [])
    assert len(events) == 0


def test_merge_day_of_the_model_is_every_row_once_in_time_order(two_days: dict[date, dict[str, pa.Table]]) -> None:
    tables = two_days[DAY]
    events = _merge(DAY, tables, list(TABLES))
    assert len(events) == sum(t.num_rows for t in tables.values())
    assert np.all(np.diff(events.ts) >= 0)
    for index, name in enumerate(TABLES):
        mine = events.table == index
        # each table's rows appear in their own (event_ts) order, each exactly once
        assert events.row[mine].tolist() == list(range(tables[name].num_rows))
        expected = tables[name].column("event_ts").cast(pa.int64()).to_numpy()
        assert events.ts[mine].tolist() == expected.tolist()


def test_timeline_drops_events_before_the_start_and_continues_across_days(
    scenario: Scenario[Any], two_days: dict[date, dict[str, pa.Table]]
) -> None:
    first_day = _merge(DAY, two_days[DAY], list(TABLES))
    # start on an event's exact time: that event (and any sharing its time) is kept
    start_us = int(first_day.ts[len(first_day) // 2])
    assert start_us > day_start_us(DAY) + 6 * MICROS_PER_HOUR

    days = list(islice(timeline(scenario, TABLES, start_us), 3))

    assert [d.day for d in days] == [DAY, DAY + timedelta(days=1), DAY + timedelta(days=2)]
    kept = days[0]
    assert int(kept.ts[0]) == start_us
    assert kept.ts.min() >= start_us
    dropped = int(np.searchsorted(first_day.ts, start_us, side="left"))
    assert dropped > 0
    assert len(kept) == len(first_day) - dropped
    assert kept.ts.tolist() == first_day.ts[dropped:].tolist()
    assert kept.table.tolist() == first_day.table[dropped:].tolist()
    assert kept.row.tolist() == first_day.row[dropped:].tolist()

    second = _merge(DAY + timedelta(days=1), two_days[DAY + timedelta(days=1)], list(TABLES))
    assert days[1].ts.tolist() == second.ts.tolist()
    assert days[1].table.tolist() == second.table.tolist()
    for name in TABLES:
        assert days[1].tables[name].equals(two_days[DAY + timedelta(days=1)][name])
    next_midnight = day_start_us(DAY + timedelta(days=1))
    assert next_midnight <= int(days[1].ts[0]) and int(days[1].ts[-1]) < next_midnight + MICROS_PER_DAY
    assert len(days[2]) > 0


def test_timeline_from_midnight_keeps_the_whole_day(
    scenario: Scenario[Any], two_days: dict[date, dict[str, pa.Table]]
) -> None:
    (day,) = islice(timeline(scenario, ("receipts",), day_start_us(DAY)), 1)
    assert day.day == DAY
    assert len(day) == two_days[DAY]["receipts"].num_rows
    assert day.names == ("receipts",)


def test_to_micros_naive_is_wall_clock_as_utc() -> None:
    assert to_micros(datetime(1970, 1, 1)) == 0
    assert to_micros(datetime(2024, 1, 2, 10, 0)) == day_start_us(DAY) + 10 * MICROS_PER_HOUR
    assert to_micros(datetime(2024, 1, 2, 10, 0, 0, 123_456)) == day_start_us(DAY) + 10 * MICROS_PER_HOUR + 123_456
    assert to_micros(datetime(1969, 12, 31, 23, 59, 59, 999_999)) == -1


def test_to_micros_aware_converts_to_utc() -> None:
    ten_utc = day_start_us(DAY) + 10 * MICROS_PER_HOUR
    assert to_micros(datetime(2024, 1, 2, 10, 0, tzinfo=UTC)) == ten_utc
    assert to_micros(datetime(2024, 1, 2, 12, 0, tzinfo=timezone(timedelta(hours=2)))) == ten_utc
    assert to_micros(datetime(2024, 1, 2, 5, 30, tzinfo=timezone(timedelta(hours=-4, minutes=-30)))) == ten_utc
    # a large value stays exact to the microsecond (no float round trip)
    late = datetime(2262, 4, 11, 23, 47, 16, 854_775, tzinfo=UTC)
    assert to_micros(late) == (late - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)
