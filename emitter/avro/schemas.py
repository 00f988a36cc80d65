"""Load ``schemas/<scenario>/<table>.avsc`` and map them to Arrow schemas.

Generated batches are built to the Arrow schema derived here, so a batch that conforms
to its Arrow schema also encodes under its Avro schema.
"""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path
from typing import Any

import pyarrow as pa

from emitter.core.columns import to_arrow
from emitter.errors import SchemaError

AvroSchema = dict[str, Any]


def schemas_root() -> Path:
    """The schemas/ directory: ``EMITTER_SCHEMAS_DIR`` if set, else the one beside the package."""
    override = os.environ.get("EMITTER_SCHEMAS_DIR")
    return Path(override) if override else Path(__file__).resolve().parents[2] / "schemas"


@cache
def load_schema(scenario: str, table: str) -> AvroSchema:
    path = schemas_root() / scenario / f"{table}.avsc"
    try:
        schema: AvroSchema = json.loads(path.read_text())
    except FileNotFoundError as exc:
        raise SchemaError(f"no schema for {scenario}.{table}: {path} is missing") from exc
    except json.JSONDecodeError as exc:
        raise SchemaError(f"{path}: invalid JSON ({exc.msg} at line {exc.lineno})") from exc
    return schema


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


@cache
def arrow_schema(scenario: str, table: str) -> pa.Schema:
    avro = load_schema(scenario, table)
    fields = []
    for field in avro["fields"]:
        arrow, nullable = _arrow_type(field["type"])
        fields.append(pa.field(field["name"], arrow, nullable=nullable))
    return pa.schema(fields)


def conform(scenario: str, table: str, columns: dict[str, Any]) -> pa.Table:
    """Assemble columns into a table with exactly the schema's fields, order and types."""
    schema = arrow_schema(scenario, table)
    missing = [f.name for f in schema if f.name not in columns]
    extra = sorted(set(columns) - set(schema.names))
    if missing or extra:
        raise SchemaError(f"{scenario}.{table}: columns do not match the schema (missing {missing}, extra {extra})")
    arrays = []
    for field in schema:
        col = to_arrow(columns[field.name])
        arr = col if isinstance(col, pa.Array | pa.ChunkedArray) else pa.array(col, type=field.type)
        if arr.type != field.type:
            arr = arr.cast(field.type)
        arrays.append(arr)
    return pa.Table.from_arrays(arrays, schema=schema)
