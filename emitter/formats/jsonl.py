"""JSON Lines, one object per row, encoded column-wise with Arrow compute rather than row by row.

Value mapping: timestamps become RFC 3339 strings (``2024-01-01T09:30:00.000000Z``), dates
``YYYY-MM-DD`` strings, decimals JSON numbers with their exact digits, non-finite floats null.
"""

from __future__ import annotations

import json
from typing import BinaryIO

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from emitter.avro.schemas import AvroSchema
from emitter.errors import SchemaError

EXTENSION = "jsonl"
BATCH_ROWS = 65_536
_CONTROL_CHARS = r"[\x00-\x1f]"


def write_jsonl(table: pa.Table, sink: BinaryIO, avro_schema: AvroSchema | None = None) -> None:
    """Write ``table`` as UTF-8 JSON Lines, keys in schema order, each line ending in ``\\n``."""
    for batch in table.to_batches(max_chunksize=BATCH_ROWS):
        if batch.num_rows:
            sink.write(_encode_batch(batch))


def _encode_batch(batch: pa.RecordBatch) -> memoryview:
    pieces: list[pa.Array | pa.Scalar] = []
    for index, field in enumerate(batch.schema):
        prefix = "{" if index == 0 else ","
        pieces.append(pa.scalar(f"{prefix}{json.dumps(field.name)}:"))
        pieces.append(_json_values(batch.column(index), field.name))
    pieces.append(pa.scalar("}\n"))
    lines = pc.binary_join_element_wise(*pieces, "")
    return _concatenated_bytes(lines)


def _json_values(column: pa.Array, name: str) -> pa.Array:
    """The JSON text of every value in ``column``, ``null`` where the value is null."""
    kind = column.type
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        text = _json_strings(pc.cast(column, pa.string()))
    elif pa.types.is_timestamp(kind):
        # Arrow renders zone-aware timestamps in UTC with a trailing Z; only the separator changes.
        text = _quoted(pc.replace_substring(pc.cast(column, pa.string()), " ", "T", max_replacements=1))
    elif pa.types.is_date(kind):
        text = _quoted(pc.cast(column, pa.string()))
    elif pa.types.is_floating(kind):
        finite = pc.is_finite(column)
        text = pc.if_else(finite, pc.cast(column, pa.string()), pa.scalar(None, pa.string()))
    elif pa.types.is_integer(kind) or pa.types.is_boolean(kind) or pa.types.is_decimal(kind):
        text = pc.cast(column, pa.string())
    else:
        raise SchemaError(f"column {name}: JSON Lines can't encode Arrow type {kind}")
    return pc.fill_null(text, "null")


def _json_strings(column: pa.Array) -> pa.Array:
    """Quote and escape strings exactly as ``json.dumps(ensure_ascii=False)`` does."""
    if pc.any(pc.match_substring_regex(column, _CONTROL_CHARS)).as_py():
        # Rare in practice: fall back to the json module for exact \\uXXXX escapes.
        return pa.array(
            [None if value is None else json.dumps(value, ensure_ascii=False) for value in column.to_pylist()],
            pa.string(),
        )
    escaped = pc.replace_substring(column, "\\", "\\\\")
    escaped = pc.replace_substring(escaped, '"', '\\"')
    return _quoted(escaped)


def _quoted(text: pa.Array) -> pa.Array:
    return pc.binary_join_element_wise(pa.scalar('"'), text, pa.scalar('"'), "")


def _concatenated_bytes(lines: pa.Array) -> memoryview:
    """All values of a null-free string array back to back, straight from its data buffer."""
    _validity, offsets_buffer, data_buffer = lines.buffers()
    offsets = np.frombuffer(offsets_buffer, dtype=np.int32)
    start = int(offsets[lines.offset])
    end = int(offsets[lines.offset + len(lines)])
    return memoryview(data_buffer)[start:end] if data_buffer is not None else memoryview(b"")
