"""Malformed bodies are rejected with a reason, never crash, and never disturb the good ones beside them.

fastavro is the oracle for mutated messages: whatever we accept, fastavro reads to the same values
using every byte; whatever fastavro refuses, we refuse. We are stricter in a few documented ways
(int range, boolean bytes, union branch -1, over-long varints, decimal precision).
"""

from __future__ import annotations

import io
import math
import random
from decimal import Decimal
from typing import Any

import fastavro
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from emitter.avro.decode import decode_bodies
from emitter.avro.encode import encode_table

from .conftest import retail_schema
from .test_decode_random import Batch, _conformed, _record, _zigzag_varint
from .test_encode_random import EXACT, batches

STRICTER = ("32-bit int", "boolean", "union branch", "varint longer", "precision", "wider than 128")


def _raw_type(avro_type: Any) -> Any:
    """The type without logical types: fastavro then returns plain ints and bytes, whatever their value."""
    if isinstance(avro_type, list):
        return [_raw_type(t) for t in avro_type]
    if isinstance(avro_type, dict):
        return avro_type["type"]
    return avro_type


def _fastavro_read(schema: dict[str, Any], body: bytes) -> dict[str, Any] | None:
    raw = {**schema, "fields": [{"name": f["name"], "type": _raw_type(f["type"])} for f in schema["fields"]]}
    stream = io.BytesIO(body)
    try:
        record = fastavro.schemaless_reader(stream, fastavro.parse_schema(raw), None)
    except Exception:
        return None
    if stream.tell() != len(body) or not isinstance(record, dict):
        return None
    return record


def _same(ours: Any, theirs: Any) -> bool:
    if isinstance(ours, float) and isinstance(theirs, float) and math.isnan(ours):
        return math.isnan(theirs)
    return bool(ours == theirs)


def _raw_row(table: pa.Table, row: int, schema: dict[str, Any]) -> dict[str, Any]:
    """One decoded row with timestamps and dates as ints and decimals as unscaled ints (bytes, as fastavro)."""
    out: dict[str, Any] = {}
    for field in schema["fields"]:
        column = table[field["name"]]
        kind = column.type
        if pa.types.is_timestamp(kind) or pa.types.is_date(kind):
            value = column.cast(pa.int64() if pa.types.is_timestamp(kind) else pa.int32())[row].as_py()
        elif pa.types.is_decimal(kind):
            decimal = column[row].as_py()
            value = None if decimal is None else int(Decimal(decimal).scaleb(kind.scale, EXACT))
        else:
            value = column[row].as_py()
        out[field["name"]] = value
    return out


def _fastavro_raw(record: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for field in schema["fields"]:
        value = record[field["name"]]
        is_decimal = "decimal" in str(field["type"])
        out[field["name"]] = int.from_bytes(value, "big", signed=True) if is_decimal and value is not None else value
    return out


def _mutate(message: bytes, how: str, rng: random.Random) -> bytes:
    if how == "truncate":
        return message[: rng.randrange(len(message))] if message else b""
    if how == "append":
        return message + bytes(rng.randrange(256) for _ in range(rng.randint(1, 12)))
    if how == "flip":
        if not message:
            return b"\x01"
        at = rng.randrange(len(message))
        return message[:at] + bytes([message[at] ^ (1 << rng.randrange(8))]) + message[at + 1 :]
    if how == "overwrite":
        if not message:
            return b"\xff"
        at = rng.randrange(len(message))
        return message[:at] + bytes([rng.randrange(256)]) + message[at + 1 :]
    if how == "empty":
        return b""
    return bytes(rng.randrange(256) for _ in range(rng.randint(1, 40)))  # noise


MUTATIONS = ["truncate", "append", "flip", "overwrite", "empty", "noise"]


@pytest.mark.slow
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batches(), st.randoms(use_true_random=False), st.floats(0.0, 1.0))
def test_mutated_messages_never_disturb_the_good_ones(batch: Batch, rng: random.Random, share: float) -> None:
    schema, table, _ = batch
    messages = encode_table(table, schema).messages()
    mutated = {i: _mutate(m, rng.choice(MUTATIONS), rng) for i, m in enumerate(messages) if rng.random() < share}
    mutated = {i: m for i, m in mutated.items() if m != messages[i]}
    bodies = [mutated.get(i, m) for i, m in enumerate(messages)]

    decoded = decode_bodies(bodies, schema)

    rejected = {position: reason for position, reason in decoded.rejected}
    accepted = decoded.index.tolist()
    assert sorted(accepted + list(rejected)) == list(range(len(bodies)))
    assert accepted == sorted(accepted) and len(rejected) == len(decoded.rejected)
    assert all(isinstance(reason, str) and reason for reason in rejected.values())
    assert set(range(len(bodies))) - set(mutated) <= set(accepted)
    good = [i for i in accepted if i not in mutated]
    row_of = {position: row for row, position in enumerate(accepted)}
    expected = _conformed(schema, table)
    assert decoded.table.take(pa.array([row_of[i] for i in good], pa.int64())).equals(
        expected.take(pa.array(good, pa.int64()))
    )
    for position, body in mutated.items():
        oracle = _fastavro_read(schema, body)
        if position in rejected:
            assert oracle is None or any(s in rejected[position] for s in STRICTER), (body, rejected[position])
        else:
            assert oracle is not None, body
            ours = _raw_row(decoded.table, row_of[position], schema)
            theirs = _fastavro_raw(oracle, schema)
            assert [k for k in ours if not _same(ours[k], theirs[k])] == [], (ours, theirs)


