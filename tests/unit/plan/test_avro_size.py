"""A record's estimated Avro size equals fastavro's encoding of a record holding the typical values."""

from __future__ import annotations

import io
from datetime import datetime
from decimal import Decimal

import fastavro
import pytest

from emitter.errors import SchemaError
from emitter.plan.avro_size import Maybe, record_bytes

SCHEMA = {
    "type": "record",
    "name": "r",
    "fields": [
        {"name": "id", "type": "string"},
        {"name": "ts", "type": {"type": "long", "logicalType": "timestamp-micros"}},
        {"name": "store", "type": "int"},
        {"name": "delta", "type": "long"},
        {"name": "price", "type": {"type": "bytes", "logicalType": "decimal", "precision": 12, "scale": 2}},
        {"name": "ok", "type": "boolean"},
        {"name": "lat", "type": "double"},
        {"name": "code", "type": ["null", "string"]},
    ],
}


def _fastavro_size(record: dict[str, object]) -> int:
    out = io.BytesIO()
    fastavro.schemaless_writer(out, fastavro.parse_schema(SCHEMA), record)
    return len(out.getvalue())


@pytest.mark.parametrize("store, delta, cents", [(5, -2, 1999), (250, 300, 12), (20_000, -70_000, 2_500_000)])
def test_size_matches_fastavro(store: int, delta: int, cents: int) -> None:
    record = {
        "id": "RCP2024112900012000345",
        "ts": datetime(2024, 11, 29, 18, 30),
        "store": store,
        "delta": delta,
        "price": Decimal(cents) / 100,
        "ok": True,
        "lat": 40.7,
        "code": "SAVE20",
    }
    hints = {"id": 22, "store": store, "delta": delta, "price": cents, "code": 6}
    assert record_bytes(SCHEMA, hints) == _fastavro_size(record)


def test_a_nullable_field_counts_its_branch_byte_and_the_present_share() -> None:
    base = {"id": 3, "store": 1, "delta": 1, "price": 1}
    absent = record_bytes(SCHEMA, {**base, "code": Maybe(6, 0.0)})
    present = record_bytes(SCHEMA, {**base, "code": Maybe(6, 1.0)})
    half = record_bytes(SCHEMA, {**base, "code": Maybe(6, 0.5)})
    assert present - absent == 7  # one length byte and six characters
    assert half == pytest.approx((present + absent) / 2)


def test_a_field_without_a_typical_value_is_refused() -> None:
    with pytest.raises(SchemaError, match=r"r\.store"):
        record_bytes(SCHEMA, {"id": 3, "delta": 1, "price": 1, "code": 2})
