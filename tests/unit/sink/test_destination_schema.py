"""Contract: tables are created with mapped types, grow by new columns, and refuse a changed type."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pyarrow as pa
import pytest

from emitter.errors import SchemaError
from emitter.sink.destinations import META_FIELDS, Destination, DestinationError, SchemaEvolutionError, TableName

T = TableName("retail", "t")

EVERY_TYPE = pa.schema(
    [
        pa.field("i32", pa.int32()),
        pa.field("i64", pa.int64()),
        pa.field("f64", pa.float64()),
        pa.field("flag", pa.bool_()),
        pa.field("text", pa.string()),
        pa.field("at", pa.timestamp("us", tz="UTC")),
        pa.field("day", pa.date32()),
        pa.field("money", pa.decimal128(12, 2)),
        pa.field("rate", pa.decimal128(5, 4)),
    ]
)


def test_a_new_table_has_the_mapped_types_plus_the_lineage_columns(destination: Destination) -> None:
    destination.ensure_table(TableName("retail", "every_type"), EVERY_TYPE)

    empty = destination.query("SELECT * FROM retail.every_type")

    assert empty.num_rows == 0
    assert [(f.name, f.type) for f in empty.schema] == [(f.name, f.type) for f in [*EVERY_TYPE, *META_FIELDS]]
    assert destination.data_tables(["retail"]) == [TableName("retail", "every_type")]


def test_each_namespace_gets_its_own_schema(destination: Destination) -> None:
    shop, bank = TableName("shop", "customers"), TableName("bank", "customers")
    destination.write({shop: pa.table({"id": pa.array([1], pa.int32())})}, None, {})
    destination.write({bank: pa.table({"name": ["x"]})}, None, {})

    assert destination.data_tables(["shop", "bank"]) == [bank, shop]
    assert destination.data_tables(["shop"]) == [shop]
    assert destination.data_tables([]) == []
    assert destination.query("SELECT id FROM shop.customers").column("id").to_pylist() == [1]
    assert destination.query("SELECT name FROM bank.customers").column("name").to_pylist() == ["x"]
    assert destination.table_names() == []


def test_ensure_table_twice_with_the_same_schema_changes_nothing(destination: Destination) -> None:
    destination.ensure_table(T, EVERY_TYPE)
    destination.ensure_table(T, EVERY_TYPE)

    assert destination.query("SELECT * FROM retail.t").schema.names == [
        *EVERY_TYPE.names,
        *(f.name for f in META_FIELDS),
    ]


def test_new_columns_are_added_and_old_rows_read_null(destination: Destination) -> None:
    v1 = pa.table({"id": pa.array([1], pa.int32()), "name": ["first"]})
    destination.write({T: v1}, None, {})

    v2 = pa.table(
        {
            "id": pa.array([2], pa.int32()),
            "name": ["second"],
            "price": pa.array([Decimal("9.99")], pa.decimal128(12, 2)),
        }
    )
    destination.ensure_table(T, v2.schema)
    destination.write({T: v2}, None, {})
    # a batch with fewer columns than the table still loads: what it lacks is null
    destination.write({T: pa.table({"id": pa.array([3], pa.int32())})}, None, {})

    got = destination.query("SELECT id, name, price FROM retail.t ORDER BY id")
    assert got.to_pylist() == [
        {"id": 1, "name": "first", "price": None},
        {"id": 2, "name": "second", "price": Decimal("9.99")},
        {"id": 3, "name": None, "price": None},
    ]
    assert got.schema.field("price").type == pa.decimal128(12, 2)


def test_write_adds_new_columns_on_its_own(destination: Destination) -> None:
    destination.write({T: pa.table({"id": pa.array([1], pa.int32())})}, None, {})
    destination.write({T: pa.table({"id": pa.array([2], pa.int32()), "extra": ["x"]})}, None, {})

    assert destination.query("SELECT extra FROM retail.t ORDER BY id").column("extra").to_pylist() == [None, "x"]


def test_a_changed_type_is_refused_with_table_column_types_and_a_fix(destination: Destination) -> None:
    orders = TableName("retail", "orders")
    destination.ensure_table(orders, pa.schema([pa.field("total", pa.decimal128(12, 2))]))

    with pytest.raises(SchemaEvolutionError) as refused:
        destination.ensure_table(orders, pa.schema([pa.field("total", pa.float64())]))

    message = str(refused.value)
    types = destination.capabilities.types
    assert "retail.orders.total" in message
    assert types.column_type("orders", "total", pa.decimal128(12, 2)) in message
    assert types.column_type("orders", "total", pa.float64()) in message
    assert "another table" in message and "DROP TABLE retail.orders" in message
    assert destination.query("SELECT * FROM retail.orders").schema.field("total").type == pa.decimal128(12, 2)


def test_a_changed_decimal_scale_is_a_changed_type(destination: Destination) -> None:
    destination.ensure_table(T, pa.schema([pa.field("amount", pa.decimal128(12, 2))]))

    with pytest.raises(SchemaEvolutionError, match=r"retail\.t\.amount"):
        destination.ensure_table(T, pa.schema([pa.field("amount", pa.decimal128(12, 4))]))


def test_a_wider_timestamp_unit_maps_to_the_same_column(destination: Destination) -> None:
    destination.ensure_table(T, pa.schema([pa.field("at", pa.timestamp("us", tz="UTC"))]))
    at = datetime(2024, 3, 15, 12, 30, 1, 250000, tzinfo=UTC)

    destination.write({T: pa.table({"at": pa.array([at], pa.timestamp("ms", tz="UTC"))})}, None, {})

    assert destination.query('SELECT "at" FROM retail.t').column("at").to_pylist() == [at]


def test_lineage_columns_of_another_type_are_refused(destination: Destination) -> None:
    with pytest.raises(SchemaError, match="_partition"):
        destination.ensure_table(T, pa.schema([pa.field("_partition", pa.string())]))


def test_emitters_own_table_names_are_reserved(destination: Destination) -> None:
    with pytest.raises(DestinationError, match="_emitter_"):
        destination.write({TableName("retail", "_emitter_offsets"): pa.table({"x": [1]})}, None, {})


def test_names_longer_than_the_destination_allows_are_refused(destination: Destination) -> None:
    too_long = "t" * (destination.capabilities.max_identifier_length + 1)

    with pytest.raises(DestinationError, match="shorter name"):
        destination.ensure_table(TableName("retail", too_long), pa.schema([pa.field("x", pa.int32())]))
    with pytest.raises(DestinationError, match="shorter name"):
        destination.ensure_table(T, pa.schema([pa.field(too_long, pa.int32())]))
    with pytest.raises(DestinationError, match=r"schema name .* shorter name"):
        destination.ensure_table(TableName(too_long, "t"), pa.schema([pa.field("x", pa.int32())]))


def test_internal_tables_exist_but_are_listed_only_on_request(destination: Destination) -> None:
    destination.ensure_table(TableName(destination.schema, "a"), pa.schema([pa.field("x", pa.date32())]))

    assert destination.table_names() == ["a"]
    assert set(destination.table_names(include_internal=True)) == {
        "a",
        "_emitter_offsets",
        "_emitter_dead_letters",
        "_emitter_loaded_files",
        "_emitter_origins",
    }


def test_query_returns_computed_columns(destination: Destination) -> None:
    destination.write({T: pa.table({"d": pa.array([date(2024, 1, 1), date(2024, 1, 3)])})}, None, {})

    got = destination.query("SELECT count(*) AS n, max(d) AS last FROM retail.t")

    assert got.to_pylist() == [{"n": 2, "last": date(2024, 1, 3)}]


def test_a_bad_query_is_a_destination_error_naming_the_destination(destination: Destination) -> None:
    with pytest.raises(DestinationError, match="query failed") as failed:
        destination.query("SELECT * FROM no_such_table")

    assert destination.where in str(failed.value)
