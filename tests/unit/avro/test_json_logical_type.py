"""Strings with Avro logical type ``json``: plain strings on the wire, marked as JSON in Arrow."""

from __future__ import annotations

import io
from typing import Any

import fastavro
import pyarrow as pa
import pytest
from support import JSON_PRODUCT_SCHEMA, JSON_STRING

from emitter.avro.decode import decode_bodies
from emitter.avro.encode import encode_table
from emitter.avro.schemas import JSON_METADATA, arrow_field, arrow_schema, is_json

from .conftest import fastavro_messages

JSON = JSON_STRING
SCHEMA = JSON_PRODUCT_SCHEMA
RECORDS = [
    {"sku": "A-1", "attributes": '{"size": "M", "colour": "navy", "material": "cotton"}', "ship_to": None},
    {"sku": "B-2", "attributes": '{"size": "L", "tags": ["é", "☃"], "n": 1.5}', "ship_to": '{"city": "Köln"}'},
    {"sku": "C-3", "attributes": "[]", "ship_to": "null"},  # any JSON document, the JSON null too
]


@pytest.mark.parametrize("avro_type", [JSON, ["null", JSON], [JSON, "null"]])
def test_a_json_string_is_an_arrow_string_marked_as_json(avro_type: Any) -> None:
    field = arrow_field("attributes", avro_type)

    assert field.type == pa.string()
    assert field.nullable == isinstance(avro_type, list)
    assert field.metadata == JSON_METADATA
    assert is_json(field)


@pytest.mark.parametrize(
    "avro_type",
    ["string", ["null", "string"], {"type": "string"}, {"type": "bytes", "logicalType": "json"}],
)
def test_other_fields_are_not_marked(avro_type: Any) -> None:
    """A json logical type on anything but a string is ignored, as Avro says of invalid logical types."""
    field = arrow_field("x", avro_type)

    assert field.metadata is None
    assert not is_json(field)


def test_is_json_wants_a_string_field_with_the_mark() -> None:
    assert not is_json(pa.field("x", pa.string(), metadata={b"logicalType": b"decimal"}))
    assert not is_json(pa.field("x", pa.binary(), metadata=JSON_METADATA))
    assert is_json(pa.field("x", pa.large_string(), metadata=JSON_METADATA))


def test_the_schema_of_a_batch_marks_exactly_its_json_fields() -> None:
    schema = arrow_schema(SCHEMA)

    assert [f.name for f in schema if is_json(f)] == ["attributes", "ship_to"]


def test_encode_decode_round_trip_keeps_values_and_marks() -> None:
    table = pa.Table.from_pylist(RECORDS, schema=arrow_schema(SCHEMA))

    ours = encode_table(table, SCHEMA).messages()
    decoded = decode_bodies(ours, SCHEMA)

    assert decoded.rejected == []
    assert decoded.table.to_pylist() == RECORDS
    assert [is_json(f) for f in decoded.table.schema] == [False, True, True]
    assert ours == fastavro_messages(SCHEMA, RECORDS)  # the wire format is a plain string's


def test_fastavro_reads_and_writes_records_with_the_json_logical_type() -> None:
    parsed = fastavro.parse_schema(SCHEMA)
    ours = encode_table(pa.Table.from_pylist(RECORDS, schema=arrow_schema(SCHEMA)), SCHEMA).messages()

    read = [fastavro.schemaless_reader(io.BytesIO(message), parsed) for message in ours]
    assert read == RECORDS

    container = io.BytesIO()
    fastavro.writer(container, parsed, RECORDS)
    container.seek(0)
    reader = fastavro.reader(container)
    assert list(reader) == RECORDS
    assert reader.writer_schema is not None
    assert reader.writer_schema["fields"][1]["type"] == JSON
