"""Frame splitting and decoding of framed values: single-object, Confluent (mock:// registry), and garbage."""

from __future__ import annotations

import itertools
import json
import random
from typing import Any

import numpy as np
import pyarrow as pa
import pytest
from confluent_kafka.schema_registry import Schema, SchemaRegistryClient

from emitter.avro.decode import decode_bodies
from emitter.avro.decode_framed import SchemaResolver, decode_messages, split_frames
from emitter.avro.framing import ConfluentFraming, SingleObjectFraming, fingerprint

from .conftest import ALL_TABLES, CATALOG, full_name, retail_schema

TABLES = ["receipts", "receipt_lines", "online_orders", "ble_pings"]
_registries = itertools.count()


def _mock_url() -> str:
    return f"mock://decode-frames-{next(_registries)}"


def _interleaved(
    retail_day: dict[str, pa.Table], framings: list[Any], rows: int = 300
) -> tuple[list[bytes], dict[str, list[int]]]:
    """Messages of several tables and framings shuffled together, and where each table's rows went."""
    tagged = []
    for number, table in enumerate(TABLES):
        batch = retail_day[table].slice(0, rows)
        framing = framings[number % len(framings)]
        for row, message in enumerate(framing.encode(batch, retail_schema(table), f"retail.{table}").messages()):
            tagged.append((table, row, message))
    random.Random(1).shuffle(tagged)
    where: dict[str, list[int]] = {table: [0] * min(rows, retail_day[table].num_rows) for table in TABLES}
    for position, (table, row, _) in enumerate(tagged):
        where[table][row] = position
    return [message for _, _, message in tagged], where


def _check_decoded(decoded: dict[str, Any], retail_day: dict[str, pa.Table], where: dict[str, list[int]]) -> None:
    assert sorted(decoded) == sorted(full_name(t) for t in TABLES)
    for table in TABLES:
        batch = decoded[full_name(table)]
        positions = where[table]
        order = np.argsort(positions)
        expected = retail_day[table].slice(0, len(positions)).take(pa.array(order))
        assert batch.index.tolist() == sorted(positions)
        assert batch.table.equals(expected)


def test_single_object_messages_of_many_tables(retail_day: dict[str, pa.Table]) -> None:
    values, where = _interleaved(retail_day, [SingleObjectFraming()])

    decoded, rejected = decode_messages(values, SchemaResolver(CATALOG.all_avro()))

    assert rejected == []
    _check_decoded(decoded, retail_day, where)


def test_both_framings_in_one_batch(retail_day: dict[str, pa.Table]) -> None:
    confluent = ConfluentFraming(_mock_url())
    values, where = _interleaved(retail_day, [SingleObjectFraming(), confluent])
    resolver = SchemaResolver(CATALOG.all_avro(), registry=confluent.client)

    decoded, rejected = decode_messages(values, resolver)

    assert rejected == []
    _check_decoded(decoded, retail_day, where)


def test_one_schema_under_both_framings_is_one_group(retail_day: dict[str, pa.Table]) -> None:
    batch = retail_day["receipts"].slice(0, 50)
    schema = retail_schema("receipts")
    confluent = ConfluentFraming(_mock_url())
    single = SingleObjectFraming().encode(batch, schema, "retail.receipts").messages()
    wire = confluent.encode(batch, schema, "retail.receipts").messages()
    values = [m for pair in zip(single, wire, strict=True) for m in pair]

    framed = split_frames(values, SchemaResolver([schema], registry=confluent.client))

    [group] = framed.groups
    assert group.name == "emitter.retail.receipts" and group.fingerprint == fingerprint(schema)
    assert group.positions.tolist() == list(range(100))
    doubled = pa.concat_tables([batch, batch]).take(pa.array(np.repeat(np.arange(50), 2) + np.tile([0, 50], 50)))
    assert decode_bodies(group.bodies, schema).table.equals(doubled)


# confluent-kafka exports its in-memory registry only through mock:// URLs.
MockRegistry = type(SchemaRegistryClient.new_client({"url": "mock://decode-class-probe"}))


class CountingRegistry(MockRegistry):  # type: ignore[misc,valid-type]
    """confluent-kafka's in-memory registry, unchanged, counting the schemas it is asked for."""

    def __init__(self) -> None:
        super().__init__({"url": _mock_url()})
        self.asked: list[int] = []

    def get_schema(self, schema_id: int, *args: Any, **kwargs: Any) -> Schema:
        self.asked.append(schema_id)
        schema: Schema = super().get_schema(schema_id, *args, **kwargs)
        return schema


