"""Contract: a backfill file is loaded once per checksum, and shares its table with rows from Kafka."""

from __future__ import annotations

import pyarrow as pa
import pytest

from emitter.sink.destinations import Destination, SchemaEvolutionError, TableName

T = TableName("retail", "t")


def _rows(ids: range) -> pa.Table:
    return pa.table({"id": pa.array(list(ids), pa.int32()), "name": [f"n{i}" for i in ids]})


def _ids(destination: Destination, where: str = "TRUE") -> list[int]:
    got = destination.query(f"SELECT id FROM retail.t WHERE {where} ORDER BY id")
    return [int(v) for v in got.column("id").to_pylist()]


def test_a_file_loads_once_per_checksum(destination: Destination) -> None:
    assert destination.load_file(T, _rows(range(3)), "facts/t/dt=2024-03-15/part-0.parquet", "sum-1") is True
    assert destination.load_file(T, _rows(range(3)), "facts/t/dt=2024-03-15/part-0.parquet", "sum-1") is False

    assert _ids(destination) == [0, 1, 2]
    assert destination.loaded_files() == {"facts/t/dt=2024-03-15/part-0.parquet": "sum-1"}
    sources = destination.query("SELECT DISTINCT _source, _topic, _partition, _offset FROM retail.t").to_pylist()
    assert sources == [
        {"_source": "facts/t/dt=2024-03-15/part-0.parquet", "_topic": None, "_partition": None, "_offset": None}
    ]


def test_a_changed_checksum_replaces_only_that_files_rows(destination: Destination) -> None:
    destination.load_file(T, _rows(range(0, 3)), "day-1", "a")
    destination.load_file(T, _rows(range(10, 12)), "day-2", "b")

    assert destination.load_file(T, _rows(range(100, 104)), "day-1", "a2") is True

    assert _ids(destination) == [10, 11, 100, 101, 102, 103]
    assert destination.loaded_files() == {"day-1": "a2", "day-2": "b"}
    book = destination.query('SELECT source, table_name, "rows" FROM _emitter_loaded_files ORDER BY source')
    assert book.to_pylist() == [
        {"source": "day-1", "table_name": "retail.t", "rows": 4},
        {"source": "day-2", "table_name": "retail.t", "rows": 2},
    ]


def test_backfill_rows_and_kafka_rows_share_a_table(destination: Destination) -> None:
    kafka = _rows(range(50, 52))
    kafka = kafka.append_column("_topic", pa.array(["retail.t"] * 2))
    kafka = kafka.append_column("_partition", pa.array([0, 0], pa.int32()))
    kafka = kafka.append_column("_offset", pa.array([0, 1], pa.int64()))
    destination.write({T: kafka}, None, {("retail.t", 0): 2})

    destination.load_file(T, _rows(range(2)), "master/t.parquet", "c")

    assert _ids(destination, "_source IS NULL") == [50, 51]
    assert _ids(destination, "_topic IS NULL") == [0, 1]


def test_a_file_moved_to_another_table_leaves_the_first(destination: Destination) -> None:
    """A new checksum for a known source replaces its rows, even when they now go to another table."""
    other = TableName("archive", "t")
    destination.load_file(T, _rows(range(3)), "day-1", "a")

    assert destination.load_file(other, _rows(range(7, 9)), "day-1", "b") is True

    assert _ids(destination) == []
    got = destination.query("SELECT id FROM archive.t ORDER BY id").column("id").to_pylist()
    assert [int(v) for v in got] == [7, 8]
    book = destination.query('SELECT source, table_name, "rows" FROM _emitter_loaded_files').to_pylist()
    assert book == [{"source": "day-1", "table_name": "archive.t", "rows": 2}]


def test_a_failed_load_records_nothing(destination: Destination) -> None:
    destination.ensure_table(T, pa.schema([pa.field("id", pa.string())]))

    with pytest.raises(SchemaEvolutionError, match=r"retail\.t\.id"):
        destination.load_file(T, _rows(range(3)), "bad-file", "x")

    assert destination.loaded_files() == {}
    assert destination.query("SELECT count(*) AS n FROM retail.t").column("n")[0].as_py() == 0
