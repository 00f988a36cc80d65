"""Avro object container files, written with fastavro under the table's schema from schemas/."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from typing import Any, BinaryIO

import fastavro
import pyarrow as pa
import pyarrow.compute as pc

from emitter.avro.schemas import JSON_LOGICAL_TYPE, AvroSchema, is_json
from emitter.errors import SchemaError

EXTENSION = "avro"
CODEC = "deflate"
BATCH_ROWS = 16_384


def write_avro(table: pa.Table, sink: BinaryIO, avro_schema: AvroSchema | None = None) -> None:
    """Write ``table`` as one Avro container file (deflate).

    The sync marker is derived from the schema rather than drawn at random, so the same table
    always gives the same bytes. Without ``avro_schema`` one is derived from the Arrow schema.
    """
    schema = avro_schema if avro_schema is not None else avro_schema_from_arrow(table.schema)
    _check_fields(schema, table.schema)
    try:
        parsed = fastavro.parse_schema(schema)
        fastavro.writer(sink, parsed, _records(table), codec=CODEC, sync_marker=sync_marker(schema))
    except (ValueError, TypeError) as exc:
        raise SchemaError(f"{schema.get('name', 'table')}: rows don't encode under the Avro schema: {exc}") from exc


def sync_marker(avro_schema: AvroSchema) -> bytes:
    """A fixed 16-byte sync marker per schema (Avro only needs it to be unlikely in the data)."""
    return hashlib.sha256(json.dumps(avro_schema, sort_keys=True).encode()).digest()[:16]


def _records(table: pa.Table) -> Iterator[dict[str, Any]]:
    """Rows as dicts, one batch at a time; timestamps and dates go in as their integer encodings."""
    names = table.schema.names
    for batch in table.to_batches(max_chunksize=BATCH_ROWS):
        columns = [_avro_ready(batch.column(i)).to_pylist() for i in range(batch.num_columns)]
        for row in zip(*columns, strict=True):
            yield dict(zip(names, row, strict=True))


def _avro_ready(column: pa.Array) -> pa.Array:
    """Timestamps to epoch micros/millis and dates to epoch days: exact, and cheaper than datetimes."""
    kind = column.type
    if pa.types.is_timestamp(kind):
        return pc.cast(column, pa.int64())
    if pa.types.is_date32(kind):
        return pc.cast(column, pa.int32())
    return column


def _check_fields(avro_schema: AvroSchema, arrow: pa.Schema) -> None:
    expected = [field["name"] for field in avro_schema.get("fields", [])]
    if expected != arrow.names:
        raise SchemaError(
            f"{avro_schema.get('name', 'table')}: columns {arrow.names} don't match the Avro schema fields {expected}"
        )


def avro_schema_from_arrow(arrow: pa.Schema, name: str = "row") -> AvroSchema:
    """An Avro record schema for an Arrow schema, for tables that have no .avsc of their own."""
    fields = []
    for field in arrow:
        avro_type = (
            {"type": "string", "logicalType": JSON_LOGICAL_TYPE}
            if is_json(field)
            else _avro_type(field.type, field.name)
        )
        fields.append({"name": field.name, "type": ["null", avro_type] if field.nullable else avro_type})
    return {"type": "record", "name": name, "fields": fields}


def _avro_type(kind: pa.DataType, name: str) -> Any:
    if pa.types.is_timestamp(kind):
        unit = {"us": "timestamp-micros", "ms": "timestamp-millis"}.get(kind.unit)
        if unit is None:
            raise SchemaError(f"column {name}: Avro has no timestamp with unit {kind.unit}")
        return {"type": "long", "logicalType": unit}
    if pa.types.is_date32(kind):
        return {"type": "int", "logicalType": "date"}
    if pa.types.is_decimal(kind):
        return {"type": "bytes", "logicalType": "decimal", "precision": kind.precision, "scale": kind.scale}
    simple = {
        pa.string(): "string",
        pa.large_string(): "string",
        pa.int32(): "int",
        pa.int64(): "long",
        pa.float64(): "double",
        pa.float32(): "float",
        pa.bool_(): "boolean",
        pa.binary(): "bytes",
    }
    if kind not in simple:
        raise SchemaError(f"column {name}: no Avro type for Arrow type {kind}")
    return simple[kind]
