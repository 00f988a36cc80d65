"""Contract: a batch's rows, dead letters and offsets commit together or not at all."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, tzinfo

import pyarrow as pa
import pytest

from emitter.sink.destinations import (
    DEAD_LETTER_SCHEMA,
    DEAD_LETTERS,
    Destination,
    DestinationError,
    SchemaEvolutionError,
    TableName,
    tables,
)

RECEIPTS = TableName("retail", "receipts")
LINES = TableName("retail", "receipt_lines")
T = TableName("retail", "t")
BRAND_NEW = TableName("retail", "brand_new")


def _kafka_rows(topic: str, partition: int, offsets: range, qty: list[int | None] | None = None) -> pa.Table:
    n = len(offsets)
    return pa.table(
        {
            "trace_id": [f"{topic}-{o}" for o in offsets],
            "qty": pa.array(qty if qty is not None else [1] * n, pa.int32()),
            "_topic": [topic] * n,
            "_partition": pa.array([partition] * n, pa.int32()),
            "_offset": pa.array(list(offsets), pa.int64()),
        }
    )


def _dead(topic: str, partition: int, offset: int, raw: bytes, reason: str = "not Avro") -> pa.Table:
    return pa.table(
        {
            "topic": [topic],
            "partition": pa.array([partition], pa.int32()),
            "offset": pa.array([offset], pa.int64()),
            "reason": [reason],
            "raw": pa.array([raw], pa.binary()),
            "received_at": pa.array([datetime(2024, 3, 15, 9, 0, 0, 1, tzinfo=UTC)], pa.timestamp("us", tz="UTC")),
        }
    )


def _count(destination: Destination, table: TableName | str) -> int:
    """Rows of a data table, or of a bookkeeping table (a plain name, in the destination's own schema)."""
    name = f'"{table.schema}"."{table.name}"' if isinstance(table, TableName) else f'"{table}"'
    return int(destination.query(f"SELECT count(*) AS n FROM {name}").column("n")[0].as_py())


def _snapshot(destination: Destination) -> tuple[int, int, dict[tuple[str, int], int]]:
    return (
        _count(destination, RECEIPTS),
        _count(destination, "_emitter_dead_letters"),
        destination.stored_offsets(["retail.receipts", "retail.receipt_lines"]),
    )


def test_rows_dead_letters_and_offsets_land_together(destination: Destination) -> None:
    destination.write(
        {
            RECEIPTS: _kafka_rows("retail.receipts", 0, range(0, 3)),
            LINES: _kafka_rows("retail.receipt_lines", 1, range(10, 15)),
        },
        _dead("retail.receipts", 0, 3, b"\x00garbage"),
        {("retail.receipts", 0): 4, ("retail.receipt_lines", 1): 15},
    )

    assert _count(destination, RECEIPTS) == 3
    assert _count(destination, LINES) == 5
    assert _count(destination, "_emitter_dead_letters") == 1
    assert destination.stored_offsets(["retail.receipts", "retail.receipt_lines"]) == {
        ("retail.receipts", 0): 4,
        ("retail.receipt_lines", 1): 15,
    }
    lineage = destination.query("SELECT _topic, _partition, _offset, _source FROM retail.receipts ORDER BY _offset")
    assert lineage.to_pylist()[0] == {"_topic": "retail.receipts", "_partition": 0, "_offset": 0, "_source": None}


def test_a_changed_type_in_the_second_table_leaves_neither_rows_nor_offsets(destination: Destination) -> None:
    destination.write({RECEIPTS: _kafka_rows("retail.receipts", 0, range(0, 2))}, None, {("retail.receipts", 0): 2})
    destination.ensure_table(LINES, pa.schema([pa.field("qty", pa.int32())]))
    before = _snapshot(destination)
    wrong = _kafka_rows("retail.receipt_lines", 0, range(0, 2)).set_column(1, "qty", pa.array(["1", "2"]))

    with pytest.raises(SchemaEvolutionError, match=r"receipt_lines\.qty"):
        destination.write(
            {RECEIPTS: _kafka_rows("retail.receipts", 0, range(2, 5)), LINES: wrong},
            _dead("retail.receipts", 0, 5, b"x"),
            {("retail.receipts", 0): 6, ("retail.receipt_lines", 0): 2},
            read_from={("retail.receipts", 0): 2},
        )

    assert _snapshot(destination) == before


def test_a_statement_the_database_rejects_rolls_back_the_whole_batch(
    destination: Destination, forbid_nulls: Callable[[str, str], None]
) -> None:
    destination.write({RECEIPTS: _kafka_rows("retail.receipts", 0, range(0, 2))}, None, {("retail.receipts", 0): 2})
    destination.write({LINES: _kafka_rows("retail.receipt_lines", 0, range(0, 1))}, None, {})
    forbid_nulls("retail.receipt_lines", "qty")
    before = _snapshot(destination)

    with pytest.raises(DestinationError, match="nothing was committed"):
        destination.write(
            {
                RECEIPTS: _kafka_rows("retail.receipts", 0, range(2, 5)),
                LINES: _kafka_rows("retail.receipt_lines", 0, range(1, 3), qty=[1, None]),
            },
            _dead("retail.receipts", 0, 5, b"x"),
            {("retail.receipts", 0): 6, ("retail.receipt_lines", 0): 3},
            read_from={("retail.receipts", 0): 2},
        )

    assert _snapshot(destination) == before
    assert _count(destination, LINES) == 1


def test_a_table_created_by_a_failed_batch_is_rolled_back_too(destination: Destination) -> None:
    wrong = pa.table({"qty": pa.array([1.5])})
    destination.ensure_table(LINES, pa.schema([pa.field("qty", pa.int32())]))

    with pytest.raises(SchemaEvolutionError):
        destination.write({BRAND_NEW: _kafka_rows("t", 0, range(1)), LINES: wrong}, None, {("t", 0): 1})

    assert BRAND_NEW not in destination.data_tables(["retail"])
    # and the destination still works: the table is created by the next good batch
    destination.write({BRAND_NEW: _kafka_rows("t", 0, range(1))}, None, {("t", 0): 1})
    assert _count(destination, BRAND_NEW) == 1


def test_offsets_advance_per_topic_and_partition(destination: Destination) -> None:
    destination.write({}, None, {("a", 0): 10, ("a", 1): 5, ("b", 0): 7})
    destination.write({}, None, {("a", 0): 20}, read_from={("a", 0): 10})

    assert destination.stored_offsets(["a"]) == {("a", 0): 20, ("a", 1): 5}
    assert destination.stored_offsets(["a", "b", "c"]) == {("a", 0): 20, ("a", 1): 5, ("b", 0): 7}
    assert destination.stored_offsets(["c"]) == {}
    assert destination.stored_offsets([]) == {}
    updated = destination.query("SELECT updated_at FROM _emitter_offsets").column("updated_at")
    assert updated.type == pa.timestamp("us", tz="UTC") and updated.null_count == 0


def test_stored_offsets_survive_reopening(destination_url: str, destination: Destination) -> None:
    from emitter.sink.destinations import open_destination

    destination.write({T: _kafka_rows("t", 3, range(0, 4))}, None, {("t", 3): 4})
    destination.close()

    with open_destination(destination_url) as reopened:
        assert reopened.stored_offsets(["t"]) == {("t", 3): 4}


def test_dead_letters_keep_their_raw_bytes_intact(destination: Destination) -> None:
    every_byte = bytes(range(256))
    raws = [every_byte, b"", b'\\x00,"\n\r', "naïve ✓".encode()]
    dead = pa.table(
        {
            "topic": ["retail.receipts"] * 4,
            "partition": pa.array([0, 0, 1, 2], pa.int32()),
            "offset": pa.array([7, 8, 9, 2**40], pa.int64()),
            "reason": ["bad magic byte", "empty value", 'quote " and, comma', "schema id 99 ünknown"],
            "raw": pa.array(raws, pa.binary()),
            "received_at": pa.array(
                [datetime(2024, 3, 15, 9, 0, 0, 123456, tzinfo=UTC)] * 4, pa.timestamp("us", "UTC")
            ),
        },
        schema=DEAD_LETTER_SCHEMA,
    )

    destination.write({}, dead, {("retail.receipts", 0): 9})

    got = destination.query('SELECT * FROM _emitter_dead_letters ORDER BY "offset"')
    assert got.select(DEAD_LETTER_SCHEMA.names).to_pylist() == dead.to_pylist()
    # the interface's read gives bytes back as bytes too, even where SQL has no binary type (ClickHouse)
    book = destination.bookkeeping_rows(DEAD_LETTERS, DEAD_LETTER_SCHEMA.names).sort_by("offset")
    assert book.column("raw").to_pylist() == raws


def test_dead_letters_without_received_at_are_stamped_now(
    destination: Destination, monkeypatch: pytest.MonkeyPatch
) -> None:
    moment = datetime(2024, 3, 15, 9, 30, 0, 123456, tzinfo=UTC)

    class Frozen(datetime):
        """``now`` is always ``moment``, so the stamp can be checked exactly, not against the wall clock."""

        @classmethod
        def now(cls, tz: tzinfo | None = None) -> Frozen:
            return cls.fromtimestamp(moment.timestamp(), tz)

    monkeypatch.setattr(tables, "datetime", Frozen)
    destination.write({}, _dead("t", 0, 1, b"x").drop_columns(["received_at"]), {})

    (stamp,) = destination.query("SELECT received_at FROM _emitter_dead_letters").column("received_at").to_pylist()
    assert stamp == moment


def test_an_empty_batch_only_creates_tables(destination: Destination) -> None:
    destination.write({T: _kafka_rows("t", 0, range(0))}, None, {})

    assert destination.data_tables(["retail"]) == [T]
    assert destination.table_names() == [], "data tables stay out of the destination's own schema"
    assert _count(destination, T) == 0


def test_bookkeeping_stays_in_the_destinations_own_schema(destination: Destination) -> None:
    destination.write({RECEIPTS: _kafka_rows("retail.receipts", 0, range(2))}, _dead("x", 0, 0, b"?"), {("x", 0): 1})

    own = destination.table_names(include_internal=True)
    assert set(own) == {"_emitter_offsets", "_emitter_dead_letters", "_emitter_loaded_files", "_emitter_origins"}
    assert destination.data_tables(["retail"]) == [RECEIPTS]
    assert destination.data_tables([destination.schema, "retail"]) == sorted(
        [RECEIPTS, *(TableName(destination.schema, t) for t in own)]
    )
