"""Event counts by hour, weekday and day come from each table's declared event time."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pyarrow as pa

from emitter.report.volume import date_range, table_volumes
from emitter.scenarios import scenario_class


def _receipts(times: list[datetime]) -> pa.Table:
    """Only the event time matters to volumes: a receipts table with that column alone."""
    return pa.table({"event_ts": pa.array(times, pa.timestamp("us", tz="UTC"))})


def test_counts_follow_the_event_time_of_each_table() -> None:
    catalog = scenario_class("retail").catalog()
    utc = UTC
    times = [
        datetime(2024, 3, 4, 9, 15, tzinfo=utc),  # a Monday
        datetime(2024, 3, 4, 9, 59, tzinfo=utc),
        datetime(2024, 3, 4, 23, 0, tzinfo=utc),
        datetime(2024, 3, 6, 0, 30, tzinfo=utc),  # Wednesday; Tuesday has none
    ]
    tables = {"receipts": _receipts(times), "stores": pa.table({"store_id": [1]})}

    (volume,) = table_volumes(catalog, tables)  # reference tables and absent tables are left out

    assert volume.table == "receipts" and volume.rows == 4
    assert volume.by_hour.tolist() == [1 if h == 0 else 2 if h == 9 else 1 if h == 23 else 0 for h in range(24)]
    assert volume.by_weekday.tolist() == [3, 0, 1, 0, 0, 0, 0]
    assert volume.first == date(2024, 3, 4)
    assert volume.by_day.tolist() == [3, 0, 1]
    assert volume.days() == [date(2024, 3, 4), date(2024, 3, 5), date(2024, 3, 6)]
    assert date_range([volume]) == (date(2024, 3, 4), date(2024, 3, 6))


def test_empty_tables_have_no_volume() -> None:
    catalog = scenario_class("retail").catalog()

    assert table_volumes(catalog, {"receipts": _receipts([])}) == []
    assert date_range([]) is None
