"""Contract: a batch larger than one bulk chunk lands whole, or not at all when a late row is rejected."""

from __future__ import annotations

from collections.abc import Callable

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from emitter.sink.destinations import Destination, DestinationError, TableName
from emitter.sink.destinations.copy_csv import ROWS_PER_CHUNK

PINGS = TableName("retail", "ble_pings")


@pytest.fixture(scope="module")
def many_pings(retail_day: dict[str, pa.Table]) -> pa.Table:
    """The day's BLE pings repeated past two bulk chunks, numbered like Kafka offsets."""
    pings = retail_day["ble_pings"]
    copies = -(-(2 * ROWS_PER_CHUNK + 1) // pings.num_rows)
    rows = pa.concat_tables([pings] * copies)
    return rows.append_column("_offset", pa.array(range(rows.num_rows), pa.int64()))


def test_a_multi_chunk_batch_lands_whole(destination: Destination, many_pings: pa.Table) -> None:
    destination.write({PINGS: many_pings}, None, {("retail.ble_pings", 0): many_pings.num_rows})

    got = destination.query(
        "SELECT count(*) AS n, sum(rssi) AS rssi, min(event_ts) AS first, max(event_ts) AS last, "
        "count(DISTINCT _offset) AS offsets FROM retail.ble_pings"
    ).to_pylist()[0]
    assert got["n"] == got["offsets"] == many_pings.num_rows
    assert got["rssi"] == pc.sum(many_pings.column("rssi").cast(pa.int64())).as_py()
    assert got["first"] == pc.min(many_pings.column("event_ts")).as_py()
    assert got["last"] == pc.max(many_pings.column("event_ts")).as_py()


def test_a_rejected_row_in_the_last_chunk_rolls_back_the_earlier_ones(
    destination: Destination, many_pings: pa.Table, forbid_nulls: Callable[[str, str], None]
) -> None:
    destination.ensure_table(PINGS, many_pings.schema)
    forbid_nulls("retail.ble_pings", "zone")
    zones = many_pings.column("zone").to_pylist()
    zones[-1] = None

    with pytest.raises(DestinationError, match="nothing was committed"):
        destination.write(
            {PINGS: many_pings.set_column(many_pings.schema.get_field_index("zone"), "zone", pa.array(zones))},
            None,
            {("retail.ble_pings", 0): many_pings.num_rows},
        )

    assert destination.query("SELECT count(*) AS n FROM retail.ble_pings").column("n").to_pylist() == [0]
    assert destination.stored_offsets(["retail.ble_pings"]) == {}
