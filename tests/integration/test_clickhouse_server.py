"""A ClickHouse server (``clickhouse://``): the same client and SQL chdb runs, over HTTP.

Skipped without a server (see ``clickhouse_server_url`` in tests/conftest.py). Each test writes to a
bookkeeping database and a namespace of its own, both dropped afterwards, so a shared server is left as it was.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from urllib.parse import urlsplit, urlunsplit

import pyarrow as pa
import pytest

from emitter.sink.destinations import Destination, StaleOffsetsError, TableName, open_destination


@pytest.fixture
def server(clickhouse_server_url: str) -> Iterator[tuple[Destination, str]]:
    """A destination on a fresh bookkeeping database, and a fresh namespace for its data tables."""
    suffix = uuid.uuid4().hex[:10]
    parts = urlsplit(clickhouse_server_url)
    url = urlunsplit(parts._replace(path=f"/t_{suffix}"))
    namespace = f"ns_{suffix}"
    with open_destination(url) as destination:
        try:
            yield destination, namespace
        finally:
            for database in (namespace, f"t_{suffix}"):
                destination.query(f'DROP DATABASE IF EXISTS "{database}"')


def _rows(topic: str, offsets: range) -> pa.Table:
    n = len(offsets)
    return pa.table(
        {
            "receipt_id": [f"r{i}" for i in offsets],
            "event_ts": pa.array([datetime(2024, 3, 15, 9, i, tzinfo=UTC) for i in offsets], pa.timestamp("us", "UTC")),
            "_topic": [topic] * n,
            "_partition": pa.array([0] * n, pa.int32()),
            "_offset": pa.array(list(offsets), pa.int64()),
        }
    )


def test_batches_offsets_fencing_and_file_loads_on_a_server(server: tuple[Destination, str]) -> None:
    destination, namespace = server
    table = TableName(namespace, "receipts")
    topic = f"{namespace}.receipts"

    destination.write({table: _rows(topic, range(0, 3))}, None, {(topic, 0): 3})
    destination.write({table: _rows(topic, range(3, 5))}, None, {(topic, 0): 5}, read_from={(topic, 0): 3})
    with pytest.raises(StaleOffsetsError):
        destination.write({table: _rows(topic, range(3, 5))}, None, {(topic, 0): 5}, read_from={(topic, 0): 3})

    assert destination.stored_offsets([topic]) == {(topic, 0): 5}
    got = destination.query(f'SELECT count() AS n FROM "{namespace}"."receipts"').column("n").to_pylist()
    assert got == [5]

    files = _rows(topic, range(2)).drop_columns(["_topic", "_partition", "_offset"])
    assert destination.load_file(table, files, "receipts/part-0.parquet", "one")
    assert not destination.load_file(table, files, "receipts/part-0.parquet", "one")
    assert destination.loaded_files() == {"receipts/part-0.parquet": "one"}
    assert table in destination.data_tables([namespace])
