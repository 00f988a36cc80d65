"""Single-object encoding and the Confluent wire format, against fastavro and the mock:// registry."""

from __future__ import annotations

import io
import itertools
import json

import fastavro
import pyarrow as pa
import pytest
from confluent_kafka.schema_registry import Schema, SchemaRegistryClient
from fastavro.schema import fingerprint as fastavro_fingerprint
from fastavro.schema import to_parsing_canonical_form
from support import decode_single_object

from emitter.avro.encode import encode_table
from emitter.avro.framing import ConfluentFraming, FramingError, SingleObjectFraming, fingerprint

from .conftest import ALL_TABLES, fastavro_messages, retail_schema

_registries = itertools.count()


def _mock_url() -> str:
    return f"mock://framing-test-{next(_registries)}"


def test_fingerprint_known_answer() -> None:
    """The Avro spec's CRC-64-AVRO of the schema "int", as the 8 bytes on the wire."""
    assert fingerprint("int") == bytes.fromhex("8f5c393f1ad57572")
    assert fingerprint({"type": "int"}) == bytes.fromhex("8f5c393f1ad57572")


@pytest.mark.parametrize("table", ["receipts", "ble_pings"])
def test_fingerprint_is_fastavros_over_the_canonical_form(table: str) -> None:
    schema = retail_schema(table)
    expected = fastavro_fingerprint(to_parsing_canonical_form(schema), "CRC-64-AVRO")
    assert fingerprint(schema).hex() == expected


def test_retail_fingerprints_are_distinct() -> None:
    prints = {fingerprint(retail_schema(t)) for t in ALL_TABLES}
    assert len(prints) == len(ALL_TABLES)


@pytest.mark.parametrize("table", ["receipts", "receipt_lines", "online_orders", "stores"])
def test_single_object_messages_decode_back_with_only_the_schemas(retail_day: dict[str, pa.Table], table: str) -> None:
    batch = retail_day[table]
    schema = retail_schema(table)
    framing = SingleObjectFraming()

    framed = framing.frame(encode_table(batch, schema), f"retail.{table}")

    header = b"\xc3\x01" + fingerprint(schema)
    bodies = fastavro_messages(schema, batch.to_pylist())
    assert framed.messages() == [header + body for body in bodies]
    # A consumer that knows nothing but the schema files (fastavro, not emitter's decoder):
    for message, row in zip(framed.messages(), batch.to_pylist(), strict=True):
        assert decode_single_object(message, table) == (table, row)


def test_single_object_framing_knows_what_it_framed() -> None:
    schemas = [retail_schema("receipts")]
    framing = SingleObjectFraming(schemas)
    assert framing.schemas_by_fingerprint == {fingerprint(schemas[0]): schemas[0]}


def test_encode_with_framing_equals_frame_after_encoding(retail_day: dict[str, pa.Table]) -> None:
    batch = retail_day["receipt_lines"]
    schema = retail_schema("receipt_lines")
    for framing in (SingleObjectFraming(), ConfluentFraming(_mock_url())):
        one_pass = framing.encode(batch, schema, "retail.receipt_lines")
        two_pass = framing.frame(encode_table(batch, schema), "retail.receipt_lines")
        assert one_pass.messages() == two_pass.messages()
        assert one_pass.offsets.tolist() == two_pass.offsets.tolist()


def test_confluent_wire_format_uses_the_registered_id(retail_day: dict[str, pa.Table]) -> None:
    batch = retail_day["receipts"]
    schema = retail_schema("receipts")
    framing = ConfluentFraming(_mock_url())

    messages = framing.frame(encode_table(batch, schema), "retail.receipts").messages()

    registered = framing.client.get_latest_version("retail.receipts-value")
    assert registered.schema_id is not None
    assert json.loads(registered.schema.schema_str or "") == schema
    header = b"\x00" + registered.schema_id.to_bytes(4, "big")
    assert messages == [header + body for body in fastavro_messages(schema, batch.to_pylist())]
    parsed = fastavro.parse_schema(json.loads(registered.schema.schema_str or ""))
    record = fastavro.schemaless_reader(io.BytesIO(messages[0][5:]), parsed)
    assert record == batch.slice(0, 1).to_pylist()[0]


