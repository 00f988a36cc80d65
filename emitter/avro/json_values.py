"""JSON message values for ``--format json`` debugging: one JSON object per event, no framing.

The values are exactly the lines ``emitter backfill --format jsonl`` writes, so a streamed event
and its backfilled row read the same:

- keys in schema order; nulls are ``null`` (a nullable field is the plain value, not Avro's
  ``{"string": ...}`` union wrapping: this is not the Avro JSON encoding);
- timestamps are RFC 3339 / ISO-8601 UTC strings with microseconds and ``Z``
  (``"2024-03-15T09:30:00.000000Z"``), dates ``"YYYY-MM-DD"``;
- decimals are JSON numbers with their exact digits (``12.50``), so parse them as decimals,
  not floats, if the cents matter; non-finite floats are ``null``.
"""

from __future__ import annotations

import io

import numpy as np
import pyarrow as pa

from emitter.avro.encode import EncodedBatch
from emitter.formats.jsonl import write_jsonl

_NEWLINE = 0x0A


def encode_json(table: pa.Table) -> EncodedBatch:
    """Every row of ``table`` as a compact UTF-8 JSON object, in one buffer with offsets."""
    sink = io.BytesIO()
    write_jsonl(table, sink)
    lines = np.frombuffer(sink.getbuffer(), np.uint8)
    # JSON escapes newlines inside strings, so every 0x0A ends a line.
    ends = np.flatnonzero(lines == _NEWLINE)
    keep = np.ones(len(lines), np.bool_)
    keep[ends] = False
    offsets = np.zeros(len(ends) + 1, np.int64)
    offsets[1:] = ends - np.arange(len(ends))  # each earlier newline dropped shifts a line end left
    return EncodedBatch(lines[keep], offsets, None)
