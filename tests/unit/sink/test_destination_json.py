"""JSON columns: a string field marked as JSON is stored as JSON (DuckDB), jsonb (PostgreSQL) or String (ClickHouse).

ClickHouse keeps JSON as text (its JSON type rewrites documents and refuses top-level arrays and scalars), so
the tests about a JSON column type distinct from text run where there is one (``WITH_JSON_TYPE``).
"""

from __future__ import annotations

import json

import pyarrow as pa
import pytest

from emitter.avro.schemas import JSON_METADATA
from emitter.sink.destinations import Destination, DestinationError, SchemaEvolutionError, TableName

PRODUCTS = TableName("shop", "products")
SCHEMA = pa.schema(
    [
        pa.field("sku", pa.string(), nullable=False),
        pa.field("attributes", pa.string(), nullable=False, metadata=JSON_METADATA),
        pa.field("ship_to", pa.string(), metadata=JSON_METADATA),
    ]
)
ROWS = [
    {"sku": "A-1", "attributes": '{"size": "M", "colour": "navy", "material": "cotton"}', "ship_to": None},
    {"sku": "B-2", "attributes": '{"size": "L", "colour": "écru", "tags": ["a", "b"]}', "ship_to": '{"city": "Köln"}'},
    {"sku": "C-3", "attributes": "[1, 2.5, null]", "ship_to": "null"},
]
# what each catalog (information_schema.columns.data_type) reports for a JSON column
CATALOG_TYPE = {"DuckDB": "JSON", "PostgreSQL": "jsonb", "ClickHouse": "Nullable(String)"}
# the colour key of a JSON object, as text
COLOUR = {
    "DuckDB": "attributes->>'$.colour'",
    "PostgreSQL": "attributes->>'colour'",
    "ClickHouse": "nullIf(JSONExtractString(attributes, 'colour'), '')",
}


# the destinations with a JSON column type apart from text (ClickHouse keeps JSON as text: its own test below)
WITH_JSON_TYPE = pytest.mark.parametrize("destination_url", ["duckdb", "postgres"], indirect=True)


@pytest.fixture
def json_type(destination: Destination) -> str:
    """The destination's JSON column type, apart from text."""
    types = destination.capabilities.types
    assert types.json != types.sql_type(pa.string()), f"{types.destination} has no JSON type apart from text"
    return types.json


def _rows(rows: list[dict[str, str | None]] = ROWS) -> pa.Table:
    return pa.Table.from_pylist(rows, schema=SCHEMA)


def _column_types(destination: Destination, table: TableName = PRODUCTS) -> dict[str, str]:
    found = destination.query(
        "SELECT column_name, data_type FROM information_schema.columns "
        f"WHERE table_schema = '{table.schema}' AND table_name = '{table.name}' ORDER BY ordinal_position"
    )
    return dict(zip(found.column("column_name").to_pylist(), found.column("data_type").to_pylist(), strict=True))


@WITH_JSON_TYPE
def test_a_json_marked_field_makes_a_json_column(destination: Destination, json_type: str) -> None:
    destination.ensure_table(PRODUCTS, SCHEMA)

    types = _column_types(destination)
    assert types["attributes"] == types["ship_to"] == json_type == CATALOG_TYPE[destination.capabilities.name]
    assert types["sku"] != json_type


def test_json_rows_load_and_their_keys_can_be_queried(destination: Destination) -> None:
    destination.write({PRODUCTS: _rows()}, None, {})

    colour = COLOUR[destination.capabilities.name]
    got = destination.query(f"SELECT sku, {colour} AS colour FROM shop.products ORDER BY sku").to_pylist()
    assert got == [{"sku": "A-1", "colour": "navy"}, {"sku": "B-2", "colour": "écru"}, {"sku": "C-3", "colour": None}]


def test_json_columns_read_back_as_text_holding_the_same_documents(destination: Destination) -> None:
    destination.write({PRODUCTS: _rows()}, None, {})

    back = destination.query("SELECT sku, attributes, ship_to FROM shop.products ORDER BY sku")

    assert back.schema.field("attributes").type == pa.string()
    for got, want in zip(back.to_pylist(), ROWS, strict=True):
        assert json.loads(got["attributes"]) == json.loads(want["attributes"] or "")
        # a SQL NULL stays NULL; the JSON document null is a value
        assert (got["ship_to"] is None) == (want["ship_to"] is None)
        if want["ship_to"] is not None:
            assert json.loads(got["ship_to"]) == json.loads(want["ship_to"])


