"""Expected Avro-encoded size of a record, from its schema and the typical values of its fields.

Numbers encode as zigzag varints (or fixed 4/8 bytes for floats and doubles), strings as a length plus
their UTF-8 bytes, decimals as a length plus the minimal two's complement of the unscaled value. So a
row's size follows from the typical magnitude of each number and the mean length of each string, which a
scenario knows from its vocabularies and id formats without generating anything.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from emitter.avro.encode import encode_table
from emitter.avro.schemas import AvroSchema
from emitter.errors import SchemaError

# A timestamp-micros of any day from 1936 to 2198 zigzags to a value needing 8 varint bytes.
TIMESTAMP_MICROS_BYTES = 8


@dataclass(frozen=True)
class Maybe:
    """A nullable field's typical value and the share of rows where it is present."""

    value: float
    present: float


Hint = float | Maybe


def varint_bytes(value: float) -> int:
    """Bytes of the zigzag varint of an integer of this magnitude (the sign counts: zigzag doubles it)."""
    v = round(value)
    unsigned = (v << 1) if v >= 0 else ((-v << 1) - 1)
    return max(1, (unsigned.bit_length() + 6) // 7)


def string_bytes(length: float) -> float:
    """A string of ``length`` UTF-8 bytes: its varint length, then the bytes."""
    return varint_bytes(length) + length


def decimal_bytes(unscaled: float) -> int:
    """fastavro's decimal size (bit_length // 8 + 1) plus its length byte."""
    return 1 + int(abs(round(unscaled))).bit_length() // 8 + 1


def record_bytes(schema: AvroSchema, hints: Mapping[str, Hint]) -> float:
    """Expected encoded bytes of one record of the flat ``schema``.

    Args:
        schema: a record schema of the types ``emitter.avro.encode`` writes.
        hints: field name → typical value (numbers: a magnitude; strings: the mean length in bytes;
            decimals: the unscaled value, e.g. cents). Floats, doubles, booleans, timestamps and dates
            need none; every other field must have one, so no size is guessed silently.
    """
    total = 0.0
    for field in schema["fields"]:
        total += _field_bytes(schema["name"], field["name"], field["type"], hints.get(field["name"]))
    return total


def _field_bytes(record: str, name: str, avro_type: Any, hint: Hint | None) -> float:
    if isinstance(avro_type, list):
        branches = [t for t in avro_type if t != "null"]
        if len(branches) != 1:
            raise SchemaError(f"{record}.{name}: only unions of null with one type are sized")
        present = hint.present if isinstance(hint, Maybe) else 1.0
        value = hint.value if isinstance(hint, Maybe) else hint
        return 1.0 + present * _field_bytes(record, name, branches[0], value)
    if isinstance(hint, Maybe):
        raise SchemaError(f"{record}.{name}: a Maybe hint for a field that is not nullable")
    kind = avro_type if isinstance(avro_type, str) else avro_type["type"]
    logical = avro_type.get("logicalType") if isinstance(avro_type, dict) else None
    fixed = {"boolean": 1, "float": 4, "double": 8}
    if kind in fixed:
        return fixed[kind]
    if logical in ("timestamp-micros", "local-timestamp-micros") and hint is None:
        return TIMESTAMP_MICROS_BYTES
    if logical == "date" and hint is None:
        return 3  # days since 1970 up to ~2150 zigzag into three bytes
    if hint is None:
        raise SchemaError(f"{record}.{name}: no typical value given to size this {kind} field")
    if logical == "decimal":
        return decimal_bytes(hint)
    if kind in ("string", "bytes"):
        return string_bytes(hint)
    if kind in ("int", "long"):
        return varint_bytes(hint)
    raise SchemaError(f"{record}.{name}: type {kind} is not sized")


def measured_row_bytes(table: pa.Table, schema: AvroSchema) -> float:
    """A reference table's mean Avro row size, measured on the table itself (the world builds it anyway)."""
    return float(encode_table(table, schema).nbytes / max(table.num_rows, 1))
