"""Random tables over every supported type decode back exactly, whoever wrote the bytes.

The batches (extremes, nulls, empty and non-ASCII strings, sliced and chunked arrays) come from the
encoder's random test; decoded tables carry the schema's own Arrow types, so the source is cast to
those (large_string becomes string, timestamps get their UTC zone) before comparing.
"""

from __future__ import annotations

import json
import math
import struct
from decimal import Decimal
from typing import Any

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from emitter.avro.decode import decode_bodies
from emitter.avro.encode import encode_table
from emitter.avro.schemas import arrow_schema

from .conftest import fastavro_messages
from .test_encode_random import EXACT, batches

Batch = tuple[dict[str, Any], pa.Table, list[dict[str, Any]]]


def _conformed(schema: dict[str, Any], table: pa.Table) -> pa.Table:
    """``table`` with exactly the Arrow types ``emitter.avro.schemas`` maps the schema to."""
    target = arrow_schema(schema)
    return pa.Table.from_arrays([table[f.name].cast(f.type) for f in target], schema=target)


@pytest.mark.slow
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batches())
def test_random_batches_round_trip(batch: Batch) -> None:
    schema, table, records = batch
    expected = _conformed(schema, table)

    ours = decode_bodies(encode_table(table, schema).messages(), schema)
    theirs = decode_bodies(fastavro_messages(schema, records), schema)

    for decoded in (ours, theirs):
        assert decoded.rejected == []
        assert decoded.table.schema.equals(expected.schema)
        assert decoded.table.equals(expected)
        assert decoded.index.tolist() == list(range(table.num_rows))


def _record(*fields: tuple[str, Any]) -> dict[str, Any]:
    return {"type": "record", "name": "edge", "fields": [{"name": n, "type": t} for n, t in fields]}


def _zigzag_varint(value: int) -> bytes:
    n = (value << 1) ^ (value >> 63)
    out = bytearray()
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


DECIMAL_38 = {"type": "bytes", "logicalType": "decimal", "precision": 38, "scale": 3}


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(-(10**38) + 1, 10**38 - 1), min_size=1, max_size=30),
    st.sampled_from(["minimal", "fastavro", "sixteen", "padded"]),
)
def test_decimals_of_any_byte_width_decode(unscaled: list[int], style: str) -> None:
    """Java writes minimal two's complement, fastavro one byte more for -256**k, others pad: all decode."""

    def encoded(value: int) -> bytes:
        width = {
            "minimal": (value.bit_length() + 8) // 8 if value >= 0 else ((-value - 1).bit_length() + 8) // 8,
            "fastavro": abs(value).bit_length() // 8 + 1,
            "sixteen": 16,
            "padded": 24,
        }[style]
        raw = value.to_bytes(width, "big", signed=True)
        return _zigzag_varint(len(raw)) + raw

    schema = _record(("d", DECIMAL_38))

    decoded = decode_bodies([encoded(v) for v in unscaled], schema)

    assert decoded.rejected == []
    assert decoded.table["d"].to_pylist() == [Decimal(v).scaleb(-3, EXACT) for v in unscaled]


def test_extremes_decode() -> None:
    schema = _record(
        ("i", "int"),
        ("l", "long"),
        ("ts", {"type": "long", "logicalType": "timestamp-micros"}),
        ("d", {"type": "int", "logicalType": "date"}),
        ("s", ["null", "string"]),
        ("b", "bytes"),
        ("x", ["boolean", "null"]),
    )
    records: list[dict[str, Any]] = [
        {"i": -(2**31), "l": -(2**63), "ts": -(2**63), "d": -(2**31), "s": "", "b": b"", "x": None},
        {"i": 2**31 - 1, "l": 2**63 - 1, "ts": 2**63 - 1, "d": 2**31 - 1, "s": None, "b": b"\x00" * 300, "x": True},
        {"i": 0, "l": 0, "ts": 0, "d": 0, "s": "日本😀\x00é" * 40, "b": bytes(range(256)), "x": False},
    ]

    decoded = decode_bodies(fastavro_messages(schema, records), schema)

    assert decoded.rejected == []
    rows = decoded.table.drop_columns(["ts", "d"]).to_pylist()  # extreme dates don't fit datetime
    assert [r["i"] for r in rows] == [r["i"] for r in records]
    assert [r["l"] for r in rows] == [r["l"] for r in records]
    assert decoded.table["ts"].cast(pa.int64()).to_pylist() == [r["ts"] for r in records]
    assert decoded.table["d"].cast(pa.int32()).to_pylist() == [r["d"] for r in records]
    assert [(r["s"], r["b"], r["x"]) for r in rows] == [(r["s"], r["b"], r["x"]) for r in records]


def test_float_bits_survive() -> None:
    """NaN payloads, signed zeros and infinities come back bit for bit."""
    doubles = [math.nan, -0.0, math.inf, -math.inf, 5e-324, struct.unpack("<d", b"\x01\x00\x00\x00\x00\x00\xf8\xff")[0]]
    floats = [math.nan, -0.0, math.inf, -math.inf, 1.401298464324817e-45, 3.4028234663852886e38]
    schema = _record(("f", "float"), ("d", "double"))
    bodies = [struct.pack("<f", f) + struct.pack("<d", d) for f, d in zip(floats, doubles, strict=True)]

    decoded = decode_bodies(bodies, schema)

    got_f = np.asarray(decoded.table["f"].to_numpy()).view(np.uint32)
    got_d = np.asarray(decoded.table["d"].to_numpy()).view(np.uint64)
    assert got_f.tolist() == [struct.unpack("<I", struct.pack("<f", f))[0] for f in floats]
    assert got_d.tolist() == [struct.unpack("<Q", struct.pack("<d", d))[0] for d in doubles]


def test_non_canonical_varints_decode_like_fastavro() -> None:
    """Zero written in 3 bytes is still zero: Avro readers accept padded varints."""
    schema = _record(("i", "int"), ("s", "string"), ("u", ["null", "long"]))
    body = b"\x80\x80\x00" + b"\x86\x00abc" + b"\x82\x00" + b"\x80\x01"
    decoded = decode_bodies([body], schema)
    assert decoded.rejected == []
    assert decoded.table.to_pylist() == [{"i": 0, "s": "abc", "u": 64}]


def test_schema_types_come_from_the_schema_mapping() -> None:
    schema = _record(("t", {"type": "long", "logicalType": "timestamp-millis"}), ("f", ["null", "float"]))
    decoded = decode_bodies([b"\x02\x00", b"\x04\x02\x00\x00\x80\x3f"], schema)
    assert decoded.table.schema == pa.schema(
        [pa.field("t", pa.timestamp("ms", tz="UTC"), nullable=False), pa.field("f", pa.float32())]
    )
    assert decoded.table["f"].to_pylist() == [None, 1.0]
    assert json.loads(json.dumps(decoded.table["t"].cast(pa.int64()).to_pylist())) == [1, 2]


def test_a_record_without_fields_has_one_row_per_empty_message() -> None:
    decoded = decode_bodies([b"", b"", b"\x00"], {"type": "record", "name": "nothing", "fields": []})
    assert decoded.table.num_rows == 2
    assert decoded.index.tolist() == [0, 1]
    assert decoded.rejected == [(2, "nothing: 1 byte(s) left over after the last field")]
