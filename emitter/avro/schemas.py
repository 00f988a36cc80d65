"""Map Avro record schemas to Arrow schemas, and assemble generated columns under them.

Generated batches are built to the Arrow schema derived here, so a batch that conforms
to its Arrow schema also encodes under its Avro schema. Scenarios keep their schemas as package
data (see ``emitter.scenarios.tables.Catalog``).
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

import pyarrow as pa

from emitter.core.columns import to_arrow
from emitter.errors import SchemaError

AvroSchema = dict[str, Any]

#: The Avro logical type of a string that holds one JSON document (Avro readers ignore it: still a string).
JSON_LOGICAL_TYPE = "json"
#: How an Arrow string field says it holds JSON documents; warehouses store such a column as JSON.
JSON_METADATA = {b"logicalType": JSON_LOGICAL_TYPE.encode()}


def record_full_name(schema: AvroSchema) -> str:
    """The record's full name, ``namespace.name``: what identifies a table's records on the wire."""
    name = str(schema.get("name", ""))
    namespace = schema.get("namespace")
    return name if "." in name or not namespace else f"{namespace}.{name}"


def _arrow_type(avro_type: Any) -> tuple[pa.DataType, bool]:
    """Return (arrow type, nullable) for one field type."""
    if isinstance(avro_type, list):
        branches = [t for t in avro_type if t != "null"]
        if len(branches) != 1 or len(avro_type) != 2:
            raise SchemaError(f"only unions of null and one type are supported, got {avro_type}")
        arrow, _ = _arrow_type(branches[0])
        return arrow, True
    if isinstance(avro_type, dict):
        logical = avro_type.get("logicalType")
        base = avro_type["type"]
        if logical == "timestamp-micros" and base == "long":
            return pa.timestamp("us", tz="UTC"), False
        if logical == "timestamp-millis" and base == "long":
            return pa.timestamp("ms", tz="UTC"), False
        if logical == "date" and base == "int":
            return pa.date32(), False
        if logical == "decimal" and base == "bytes":
            return pa.decimal128(int(avro_type["precision"]), int(avro_type.get("scale", 0))), False
        return _arrow_type(base)
    primitives: dict[str, pa.DataType] = {
        "string": pa.string(),
        "int": pa.int32(),
        "long": pa.int64(),
        "double": pa.float64(),
        "float": pa.float32(),
        "boolean": pa.bool_(),
        "bytes": pa.binary(),
    }
    if avro_type not in primitives:
        raise SchemaError(f"unsupported Avro type {avro_type!r}")
    return primitives[avro_type], False


def _is_json_type(avro_type: Any) -> bool:
    """Whether a field type is a (nullable) string with logical type json."""
    if isinstance(avro_type, list):
        return any(_is_json_type(t) for t in avro_type if t != "null")
    return (
        isinstance(avro_type, dict)
        and avro_type.get("logicalType") == JSON_LOGICAL_TYPE
        and avro_type.get("type") == "string"
    )


def arrow_field(name: str, avro_type: Any) -> pa.Field:
    """The Arrow field of one Avro record field: its type, nullability and, for a JSON string, :data:`JSON_METADATA`."""
    arrow, nullable = _arrow_type(avro_type)
    return pa.field(name, arrow, nullable=nullable, metadata=JSON_METADATA if _is_json_type(avro_type) else None)


def is_json(field: pa.Field) -> bool:
    """Whether ``field`` is a string field marked as holding JSON documents."""
    return (
        (pa.types.is_string(field.type) or pa.types.is_large_string(field.type))
        and field.metadata is not None
        and field.metadata.get(b"logicalType") == JSON_METADATA[b"logicalType"]
    )


def arrow_schema(avro: AvroSchema) -> pa.Schema:
    """The Arrow schema a batch of ``avro`` records has (cached per schema)."""
    return arrow_schema_of_json(json.dumps(avro, sort_keys=True))


@lru_cache(maxsize=256)  # bounded: a sink decodes whatever schemas a registry hands it
def arrow_schema_of_json(avro_json: str) -> pa.Schema:
    """Like :func:`arrow_schema`, for a schema already serialized with ``json.dumps(..., sort_keys=True)``."""
    return pa.schema([arrow_field(f["name"], f["type"]) for f in json.loads(avro_json)["fields"]])


def conform(schema: pa.Schema, columns: dict[str, Any], what: str) -> pa.Table:
    """Assemble columns into a table with exactly the schema's fields, order and types (``what`` names it)."""
    missing = [f.name for f in schema if f.name not in columns]
    extra = sorted(set(columns) - set(schema.names))
    if missing or extra:
        raise SchemaError(f"{what}: columns do not match the schema (missing {missing}, extra {extra})")
    arrays = []
    for field in schema:
        col = to_arrow(columns[field.name])
        arr = col if isinstance(col, pa.Array | pa.ChunkedArray) else pa.array(col, type=field.type)
        if arr.type != field.type:
            arr = arr.cast(field.type)
        arrays.append(arr)
    return pa.Table.from_arrays(arrays, schema=schema)