def test_a_second_batch_into_the_table_adds_nothing_and_refuses_nothing(destination: Destination) -> None:
    destination.write({PRODUCTS: _rows()}, None, {})
    before = _column_types(destination)

    destination.write({PRODUCTS: _rows()}, None, {})
    destination.ensure_table(PRODUCTS, SCHEMA)

    assert _column_types(destination) == before
    assert destination.query("SELECT count(*) AS n FROM shop.products").column("n").to_pylist() == [2 * len(ROWS)]


@WITH_JSON_TYPE
def test_a_text_column_receiving_json_is_refused_with_a_fix(destination: Destination, json_type: str) -> None:
    destination.write({PRODUCTS: _rows().cast(pa.schema([f.remove_metadata() for f in SCHEMA]))}, None, {})
    text_type = _column_types(destination)["attributes"]

    with pytest.raises(SchemaEvolutionError) as refused:
        destination.write({PRODUCTS: _rows()}, None, {})

    message = str(refused.value)
    assert f"shop.products.attributes is {text_type}" in message
    assert f"the incoming rows have {json_type} (Arrow string marked as JSON)" in message
    assert "columns are only ever added, never retyped" in message
    assert _column_types(destination)["attributes"] == text_type
    assert destination.query("SELECT count(*) AS n FROM shop.products").column("n").to_pylist() == [len(ROWS)]

    # the fix the message offers converts the column where it is, and JSON rows load after it
    fix = message.split("convert the column in place: ")[1]
    destination.query(fix)
    assert _column_types(destination)["attributes"] == CATALOG_TYPE[destination.capabilities.name]
    with pytest.raises(SchemaEvolutionError, match="ship_to"):  # the other text column is still text
        destination.write({PRODUCTS: _rows()}, None, {})


@WITH_JSON_TYPE
def test_a_json_column_receiving_plain_text_is_refused(destination: Destination, json_type: str) -> None:
    destination.ensure_table(PRODUCTS, SCHEMA)
    plain = _rows().cast(pa.schema([f.remove_metadata() for f in SCHEMA]))

    with pytest.raises(SchemaEvolutionError, match=r"shop\.products\.attributes .* never retyped") as refused:
        destination.write({PRODUCTS: plain}, None, {})

    assert "convert the column in place" not in str(refused.value)


@WITH_JSON_TYPE
def test_text_that_is_not_json_fails_the_batch_naming_the_column(destination: Destination, json_type: str) -> None:
    destination.write({PRODUCTS: _rows()}, None, {})
    broken = _rows([{"sku": "D-4", "attributes": '{"size": "S"', "ship_to": None}])

    with pytest.raises(DestinationError, match="nothing was committed") as failed:
        destination.write({PRODUCTS: _rows()[:1], TableName("shop", "other"): _rows()[:1]}, None, {("t", 0): 1})
        destination.write({PRODUCTS: broken}, None, {("t", 0): 2}, read_from={("t", 0): 1})

    assert "JSON" in str(failed.value) or "json" in str(failed.value)
    assert "attributes" in str(failed.value)
    assert destination.query("SELECT count(*) AS n FROM shop.products").column("n").to_pylist() == [len(ROWS) + 1]
    assert destination.stored_offsets(["t"]) == {("t", 0): 1}


def test_where_json_is_text_a_json_field_makes_a_text_column_holding_the_documents(destination: Destination) -> None:
    types = destination.capabilities.types
    destination.write({PRODUCTS: _rows()}, None, {})

    text = types.sql_type(pa.string())
    assert text is not None
    assert (_column_types(destination)["attributes"] == text) == (types.json == text)
    back = destination.query("SELECT attributes FROM shop.products ORDER BY sku").column("attributes").to_pylist()
    assert [json.loads(got) for got in back] == [json.loads(str(row["attributes"])) for row in ROWS]
