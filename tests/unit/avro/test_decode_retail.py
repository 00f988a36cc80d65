"""Every retail table decodes back exactly, from our encoder's bytes and from fastavro's."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from emitter.avro import decode
from emitter.avro.decode import DecodedBatch, MessageBodies, decode_bodies
from emitter.avro.encode import encode_table
from emitter.avro.schemas import arrow_schema

from .conftest import ALL_TABLES, fastavro_messages, retail_schema


def _assert_exact(decoded: DecodedBatch, table: pa.Table) -> None:
    assert decoded.rejected == []
    assert decoded.table.schema.equals(table.schema)
    assert decoded.table.equals(table)
    assert decoded.index.dtype == np.int64
    assert decoded.index.tolist() == list(range(table.num_rows))


@pytest.mark.parametrize("table", ALL_TABLES)
def test_retail_table_round_trips_through_our_encoder(retail_day: dict[str, pa.Table], table: str) -> None:
    batch = retail_day[table]
    schema = retail_schema(table)
    encoded = encode_table(batch, schema)

    from_list = decode_bodies(encoded.messages(), schema)
    from_flat = decode_bodies(MessageBodies.from_offsets(encoded.data, encoded.offsets), schema)
    from_pair = decode_bodies((encoded.data, encoded.offsets), schema)

    assert from_list.table.schema.equals(arrow_schema(retail_schema(table)))
    _assert_exact(from_list, batch)
    _assert_exact(from_flat, batch)
    _assert_exact(from_pair, batch)


@pytest.mark.parametrize("table", ALL_TABLES)
def test_retail_table_decodes_fastavros_bytes(retail_day: dict[str, pa.Table], table: str) -> None:
    """fastavro's writer is independent of ours: decoding its bytes checks the decoder on its own."""
    batch = retail_day[table]
    schema = retail_schema(table)

    decoded = decode_bodies(fastavro_messages(schema, batch.to_pylist()), schema)

    _assert_exact(decoded, batch)


def test_nullable_columns_keep_their_nulls(retail_day: dict[str, pa.Table]) -> None:
    for table, column in [("online_orders", "store_id"), ("receipt_lines", "promo_code")]:
        batch = retail_day[table]
        decoded = decode_bodies(encode_table(batch, retail_schema(table)).messages(), retail_schema(table))
        assert 0 < decoded.table[column].null_count == batch[column].null_count < batch.num_rows


@pytest.mark.parametrize("table", ["receipts", "receipt_lines", "online_orders"])
def test_decoding_in_many_small_chunks_gives_the_same_table(
    retail_day: dict[str, pa.Table], table: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    batch = retail_day[table]
    schema = retail_schema(table)
    messages = encode_table(batch, schema).messages()
    broken = {5: messages[5][:-1], 700: messages[700] + b"\x00"}
    mixed = [broken.get(i, m) for i, m in enumerate(messages)]
    monkeypatch.setattr(decode, "CHUNK_ROWS", 97)
    monkeypatch.setattr(decode, "CHUNK_BYTES", 5000)

    decoded = decode_bodies(mixed, schema)

    keep = np.ones(batch.num_rows, np.bool_)
    keep[list(broken)] = False
    assert decoded.table.equals(batch.filter(pa.array(keep)))
    assert decoded.index.tolist() == np.flatnonzero(keep).tolist()
    assert [position for position, _ in decoded.rejected] == sorted(broken)


def test_bodies_sharing_a_buffer_with_other_bytes(retail_day: dict[str, pa.Table]) -> None:
    """Bodies need not be back to back: every other message of a flat buffer, in any order."""
    batch = retail_day["receipts"].slice(0, 300)
    schema = retail_schema("receipts")
    whole = MessageBodies.from_bytes(encode_table(batch, schema).messages())
    rows = np.arange(299, -1, -2)

    decoded = decode_bodies(MessageBodies(whole.buffer, whole.starts[rows], whole.ends[rows]), schema)

    assert decoded.table.equals(batch.take(pa.array(rows)))


def test_empty_input_gives_an_empty_conforming_table() -> None:
    schema = retail_schema("online_orders")
    decoded = decode_bodies([], schema)
    assert decoded.table.num_rows == 0
    assert decoded.table.schema.equals(arrow_schema(retail_schema("online_orders")))
    assert decoded.index.tolist() == [] and decoded.rejected == []


def test_message_bodies_must_stay_inside_the_padding() -> None:
    whole = MessageBodies.from_bytes([b"\x02", b"\x04"])
    with pytest.raises(ValueError, match="inside the buffer"):
        MessageBodies(whole.buffer, whole.starts - 16, whole.ends)
    with pytest.raises(ValueError, match="inside the buffer"):
        MessageBodies(whole.buffer, whole.ends, whole.starts)