def test_the_registry_is_asked_once_per_id(retail_day: dict[str, pa.Table]) -> None:
    registry = CountingRegistry()
    framing = ConfluentFraming(registry)
    values, _ = _interleaved(retail_day, [framing])
    resolver = SchemaResolver(registry=registry)

    for _ in range(3):
        decoded, rejected = decode_messages(values, resolver)
        assert rejected == [] and sorted(decoded) == sorted(full_name(t) for t in TABLES)

    assert sorted(registry.asked) == sorted({int.from_bytes(v[1:5], "big") for v in values})


def test_unknown_or_broken_values_are_rejected_with_reasons(retail_day: dict[str, pa.Table]) -> None:
    schema = retail_schema("receipts")
    batch = retail_day["receipts"].slice(0, 4)
    confluent = ConfluentFraming(_mock_url())
    good = SingleObjectFraming().encode(batch, schema, "t").messages()
    wire = confluent.encode(batch, schema, "retail.receipts").messages()
    values = [
        good[0],  # 0
        b"",  # 1
        b"\x7fhello",  # 2
        b"\xc3\x01\x00\x01\x02\x03\x04\x05\x06\x07" + good[1][10:],  # 3: unknown fingerprint
        b"\xc3\x01\x00",  # 4: header cut short
        b"\x00\x00\x00",  # 5: header cut short
        b"\x00\x00\x00\x7f\xff" + wire[1][5:],  # 6: unknown schema id
        wire[2],  # 7
        good[3][:-2],  # 8: truncated body
        b"\xc3\x02" + good[2][2:],  # 9: not single-object
        good[2] + b"\x00",  # 10: leftover byte
    ]
    resolver = SchemaResolver([schema], registry=confluent.client)

    decoded, rejected = decode_messages(values, resolver)

    receipts = "emitter.retail.receipts"
    assert list(decoded) == [receipts]
    assert decoded[receipts].index.tolist() == [0, 7]
    assert decoded[receipts].table.equals(batch.take(pa.array([0, 2])))
    reasons = dict(rejected)
    assert [p for p, _ in rejected] == [1, 2, 3, 4, 5, 6, 8, 9, 10]
    assert reasons[1] == "empty value"
    assert reasons[2] == "not Avro: neither single-object nor Confluent framing (starts with 7f68656c)"
    assert reasons[3] == "single-object message with unknown schema fingerprint 0001020304050607"
    assert reasons[4].startswith("single-object header cut short: 3 byte(s)")
    assert reasons[5].startswith("Confluent header cut short: 3 byte(s)")
    assert reasons[6].startswith("schema registry: no schema with id 32767")
    assert reasons[8].startswith("receipts.") and "truncated" in reasons[8]
    assert reasons[9].startswith("not Avro")
    assert reasons[10] == "receipts: 1 byte(s) left over after the last field"
    assert decoded[receipts].rejected == [(8, reasons[8]), (10, reasons[10])]


def test_confluent_values_without_a_registry_are_rejected() -> None:
    framed = split_frames([b"\x00\x00\x00\x00\x01\x02"], SchemaResolver())
    assert framed.groups == []
    assert framed.rejected == [(0, "Confluent-framed message (schema id 1) but no schema registry to ask")]


@pytest.mark.parametrize(
    ("registered", "reason"),
    [
        ("string", "is not an Avro record schema"),
        ({"type": "record", "name": "w", "fields": [{"name": "a", "type": "fixed"}]}, "is not a valid Avro schema"),
        ({"type": "record", "name": "w", "fields": [{"name": "a", "type": {"type": "map", "values": "int"}}]}, "w: "),
        (
            {
                "type": "record",
                "name": "w",
                "fields": [{"name": "a", "type": {"type": "bytes", "logicalType": "decimal", "precision": 40}}],
            },
            "w: writer schema",
        ),
    ],
)
def test_a_registered_schema_we_cannot_decode_rejects_only_its_messages(registered: Any, reason: str) -> None:
    client = SchemaRegistryClient.new_client({"url": _mock_url()})
    schema_id = client.register_schema("x-value", Schema(json.dumps(registered), "AVRO"))
    record_id = client.register_schema(
        "y-value", Schema(json.dumps({"type": "record", "name": "m", "fields": [{"name": "a", "type": "int"}]}), "AVRO")
    )
    values = [b"\x00" + schema_id.to_bytes(4, "big") + b"\x02a", b"\x00" + record_id.to_bytes(4, "big") + b"\x02"]

    decoded, rejected = decode_messages(values, SchemaResolver(registry=client))

    assert decoded["m"].table.to_pylist() == [{"a": 1}] and decoded["m"].index.tolist() == [1]
    [(position, text)] = rejected
    assert position == 0 and reason in text, text


