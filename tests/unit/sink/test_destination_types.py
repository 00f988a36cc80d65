"""Type mapping and evolution planning, without a database."""

from __future__ import annotations

import pyarrow as pa
import pytest

from emitter.avro.schemas import JSON_METADATA
from emitter.errors import SchemaError
from emitter.scenarios.retail import RetailScenario
from emitter.sink.destinations import SchemaEvolutionError
from emitter.sink.destinations.evolution import plan_columns
from emitter.sink.destinations.types import CLICKHOUSE_TYPES, DUCKDB_TYPES, POSTGRES_TYPES, TypeMapping, same_sql_type

CATALOG = RetailScenario.catalog()
RETAIL_TABLES = [
    "ble_pings", "customers", "dc_inventory_txn", "distribution_centers", "foot_traffic", "geographies",
    "marketing", "online_order_lines", "online_orders", "products", "receipt_lines", "receipts",
    "store_inventory_txn", "stores", "truck_moves", "trucks",
]  # fmt: skip


def test_the_list_is_every_retail_table() -> None:
    assert sorted(CATALOG.ids) == RETAIL_TABLES


@pytest.mark.parametrize("types", [DUCKDB_TYPES, POSTGRES_TYPES, CLICKHOUSE_TYPES], ids=lambda t: t.destination)
@pytest.mark.parametrize("table", RETAIL_TABLES)
def test_every_retail_column_has_a_column_type(types: TypeMapping, table: str) -> None:
    for field in CATALOG.arrow(CATALOG.get(table)):
        assert types.sql_type(field.type) is not None, f"{table}.{field.name}"


@pytest.mark.parametrize(
    ("arrow", "duckdb", "postgres", "clickhouse"),
    [
        (pa.string(), "VARCHAR", "text", "Nullable(String)"),
        (pa.int32(), "INTEGER", "integer", "Nullable(Int32)"),
        (pa.int64(), "BIGINT", "bigint", "Nullable(Int64)"),
        (pa.float64(), "DOUBLE", "double precision", "Nullable(Float64)"),
        (pa.bool_(), "BOOLEAN", "boolean", "Nullable(Bool)"),
        (
            pa.timestamp("us", tz="UTC"),
            "TIMESTAMP WITH TIME ZONE",
            "timestamp with time zone",
            "Nullable(DateTime64(6, 'UTC'))",
        ),
        (
            pa.timestamp("ms", tz="UTC"),
            "TIMESTAMP WITH TIME ZONE",
            "timestamp with time zone",
            "Nullable(DateTime64(6, 'UTC'))",
        ),
        (pa.date32(), "DATE", "date", "Nullable(Date32)"),
        (pa.decimal128(12, 2), "DECIMAL(12,2)", "numeric(12,2)", "Nullable(Decimal(12, 2))"),
        (pa.binary(), "BLOB", "bytea", "Nullable(String)"),
    ],
)
def test_the_type_tables(arrow: pa.DataType, duckdb: str, postgres: str, clickhouse: str) -> None:
    assert DUCKDB_TYPES.sql_type(arrow) == duckdb
    assert POSTGRES_TYPES.sql_type(arrow) == postgres
    assert CLICKHOUSE_TYPES.sql_type(arrow) == clickhouse


def test_a_string_field_marked_as_json_maps_to_the_json_type() -> None:
    marked = pa.field("attributes", pa.string(), metadata=JSON_METADATA)

    assert DUCKDB_TYPES.field_type("t", marked) == "JSON"
    assert POSTGRES_TYPES.field_type("t", marked) == "jsonb"
    assert DUCKDB_TYPES.field_type("t", marked.remove_metadata()) == "VARCHAR"
    assert POSTGRES_TYPES.field_type("t", pa.field("n", pa.int64(), metadata=JSON_METADATA)) == "bigint"


def test_plan_columns_keeps_a_json_column_and_refuses_turning_text_into_json() -> None:
    marked = pa.schema([pa.field("id", pa.int64()), pa.field("attributes", pa.string(), metadata=JSON_METADATA)])

    assert plan_columns("t", marked, None, POSTGRES_TYPES) == [("id", "bigint"), ("attributes", "jsonb")]
    assert plan_columns("t", marked, {"id": "bigint", "attributes": "jsonb"}, POSTGRES_TYPES) == []
    assert plan_columns("t", marked, {"id": "BIGINT", "attributes": "JSON"}, DUCKDB_TYPES) == []
    with pytest.raises(SchemaEvolutionError, match=r"t\.attributes is text in PostgreSQL, .* jsonb .* never retyped"):
        plan_columns("t", marked, {"id": "bigint", "attributes": "text"}, POSTGRES_TYPES)


def test_unsupported_types_are_a_schema_error_naming_the_column() -> None:
    with pytest.raises(SchemaError, match=r"t\.tags: Arrow type list<item: string>"):
        POSTGRES_TYPES.column_type("t", "tags", pa.list_(pa.string()))
    assert DUCKDB_TYPES.sql_type(pa.decimal256(40, 2)) is None


def test_catalog_spellings_compare_without_case_or_spacing() -> None:
    assert same_sql_type("numeric(12, 2)", "NUMERIC(12,2)")
    assert not same_sql_type("numeric(12,2)", "numeric(12,4)")


def test_a_new_table_plans_every_column_and_an_existing_one_only_new_ones() -> None:
    schema = pa.schema([pa.field("a", pa.int32()), pa.field("b", pa.string())])

    assert plan_columns("t", schema, None, DUCKDB_TYPES) == [("a", "INTEGER"), ("b", "VARCHAR")]
    assert plan_columns("t", schema, {"a": "INTEGER"}, DUCKDB_TYPES) == [("b", "VARCHAR")]
    assert plan_columns("t", schema, {"a": "INTEGER", "b": "VARCHAR", "c": "DATE"}, DUCKDB_TYPES) == []


def test_a_changed_type_is_refused_before_any_statement() -> None:
    schema = pa.schema([pa.field("a", pa.int64())])

    with pytest.raises(SchemaEvolutionError, match=r"t\.a is integer in PostgreSQL, but the incoming rows have bigint"):
        plan_columns("t", schema, {"a": "integer"}, POSTGRES_TYPES)


def test_duplicate_column_names_are_refused() -> None:
    schema = pa.schema([pa.field("a", pa.int32()), pa.field("a", pa.int32())])

    with pytest.raises(SchemaError, match="duplicate"):
        plan_columns("t", schema, None, DUCKDB_TYPES)
