"""JSON message values: one object per event, the same text as the backfill's JSON Lines."""

from __future__ import annotations

import io
import json
from decimal import Decimal

import pyarrow as pa

from emitter.avro.json_values import encode_json
from emitter.formats.jsonl import write_jsonl


def test_messages_are_the_jsonl_lines(retail_day: dict[str, pa.Table]) -> None:
    batch = retail_day["online_orders"]
    sink = io.BytesIO()
    write_jsonl(batch, sink)

    encoded = encode_json(batch)

    assert len(encoded) == batch.num_rows
    assert encoded.messages() == sink.getvalue().splitlines()


def test_values_are_readable(retail_day: dict[str, pa.Table]) -> None:
    batch = retail_day["online_orders"]
    rows = batch.to_pylist()

    decoded = [json.loads(m, parse_float=Decimal) for m in encode_json(batch).messages()]

    assert [list(d) for d in decoded] == [batch.column_names] * len(rows)
    for got, row in zip(decoded, rows, strict=True):
        assert got["event_ts"] == row["event_ts"].strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        assert got["total"] == row["total"]  # decimals are exact JSON numbers
        assert got["store_id"] == row["store_id"]  # null stays null, not {"int": ...}


def test_awkward_strings_and_empty_tables() -> None:
    strings = ["new\nline", "", "naïve ☕ 日本", 'quote " \\', "\x00ctl", None]
    table = pa.table({"s": pa.array(strings, pa.string()), "i": pa.array(range(6), pa.int32())})

    messages = encode_json(table).messages()

    assert [json.loads(m)["s"] for m in messages] == strings
    assert all(b"\n" not in m for m in messages)
    assert encode_json(table.slice(0, 0)).messages() == []
