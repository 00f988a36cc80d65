"""Random batches over every supported type encode byte for byte like fastavro.

Values are drawn as Python values (the reference fastavro writes), then turned into Arrow arrays,
possibly sliced out of a larger array and split into chunks, as real batches can be.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Context, Decimal
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from emitter.avro.encode import encode_table

from .conftest import fastavro_messages

EXACT = Context(prec=100)  # Decimal's default 28 digits would round 38-digit values
INT32 = (-(2**31), 2**31 - 1)
INT64 = (-(2**63), 2**63 - 1)


@dataclass(frozen=True)
class Kind:
    """One Avro field type: its schema, Arrow type and a strategy for its Python values."""

    avro: Any
    arrow: pa.DataType
    values: st.SearchStrategy[Any]


def _ints(low: int, high: int) -> st.SearchStrategy[int]:
    edges = [low, low + 1, -1, 0, 1, 63, 64, -64, -65, 8191, 8192, high - 1, high]
    return st.one_of(st.sampled_from(edges), st.integers(low, high))


@st.composite
def decimal_kinds(draw: st.DrawFn) -> Kind:
    precision = draw(st.integers(1, 38))
    scale = draw(st.integers(0, precision))
    limit = 10**precision - 1
    edges = [0, 1, -1, 127, 128, -128, -129, 255, 256, -256, -257, 32767, -32768, limit, -limit]
    unscaled = st.one_of(st.sampled_from([e for e in edges if abs(e) <= limit]), st.integers(-limit, limit))
    avro = {"type": "bytes", "logicalType": "decimal", "precision": precision, "scale": scale}
    return Kind(avro, pa.decimal128(precision, scale), unscaled.map(lambda u: Decimal(u).scaleb(-scale, EXACT)))


KINDS: list[st.SearchStrategy[Kind]] = [
    st.just(Kind("int", pa.int32(), _ints(*INT32))),
    st.just(Kind("long", pa.int64(), _ints(*INT64))),
    st.just(Kind("float", pa.float32(), st.floats(width=32, allow_nan=False))),
    st.just(Kind("double", pa.float64(), st.floats(allow_nan=False))),
    st.just(Kind("boolean", pa.bool_(), st.booleans())),
    st.just(Kind("string", pa.string(), st.text(max_size=80))),
    st.just(Kind("string", pa.large_string(), st.text(alphabet="aé日😀\n\x00", max_size=10))),
    st.just(Kind("bytes", pa.binary(), st.binary(max_size=300))),
    st.just(Kind({"type": "long", "logicalType": "timestamp-micros"}, pa.timestamp("us", tz="UTC"), _ints(*INT64))),
    st.just(Kind({"type": "long", "logicalType": "timestamp-millis"}, pa.timestamp("ms"), _ints(*INT64))),
    st.just(Kind({"type": "int", "logicalType": "date"}, pa.date32(), _ints(*INT32))),
    decimal_kinds(),
]


@dataclass(frozen=True)
class Field:
    name: str
    kind: Kind
    union: str  # "", "null-first" or "null-last"

    def avro_type(self) -> Any:
        if self.union == "null-first":
            return ["null", self.kind.avro]
        if self.union == "null-last":
            return [self.kind.avro, "null"]
        return self.kind.avro


@st.composite
def fields(draw: st.DrawFn) -> list[Field]:
    kinds = draw(st.lists(st.one_of(KINDS), min_size=1, max_size=7))
    unions = draw(
        st.lists(st.sampled_from(["", "", "null-first", "null-last"]), min_size=len(kinds), max_size=len(kinds))
    )
    return [Field(f"f{i}", kind, union) for i, (kind, union) in enumerate(zip(kinds, unions, strict=True))]


def _arrow(field: Field, values: list[Any]) -> pa.Array:
    kind = field.kind.arrow
    if pa.types.is_timestamp(kind):
        return pa.array(values, pa.int64()).cast(kind)
    if pa.types.is_date32(kind):
        return pa.array(values, pa.int32()).cast(kind)
    if pa.types.is_decimal(kind):
        return _decimal_array(values, kind)
    return pa.array(values, kind)


def _decimal_array(values: list[Decimal | None], kind: pa.Decimal128Type) -> pa.Array:
    """Built from the unscaled integers: pa.array infers precisions from the Decimals and trips on some."""
    words = b"".join(
        (0 if v is None else int(v.scaleb(kind.scale, EXACT))).to_bytes(16, "little", signed=True) for v in values
    )
    validity = pa.array([v is not None for v in values]).buffers()[1] if None in values else None
    return pa.Array.from_buffers(kind, len(values), [validity, pa.py_buffer(words)])


@st.composite
def batches(draw: st.DrawFn) -> tuple[dict[str, Any], pa.Table, list[dict[str, Any]]]:
    """(schema, table, the same rows as Python records) with a random slice and chunking."""
    chosen = draw(fields())
    n = draw(st.integers(0, 40))
    before, after = draw(st.integers(0, 5)), draw(st.integers(0, 5))
    columns: dict[str, pa.ChunkedArray] = {}
    records: list[dict[str, Any]] = [{} for _ in range(n)]
    for field in chosen:
        value = field.kind.values
        strategy = st.one_of(st.none(), value) if field.union else value
        values = draw(st.lists(strategy, min_size=before + n + after, max_size=before + n + after))
        array = _arrow(field, values).slice(before, n)
        cut = draw(st.integers(0, n))
        columns[field.name] = pa.chunked_array([array.slice(0, cut), array.slice(cut)], array.type)
        for row, v in zip(records, values[before : before + n], strict=True):
            row[field.name] = v
    schema = {
        "type": "record",
        "name": "random",
        "namespace": "emitter.test",
        "fields": [{"name": f.name, "type": f.avro_type()} for f in chosen],
    }
    return schema, pa.table(columns), records


@pytest.mark.slow
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batches())
def test_random_batches_match_fastavro(batch: tuple[dict[str, Any], pa.Table, list[dict[str, Any]]]) -> None:
    schema, table, records = batch

    encoded = encode_table(table, schema)

    assert len(encoded) == len(records)
    assert encoded.messages() == fastavro_messages(schema, records)
    assert int(encoded.offsets[-1]) == len(encoded.data)


@settings(max_examples=50, deadline=None)
@given(batches(), st.sampled_from([b"\x00\x00\x00\x00\x07", b"\xc3\x01" + bytes(range(8))]))
def test_prefix_and_with_prefix_agree(
    batch: tuple[dict[str, Any], pa.Table, list[dict[str, Any]]], header: bytes
) -> None:
    schema, table, records = batch
    expected = [header + m for m in fastavro_messages(schema, records)]

    assert encode_table(table, schema, prefix=header).messages() == expected
    assert encode_table(table, schema).with_prefix(header).messages() == expected