@pytest.mark.parametrize("table", ["receipts", "receipt_lines", "online_orders", "customers", "stores"])
def test_every_truncation_and_every_append_is_rejected(retail_day: dict[str, pa.Table], table: str) -> None:
    """A strict prefix of a record can never be a record; bytes after the last field are never ignored."""
    rng = random.Random(table)
    schema = retail_schema(table)
    batch = retail_day[table].slice(0, 400)
    messages = encode_table(batch, schema).messages()
    bodies: list[bytes] = []
    for message in messages:
        bodies += [message, message[: rng.randrange(len(message))], message + b"\x00" * rng.randint(1, 3), b""]

    decoded = decode_bodies(bodies, schema)

    assert decoded.index.tolist() == list(range(0, len(bodies), 4))
    assert decoded.table.equals(batch)
    reasons = dict(decoded.rejected)
    for i in range(len(messages)):
        assert "truncated" in reasons[4 * i + 1]
        assert reasons[4 * i + 2].endswith("byte(s) left over after the last field")
        assert (
            reasons[4 * i + 3]
            == f"{table}.{schema['fields'][0]['name']}: truncated: the message ends inside this value"
        )


DEC = {"type": "bytes", "logicalType": "decimal", "precision": 4, "scale": 1}
CASES: list[tuple[Any, bytes, str]] = [
    ("int", b"", "edge.v: truncated"),
    ("int", b"\x80", "edge.v: truncated"),
    ("int", b"\x80" * 10 + b"\x00", "edge.v: varint longer than 10 bytes or above 64 bits"),
    ("long", b"\xff" * 9 + b"\x02", "edge.v: varint longer than 10 bytes"),
    ("long", b"\xfe" + b"\xff" * 8 + b"\x01", ""),  # 2**63 - 1: the widest valid varint
    ("int", _zigzag_varint(2**31), "edge.v: value out of the 32-bit int range"),
    ("int", _zigzag_varint(-(2**31) - 1), "edge.v: value out of the 32-bit int range"),
    ("string", b"\x08abc", "edge.v: truncated"),
    ("string", b"\x03abc", "edge.v: negative length"),
    ("string", b"\x04\xc3\x28", "edge.v: string is not valid UTF-8"),
    ("string", b"\x06\xed\xa0\x80", "edge.v: string is not valid UTF-8"),  # a surrogate
    ("bytes", b"\x04\xc3\x28", ""),
    ("string", b"\x02a\x00", "edge: 1 byte(s) left over after the last field"),
    (["null", "int"], b"\x04\x02", "edge.v: invalid union branch"),
    (["null", "int"], b"\x01\x02", "edge.v: invalid union branch"),
    (["null", "int"], b"\x02", "edge.v: truncated"),
    (["int", "null"], b"\x02", ""),
    ("boolean", b"\x02", "edge.v: boolean byte is neither 0 nor 1"),
    ("double", b"\x00" * 7, "edge.v: truncated"),
    ("float", b"\x00" * 3, "edge.v: truncated"),
    (DEC, b"\x04\x27\x10", "edge.v: decimal has more digits than the schema's precision"),
    (DEC, b"\x04\x27\x0f", ""),
    (DEC, b"\x00", ""),
    (DEC, b"\x22" + b"\x01" + b"\x00" * 16, "edge.v: decimal wider than 128 bits"),
    (DEC, b"\x22" + b"\x00" * 16 + b"\x05", ""),
    (DEC, b"\x22" + b"\xff" * 16 + b"\xfb", ""),
    (DEC, b"\x06\x00\x00", "edge.v: truncated"),
]


