"""ClickHouse specifics: MergeTree sort keys, and exactly once across a process killed between two statements.

ClickHouse has no multi-statement transaction: a batch is rows, then dead letters, then the INSERT of
its offsets. These tests kill a real process (``os._exit``, no cleanup runs) just before one of those
statements, reopen the directory and deliver the batch again from the stored offsets, as the next
``emitter sink`` would: every row must then be there exactly once.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import emitter
from emitter.backfill import run_backfill
from emitter.config import Config
from emitter.scenarios.retail import RetailScenario
from emitter.sink.destinations import DEAD_LETTER_SCHEMA, DEAD_LETTERS, TableName, open_destination
from emitter.sink.destinations.clickhouse import ClickHouseDestination
from emitter.sink.destinations.tables import with_sort_key
from emitter.sink.load import load_backfill

RECEIPTS = TableName("retail", "receipts")
TOPIC = "retail.receipts"
CATALOG = RetailScenario.catalog()

# Runs in a child process: open the directory, write one batch (or load one file), but die the moment
# the client is about to run the statement that names KILL_AT; nothing after it runs, as after kill -9.
_CHILD = """
import os, sys
import pyarrow.parquet as pq
from clickhouse_connect.driver._chdbclient import ChdbClient
from emitter.sink.destinations import TableName, open_destination

url, rows_path, dead_path, kill_at, mode = sys.argv[1:]


def dying(original):
    def call(self, *args, **kwargs):
        if str(args[0]).startswith(kill_at):  # the SQL of command(), the table of insert_arrow()
            os._exit(9)
        return original(self, *args, **kwargs)

    return call


for cls in ChdbClient.__mro__:  # the client library, not the destination under test
    for name in ("command", "insert_arrow"):
        if name in cls.__dict__:
            setattr(cls, name, dying(cls.__dict__[name]))
destination = open_destination(url)
rows = pq.read_table(rows_path)
if mode == "write":
    partition = ("retail.receipts", 0)
    dead = pq.read_table(dead_path)
    destination.write({TableName("retail", "receipts"): rows}, dead, {partition: 10}, {partition: 5})
else:
    destination.load_file(TableName("retail", "receipts"), rows, "receipts/dt=2024-03-15/part-0.parquet", "sum-1")
