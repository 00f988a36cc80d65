"""Every retail table encodes byte for byte like fastavro, record by record."""

from __future__ import annotations

import pyarrow as pa
import pytest

from emitter.avro.encode import encode_table
from emitter.avro.schemas import arrow_schema

from .conftest import ALL_TABLES, fastavro_messages, retail_schema


@pytest.mark.parametrize("table", ALL_TABLES)
def test_retail_table_matches_fastavro(retail_day: dict[str, pa.Table], table: str) -> None:
    batch = retail_day[table]
    assert batch.schema.equals(arrow_schema(retail_schema(table)))
    assert batch.num_rows > 0, f"{table}: the small retail day should have rows"
    schema = retail_schema(table)

    encoded = encode_table(batch, schema)

    assert len(encoded) == batch.num_rows
    assert encoded.messages() == fastavro_messages(schema, batch.to_pylist())


def test_nulls_of_the_day_are_covered(retail_day: dict[str, pa.Table]) -> None:
    """The nullable retail fields really hold nulls and values, so the union paths above are exercised."""
    for table, column in [("online_orders", "store_id"), ("receipt_lines", "promo_code")]:
        values = retail_day[table][column]
        assert 0 < values.null_count < len(values), (table, column)


@pytest.mark.parametrize("table", ["receipts", "ble_pings", "online_orders"])
def test_sliced_and_rechunked_tables_match(retail_day: dict[str, pa.Table], table: str) -> None:
    batch = retail_day[table]
    schema = retail_schema(table)
    n = batch.num_rows
    middle = batch.slice(n // 7, n // 2)
    rechunked = pa.concat_tables([batch.slice(0, n // 3), batch.slice(n // 3, 5), batch.slice(n // 3 + 5)])

    assert encode_table(middle, schema).messages() == fastavro_messages(schema, middle.to_pylist())
    assert encode_table(rechunked, schema).messages() == fastavro_messages(schema, batch.to_pylist())


def test_flat_buffer_and_offsets_agree(retail_day: dict[str, pa.Table]) -> None:
    batch = retail_day["receipts"]
    encoded = encode_table(batch, retail_schema("receipts"))
    messages = encoded.messages()

    assert encoded.offsets[0] == 0
    assert encoded.offsets[-1] == len(encoded.data) == encoded.nbytes == sum(map(len, messages))
    assert encoded.lengths().tolist() == [len(m) for m in messages]
    assert encoded.message(3) == messages[3]
    assert encoded.data.tobytes() == b"".join(messages)
