"""Edge cases of the encoder: extreme values, garbage in null slots, empty tables and clear errors."""

from __future__ import annotations

from decimal import Context, Decimal
from typing import Any

import numpy as np
import pyarrow as pa
import pytest

from emitter.avro.encode import encode_table
from emitter.errors import SchemaError

from .conftest import fastavro_messages

EXACT = Context(prec=100)  # Decimal's default 28 digits would round 38-digit values


def _record(*fields: tuple[str, Any]) -> dict[str, Any]:
    return {"type": "record", "name": "edge", "fields": [{"name": n, "type": t} for n, t in fields]}


def _decimal(precision: int, scale: int = 0) -> dict[str, Any]:
    return {"type": "bytes", "logicalType": "decimal", "precision": precision, "scale": scale}


def _decimal_array(unscaled: list[int], kind: pa.DataType) -> pa.Array:
    words = b"".join(u.to_bytes(16, "little", signed=True) for u in unscaled)
    return pa.Array.from_buffers(kind, len(unscaled), [None, pa.py_buffer(words)])


def test_integer_bounds() -> None:
    schema = _record(("i", "int"), ("l", "long"))
    ints = [-(2**31), 2**31 - 1, 0, -1, 1, -64, 63, -65, 64]
    longs = [-(2**63), 2**63 - 1, 0, -1, 1, 2**62, -(2**62), 2**56, -(2**56)]
    table = pa.table({"i": pa.array(ints, pa.int32()), "l": pa.array(longs, pa.int64())})

    expected = fastavro_messages(schema, [{"i": i, "l": v} for i, v in zip(ints, longs, strict=True)])
    assert encode_table(table, schema).messages() == expected
    assert expected[1][-10:] == b"\xfe\xff\xff\xff\xff\xff\xff\xff\xff\x01"  # the widest varint: 10 bytes


def test_decimals_match_fastavro_sizing_including_negative_powers_of_256() -> None:
    """fastavro writes -128 as ff 80 (one byte more than minimal two's complement); so do we."""
    values = [0, 1, -1, 127, 128, -128, -129, 255, -256, -32768, 32767, -(2**63), 2**63 - 1, 10**38 - 1, -(10**38) + 1]
    schema = _record(("d", _decimal(38, 2)))
    table = pa.table({"d": _decimal_array(values, pa.decimal128(38, 2))})

    messages = encode_table(table, schema).messages()

    assert messages == fastavro_messages(schema, [{"d": Decimal(v).scaleb(-2, EXACT)} for v in values])
    assert messages[5] == b"\x04\xff\x80"


def test_decimal_128_bit_extreme_needs_a_seventeenth_byte() -> None:
    """-2**127 has a 128-bit magnitude: fastavro writes 17 bytes (its sizing rule), so must we."""
    values = [-(2**127), 2**127 - 1, -(2**64), 2**64]
    schema = _record(("d", _decimal(40)))  # a precision fastavro accepts for 39-digit values
    table = pa.table({"d": _decimal_array(values, pa.decimal128(38, 0))})

    messages = encode_table(table, schema).messages()

    assert messages == fastavro_messages(schema, [{"d": Decimal(v)} for v in values])
    assert messages[0][0] == 2 * 17


def test_null_slots_with_garbage_are_ignored() -> None:
    """Arrow leaves null slots undefined: bytes and numbers there must not leak into messages."""
    schema = _record(("s", ["null", "string"]), ("n", ["long", "null"]), ("d", ["null", _decimal(5, 2)]))
    validity = pa.py_buffer(np.packbits([1, 0, 1], bitorder="little").tobytes())
    strings = pa.Array.from_buffers(
        pa.string(),
        3,
        [validity, pa.py_buffer(np.array([0, 3, 10, 12], np.int32).tobytes()), pa.py_buffer(b"abcGARBAGEde")],
    )
    longs = pa.Array.from_buffers(pa.int64(), 3, [validity, pa.py_buffer(np.array([5, 2**62, -7], np.int64).tobytes())])
    garbage = [150, 2**120, -3]
    decimals = pa.Array.from_buffers(
        pa.decimal128(5, 2),
        3,
        [validity, pa.py_buffer(b"".join(u.to_bytes(16, "little", signed=True) for u in garbage))],
    )
    table = pa.table({"s": strings, "n": longs, "d": decimals})

    records = [
        {"s": "abc", "n": 5, "d": Decimal("1.50")},
        {"s": None, "n": None, "d": None},
        {"s": "de", "n": -7, "d": Decimal("-0.03")},
    ]
    assert encode_table(table, schema).messages() == fastavro_messages(schema, records)