def test_writer_versions_of_one_record_are_merged_in_input_order() -> None:
    old = {"type": "record", "name": "event", "namespace": "shop", "fields": [{"name": "a", "type": "int"}]}
    new = {
        "type": "record",
        "name": "event",
        "namespace": "shop",
        "fields": [{"name": "a", "type": "int"}, {"name": "b", "type": ["null", "string"], "default": None}],
    }
    old_header, new_header = b"\xc3\x01" + fingerprint(old), b"\xc3\x01" + fingerprint(new)
    values = [old_header + b"\x02", new_header + b"\x04\x02\x02x", old_header + b"\x06", new_header + b"\x08\x00"]

    decoded, rejected = decode_messages(values, SchemaResolver([old, new]))

    assert rejected == []
    assert list(decoded) == ["shop.event"]
    assert decoded["shop.event"].index.tolist() == [0, 1, 2, 3]
    assert decoded["shop.event"].table.to_pylist() == [
        {"a": 1, "b": None},
        {"a": 2, "b": "x"},
        {"a": 3, "b": None},
        {"a": 4, "b": None},
    ]


def test_conflicting_writer_versions_stay_apart() -> None:
    ints = {"type": "record", "name": "event", "fields": [{"name": "a", "type": "int"}]}
    texts = {"type": "record", "name": "event", "fields": [{"name": "a", "type": "string"}]}
    values = [b"\xc3\x01" + fingerprint(ints) + b"\x02", b"\xc3\x01" + fingerprint(texts) + b"\x02z"]

    decoded, rejected = decode_messages(values, SchemaResolver([ints, texts]))

    assert rejected == []
    assert decoded["event"].table.to_pylist() == [{"a": 1}]
    assert decoded[f"event@{fingerprint(texts).hex()}"].table.to_pylist() == [{"a": "z"}]


def test_records_of_one_name_in_two_namespaces_are_two_tables() -> None:
    shop = {"type": "record", "name": "event", "namespace": "shop", "fields": [{"name": "a", "type": "int"}]}
    bank = {"type": "record", "name": "event", "namespace": "bank", "fields": [{"name": "a", "type": "int"}]}
    values = [b"\xc3\x01" + fingerprint(shop) + b"\x02", b"\xc3\x01" + fingerprint(bank) + b"\x04"]

    decoded, rejected = decode_messages(values, SchemaResolver([shop, bank]))

    assert rejected == []
    assert decoded["shop.event"].table.to_pylist() == [{"a": 1}]
    assert decoded["bank.event"].table.to_pylist() == [{"a": 2}]


def test_a_resolver_of_the_catalogs_schemas_knows_every_table() -> None:
    resolver = SchemaResolver(CATALOG.all_avro())
    for table in ALL_TABLES:
        schema = retail_schema(table)
        assert resolver.by_fingerprint(fingerprint(schema)) == schema


def test_empty_input() -> None:
    framed = split_frames([], SchemaResolver())
    assert framed.groups == [] and framed.rejected == []
    assert decode_messages([], SchemaResolver()) == ({}, [])


@pytest.mark.parametrize("value", [b"\xc3", b"\x00", b"\xc3\x01", b"\x00\x00\x00\x00\x00"])
def test_values_shorter_than_any_body_never_crash(value: bytes) -> None:
    decoded, rejected = decode_messages([value] * 3, SchemaResolver(registry=_mock_url()))
    assert decoded == {} and [p for p, _ in rejected] == [0, 1, 2]


def test_garbage_with_many_distinct_keys_stays_cheap_and_bounded() -> None:
    """Random bytes behind a magic byte: every value rejected, the registry asked a bounded number of times."""
    rng = random.Random(3)
    registry = CountingRegistry()
    noise = [bytes(rng.randrange(256) for _ in range(12)) for _ in range(4000)]
    values = [(b"\xc3\x01" if i % 2 else b"\x00") + tail for i, tail in enumerate(noise)]

    decoded, rejected = decode_messages(values, SchemaResolver(registry=registry))

    assert decoded == {}
    assert [p for p, _ in rejected] == list(range(4000))
    assert all(
        "unknown schema fingerprint" in r or "no schema with id" in r or "not looked up" in r for _, r in rejected
    )
    assert len(registry.asked) <= 16