# confluent-kafka exports its in-memory registry only through mock:// URLs.
MockRegistry = type(SchemaRegistryClient.new_client({"url": "mock://class-probe"}))


class CountingRegistry(MockRegistry):  # type: ignore[misc,valid-type]
    """confluent-kafka's in-memory registry, unchanged, counting the registrations it is asked for."""

    def __init__(self) -> None:
        super().__init__({"url": "mock://counting"})
        self.register_calls: list[str] = []

    def register_schema(self, subject_name: str, schema: Schema, normalize_schemas: bool = False) -> int:
        self.register_calls.append(subject_name)
        return int(super().register_schema(subject_name, schema, normalize_schemas))


def test_schemas_are_registered_once_per_subject(retail_day: dict[str, pa.Table]) -> None:
    registry = CountingRegistry()
    framing = ConfluentFraming(registry)
    receipts, pings = retail_schema("receipts"), retail_schema("ble_pings")

    for _ in range(3):
        framing.frame(encode_table(retail_day["receipts"], receipts), "retail.receipts")
        framing.encode(retail_day["ble_pings"], pings, "retail.ble_pings")
        framing.header(receipts, "retail.receipts")

    assert sorted(registry.get_subjects()) == ["retail.ble_pings-value", "retail.receipts-value"]
    assert registry.get_versions("retail.receipts-value") == [1]
    assert registry.register_calls == ["retail.receipts-value", "retail.ble_pings-value"]


def test_cached_ids_survive_the_subject_disappearing(retail_day: dict[str, pa.Table]) -> None:
    """After the first batch the framing never asks again: deleting the subject goes unnoticed."""
    framing = ConfluentFraming(_mock_url())
    schema = retail_schema("receipts")
    first = framing.frame(encode_table(retail_day["receipts"], schema), "retail.receipts").messages()
    framing.client.delete_subject("retail.receipts-value")

    again = framing.frame(encode_table(retail_day["receipts"], schema), "retail.receipts").messages()

    assert again == first
    assert framing.client.get_subjects() == []


def test_topics_get_their_own_subjects_and_ids() -> None:
    framing = ConfluentFraming(_mock_url())
    schema = retail_schema("receipts")
    a, b = framing.header(schema, "retail.receipts"), framing.header(schema, "audit.receipts")
    assert a[0] == b[0] == 0
    assert sorted(framing.client.get_subjects()) == ["audit.receipts-value", "retail.receipts-value"]
    assert framing.schema_id("retail.receipts-value", schema) == int.from_bytes(a[1:], "big")


def test_lookup_only_fails_clearly_when_the_subject_is_missing() -> None:
    framing = ConfluentFraming(_mock_url(), auto_register=False)
    with pytest.raises(FramingError, match=r"could not look up subject retail\.receipts-value.*register it first"):
        framing.header(retail_schema("receipts"), "retail.receipts")


def test_lookup_only_finds_a_registered_schema() -> None:
    client = SchemaRegistryClient.new_client({"url": _mock_url()})
    schema = retail_schema("receipts")
    schema_id = client.register_schema("retail.receipts-value", Schema(json.dumps(schema), "AVRO"))
    framing = ConfluentFraming(client, auto_register=False)
    assert framing.header(schema, "retail.receipts") == b"\x00" + schema_id.to_bytes(4, "big")


def test_frame_needs_an_avro_batch_with_its_schema() -> None:
    from emitter.avro.json_values import encode_json

    json_batch = encode_json(pa.table({"a": [1]}))
    with pytest.raises(FramingError, match="carries its schema"):
        SingleObjectFraming().frame(json_batch, "t")