def test_empty_table() -> None:
    schema = _record(("s", "string"), ("d", _decimal(5, 2)), ("t", ["null", "double"]))
    table = pa.table(
        {"s": pa.array([], pa.string()), "d": pa.array([], pa.decimal128(5, 2)), "t": pa.array([], pa.float64())}
    )

    encoded = encode_table(table, schema, prefix=b"\x00\x00\x00\x00\x01")

    assert len(encoded) == 0
    assert encoded.messages() == []
    assert encoded.offsets.tolist() == [0]
    assert encoded.with_prefix(b"xy").messages() == []


def test_columns_may_come_in_any_order() -> None:
    schema = _record(("a", "int"), ("b", "string"))
    table = pa.table({"b": pa.array(["x", "yz"]), "a": pa.array([1, -2], pa.int32())})

    assert encode_table(table, schema).messages() == fastavro_messages(
        schema, [{"a": 1, "b": "x"}, {"a": -2, "b": "yz"}]
    )


def test_wide_skewed_strings_take_the_ragged_path() -> None:
    """Long strings among short ones would make the matrix huge: their bytes are interleaved instead."""
    strings = ["x"] * 500 + ["€" * 5000] + ["", "ab"] * 50
    blobs = [bytes([k % 256]) * (3000 if k == 7 else k % 5) for k in range(len(strings))]
    schema = _record(("i", "int"), ("s", "string"), ("j", ["null", "long"]), ("b", ["bytes", "null"]))
    n = len(strings)
    longs = [None if k % 3 else k * 1000 for k in range(n)]
    blob_values = [None if k % 11 == 0 else b for k, b in enumerate(blobs)]
    table = pa.table(
        {
            "i": pa.array(range(n), pa.int32()),
            "s": pa.array(strings),
            "j": pa.array(longs, pa.int64()),
            "b": pa.array(blob_values, pa.binary()),
        }
    )
    records = [
        {"i": k, "s": s, "j": j, "b": b} for k, (s, j, b) in enumerate(zip(strings, longs, blob_values, strict=True))
    ]

    assert encode_table(table, schema).messages() == fastavro_messages(schema, records)
    assert encode_table(table.slice(400), schema).messages() == fastavro_messages(schema, records[400:])


def test_null_in_a_non_nullable_field_is_a_schema_error() -> None:
    schema = _record(("store_id", "int"))
    table = pa.table({"store_id": pa.array([1, None, 3], pa.int32())})

    with pytest.raises(SchemaError, match=r"column store_id: 1 null value\(s\).*no null branch"):
        encode_table(table, schema)


def test_wrong_arrow_type_is_a_schema_error() -> None:
    with pytest.raises(SchemaError, match=r"column n: Arrow type int64 can't be encoded as Avro int"):
        encode_table(pa.table({"n": pa.array([1], pa.int64())}), _record(("n", "int")))
    with pytest.raises(SchemaError, match=r"decimal\(5,2\)"):
        encode_table(pa.table({"d": pa.array([Decimal("1.5")], pa.decimal128(5, 1))}), _record(("d", _decimal(5, 2))))


def test_missing_or_extra_columns_are_a_schema_error() -> None:
    schema = _record(("a", "int"), ("b", "int"))
    with pytest.raises(SchemaError, match=r"missing \['b'\], extra \['c'\]"):
        encode_table(pa.table({"a": pa.array([1], pa.int32()), "c": pa.array([1], pa.int32())}), schema)


@pytest.mark.parametrize(
    "avro_type",
    [["null", "int", "string"], ["int", "string"], {"type": "array", "items": "int"}, "fixed_name"],
)
def test_unsupported_types_are_a_schema_error(avro_type: Any) -> None:
    with pytest.raises(SchemaError, match="field x"):
        encode_table(pa.table({"x": pa.array([1], pa.int32())}), _record(("x", avro_type)))


def test_dictionary_columns_and_record_batches() -> None:
    schema = _record(("zone", "string"), ("n", ["null", "int"]))
    zones = pa.array(["A", "B", "A", "C"]).dictionary_encode()
    batch = pa.record_batch([zones, pa.array([1, None, 3, 4], pa.int32())], names=["zone", "n"])
    records = [{"zone": z, "n": n} for z, n in zip("ABAC", [1, None, 3, 4], strict=True)]

    assert encode_table(batch, schema).messages() == fastavro_messages(schema, records)