os._exit(0)
"""


def _rows(offsets: range) -> pa.Table:
    n = len(offsets)
    return pa.table(
        {
            "receipt_id": [f"r{i}" for i in offsets],
            "event_ts": pa.array([datetime(2024, 3, 15, 9, i, tzinfo=UTC) for i in offsets], pa.timestamp("us", "UTC")),
            "_topic": [TOPIC] * n,
            "_partition": pa.array([0] * n, pa.int32()),
            "_offset": pa.array(list(offsets), pa.int64()),
        }
    )


def _dead(offsets: list[int]) -> pa.Table:
    n = len(offsets)
    return pa.table(
        {
            "topic": [TOPIC] * n,
            "partition": pa.array([0] * n, pa.int32()),
            "offset": pa.array(offsets, pa.int64()),
            "reason": ["bad magic byte"] * n,
            "raw": pa.array([b"\x00\xff"] * n, pa.binary()),
            "received_at": pa.array([datetime(2024, 3, 15, tzinfo=UTC)] * n, pa.timestamp("us", "UTC")),
        },
        schema=DEAD_LETTER_SCHEMA,
    )


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"clickhouse+local:///{tmp_path / 'warehouse.chdb'}"


def _die_while_writing(url: str, tmp_path: Path, rows: pa.Table, dead: pa.Table, kill_at: str, mode: str) -> None:
    pq.write_table(rows, tmp_path / "rows.parquet")
    pq.write_table(dead, tmp_path / "dead.parquet")
    root = str(Path(emitter.__file__).parent.parent)
    child = subprocess.run(
        [
            sys.executable,
            "-c",
            _CHILD,
            url,
            str(tmp_path / "rows.parquet"),
            str(tmp_path / "dead.parquet"),
            kill_at,
            mode,
        ],
        env={"PYTHONPATH": root, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert child.returncode == 9, f"the child was to die before {kill_at}: {child.stderr}"


def _receipt_offsets(destination: ClickHouseDestination) -> list[int]:
    found = destination.query("SELECT _offset FROM retail.receipts ORDER BY _offset")
    return [int(v) for v in found.column("_offset").to_pylist()]


@pytest.mark.parametrize(
    "kill_at",
    ['INSERT INTO "default"."_emitter_offsets"', '"default"."_emitter_dead_letters"'],  # insert_arrow's table
    ids=["before-the-offsets", "before-the-dead-letters"],
)
def test_a_batch_killed_before_its_offsets_is_stored_once_when_delivered_again(
    url: str, tmp_path: Path, kill_at: str
) -> None:
    with open_destination(url) as first:  # a committed batch before: offsets 0..4
        first.write({RECEIPTS: _rows(range(0, 5))}, None, {(TOPIC, 0): 5})
    batch, dead = _rows(range(5, 9)), _dead([9])

    _die_while_writing(url, tmp_path, batch, dead, kill_at, "write")

    with open_destination(url) as again:
        assert isinstance(again, ClickHouseDestination)
        stored = again.stored_offsets([TOPIC])
        assert stored == {(TOPIC, 0): 5}  # the batch never committed
        assert _receipt_offsets(again) == list(range(0, 9))  # though its rows were inserted
        again.write({RECEIPTS: batch}, dead, {(TOPIC, 0): 10}, read_from=stored)

        assert _receipt_offsets(again) == list(range(0, 9))
        letters = again.bookkeeping_rows(DEAD_LETTERS, ["offset"]).column("offset").to_pylist()
        assert letters == [9]
        assert again.stored_offsets([TOPIC]) == {(TOPIC, 0): 10}


def test_a_file_load_killed_before_its_record_loads_once_when_run_again(url: str, tmp_path: Path) -> None:
    rows = _rows(range(0, 6)).drop_columns(["_topic", "_partition", "_offset"])

    _die_while_writing(url, tmp_path, rows, _dead([]), 'INSERT INTO "default"."_emitter_loaded_files"', "load")

    with open_destination(url) as again:
        assert again.loaded_files() == {}
        assert again.query("SELECT count() AS n FROM retail.receipts").column("n").to_pylist() == [rows.num_rows]
        assert again.load_file(RECEIPTS, rows, "receipts/dt=2024-03-15/part-0.parquet", "sum-1")
        got = again.query("SELECT count() AS n FROM retail.receipts").column("n").to_pylist()
        assert got == [rows.num_rows]
        assert not again.load_file(RECEIPTS, rows, "receipts/dt=2024-03-15/part-0.parquet", "sum-1")


def _sorting_key(destination: ClickHouseDestination, table: TableName) -> str:
    found = destination.query(
        f"SELECT sorting_key FROM system.tables WHERE database = '{table.schema}' AND name = '{table.name}'"
    )
    return str(found.column("sorting_key")[0].as_py())


def test_a_per_day_table_is_sorted_by_its_event_time_and_a_reference_table_by_its_first_column(url: str) -> None:
    receipts, stores = CATALOG.get("receipts"), CATALOG.get("stores")
    assert receipts.event_time is not None and stores.event_time is None
    store_rows = pa.table({"store_id": [1, 2], "opened": pa.array([date(2020, 1, 1)] * 2)})
    # event_ts is not the first column: the sort key comes from the table's spec
    receipt_rows = _rows(range(2)).select(["receipt_id", "event_ts", "_offset"])

    with open_destination(url) as destination:
        assert isinstance(destination, ClickHouseDestination)
        destination.write({RECEIPTS: with_sort_key(receipt_rows, receipts.sort_key)}, None, {})
        destination.load_file(TableName("retail", "stores"), with_sort_key(store_rows, stores.sort_key), "s", "c")

        assert _sorting_key(destination, RECEIPTS) == receipts.event_time
        assert _sorting_key(destination, TableName("retail", "stores")) == "store_id"
        engines = destination.query("SELECT engine FROM system.tables WHERE database = 'retail'").column("engine")
        assert set(engines.to_pylist()) == {"MergeTree"}


def test_an_in_memory_destination_works_and_a_bad_url_says_how_to_write_one() -> None:
    with open_destination("clickhouse+local:///:memory:") as memory:
        memory.write({RECEIPTS: _rows(range(3))}, None, {(TOPIC, 0): 3})
        assert memory.stored_offsets([TOPIC]) == {(TOPIC, 0): 3}

    from emitter.sink.destinations import DestinationURLError

    with pytest.raises(DestinationURLError, match=r"clickhouse\+local:///relative/dir"):
        open_destination("clickhouse://")


def test_emitter_load_sorts_each_per_day_table_by_its_event_time(
    url: str, tmp_path: Path, small_config: Config
) -> None:
    out = tmp_path / "backfill"
    run_backfill(small_config, date(2024, 3, 15), date(2024, 3, 15), out, "parquet")

    with open_destination(url) as destination:
        assert isinstance(destination, ClickHouseDestination)
        load_backfill(out, destination, tables=["receipts", "stores"])

        assert _sorting_key(destination, RECEIPTS) == CATALOG.get("receipts").event_time
        first_store_column = CATALOG.arrow(CATALOG.get("stores")).names[0]
        assert _sorting_key(destination, TableName("retail", "stores")) == first_store_column
