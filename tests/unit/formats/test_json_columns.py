"""JSON columns are plain strings in every file format, and read back marked as JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pytest
from support import JSON_PRODUCT_SCHEMA, JSON_STRING

from emitter.avro.schemas import arrow_schema, is_json
from emitter.formats import FORMATS, writer_for
from emitter.formats.avro import avro_schema_from_arrow
from emitter.formats.readers import read_table

JSON = JSON_STRING
SCHEMA = JSON_PRODUCT_SCHEMA
RECORDS = [
    {"sku": "A-1", "attributes": '{"size": "M", "colour": "navy", "note": "a, \\"quoted\\"\\nline"}', "ship_to": None},
    {"sku": "B-2", "attributes": "{}", "ship_to": '{"street": "1 Rue d\'Été", "city": "Köln"}'},
]


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_a_json_column_reads_back_as_written_and_marked(fmt: str, tmp_path: Path) -> None:
    table = pa.Table.from_pylist(RECORDS, schema=arrow_schema(SCHEMA))
    path = tmp_path / f"products.{fmt}"
    writer_for(fmt).write(table, path, SCHEMA)

    read = read_table(path, fmt, SCHEMA)

    assert read.to_pylist() == RECORDS
    assert [f.name for f in read.schema if is_json(f)] == ["attributes", "ship_to"]


def test_jsonl_keeps_a_json_column_as_a_string_not_a_nested_object(tmp_path: Path) -> None:
    """Files hold JSON columns as plain strings: the document is text inside the line's own JSON."""
    path = tmp_path / "products.jsonl"
    writer_for("jsonl").write(pa.Table.from_pylist(RECORDS, schema=arrow_schema(SCHEMA)), path, SCHEMA)

    first = json.loads(path.read_text().splitlines()[0])

    assert first["attributes"] == RECORDS[0]["attributes"]


def test_an_avro_schema_derived_from_arrow_keeps_the_json_logical_type() -> None:
    derived = avro_schema_from_arrow(arrow_schema(SCHEMA), "product")

    assert [f["type"] for f in derived["fields"]] == ["string", JSON, ["null", JSON]]