@pytest.mark.parametrize(("avro_type", "body", "reason"), CASES)
def test_each_fault_has_its_reason(avro_type: Any, body: bytes, reason: str) -> None:
    schema = _record(("v", avro_type))
    good = fastavro_body(schema)

    decoded = decode_bodies([good, body, good], schema)

    if reason:
        assert decoded.index.tolist() == [0, 2]
        [(position, text)] = decoded.rejected
        assert position == 1 and text.startswith(reason), text
    else:
        assert decoded.index.tolist() == [0, 1, 2] and decoded.rejected == []
    assert decoded.table.slice(0, 1).equals(decode_bodies([good], schema).table)


def fastavro_body(schema: dict[str, Any]) -> bytes:
    """A valid body for the single-field schema, written by fastavro."""
    samples = {"int": 7, "long": -7, "string": "ok", "bytes": b"ok", "boolean": True, "double": 1.5, "float": 0.5}
    kind = schema["fields"][0]["type"]
    value: Any = Decimal("1.5") if isinstance(kind, dict) else samples[next(k for k in samples if k in str(kind))]
    buffer = io.BytesIO()
    fastavro.schemaless_writer(buffer, fastavro.parse_schema(schema), {"v": value})
    return buffer.getvalue()


def test_valid_decimal_edge_values() -> None:
    schema = _record(("v", DEC))
    decoded = decode_bodies([b"\x04\x27\x0f", b"\x04\xd8\xf1", b"\x00", b"\x22" + b"\xff" * 16 + b"\xfb"], schema)
    assert decoded.table["v"].to_pylist() == [Decimal("999.9"), Decimal("-999.9"), Decimal("0.0"), Decimal("-0.5")]


def test_garbage_between_good_messages_in_a_large_batch(retail_day: dict[str, pa.Table]) -> None:
    """Thousands of rows, a bad message every 7: the rejects come back in order, the rest exactly."""
    batch = retail_day["ble_pings"]
    schema = retail_schema("ble_pings")
    messages = encode_table(batch, schema).messages()
    rng = random.Random(7)
    bodies = [
        _mutate(m, rng.choice(["truncate", "append", "empty"]), rng) if i % 7 == 3 else m
        for i, m in enumerate(messages)
    ]

    decoded = decode_bodies(bodies, schema)

    keep = [i for i in range(len(messages)) if i % 7 != 3]
    assert decoded.index.tolist() == keep
    assert [p for p, _ in decoded.rejected] == [i for i in range(len(messages)) if i % 7 == 3]
    assert decoded.table.equals(batch.take(pa.array(keep)))


def test_a_varint_running_off_the_end_is_truncated_not_too_long() -> None:
    """The next message's bytes may look like more of the varint: the message ending first is what counts."""
    schema = _record(("v", "long"))
    decoded = decode_bodies([b"\x80" * 5, b"\x80" * 12, b"\x02"], schema)
    assert decoded.index.tolist() == [2]
    assert [r.split(": ", 1)[1] for _, r in decoded.rejected] == [
        "truncated: the message ends inside this value",
        "varint longer than 10 bytes or above 64 bits",
    ]
