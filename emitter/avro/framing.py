"""Message framing for Avro bodies: Avro single-object encoding or the Confluent wire format.

A framing puts the same header before every message of a batch, so a whole batch is framed
with numpy at once (or, cheaper still, while encoding: ``Framing.encode``).

- Single-object encoding: ``c3 01`` + the 8-byte CRC-64-AVRO fingerprint of the schema's Parsing
  Canonical Form (little-endian) + body. Needs no registry; consumers keep the schemas.
- Confluent wire format: ``00`` + the 4-byte big-endian schema id from a schema registry + body.
  Subjects follow TopicNameStrategy (``<topic>-value``); a schema is registered once per subject
  and its id cached, so no registry call happens per message or per batch.
"""

from __future__ import annotations

import json
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import TYPE_CHECKING, Any, ClassVar

import pyarrow as pa
from fastavro.schema import fingerprint as _fastavro_fingerprint
from fastavro.schema import to_parsing_canonical_form

from emitter.avro.encode import EncodedBatch, encode_table
from emitter.avro.schemas import AvroSchema
from emitter.errors import EmitterError
from emitter.urls import masked, registry_url

if TYPE_CHECKING:  # the registry client pulls in an HTTP stack: imported only when a registry is used
    from confluent_kafka.schema_registry import SchemaRegistryClient

SINGLE_OBJECT_MAGIC = b"\xc3\x01"
CONFLUENT_MAGIC = b"\x00"
SINGLE_OBJECT_HEADER = len(SINGLE_OBJECT_MAGIC) + 8  # c3 01 + 8-byte fingerprint
CONFLUENT_HEADER = len(CONFLUENT_MAGIC) + 4  # 00 + 4-byte big-endian schema id


class FramingError(EmitterError):
    """A message can't be framed or unframed: unknown schema, bad header, or the registry failed."""


def fingerprint(schema: AvroSchema | str) -> bytes:
    """The schema's CRC-64-AVRO fingerprint, as the 8 bytes single-object encoding puts on the wire.

    fastavro returns the hex of those bytes already in the spec's (little-endian) order.
    """
    return _fingerprint(_schema_key(schema))


@lru_cache(maxsize=256)
def _fingerprint(schema_json: str) -> bytes:
    canonical = to_parsing_canonical_form(json.loads(schema_json))
    return bytes.fromhex(_fastavro_fingerprint(canonical, "CRC-64-AVRO"))


def _schema_key(schema: AvroSchema | str) -> str:
    return json.dumps(schema, sort_keys=True)


def subject_for(topic: str) -> str:
    """TopicNameStrategy: the value schema of ``topic`` lives under ``<topic>-value``."""
    return f"{topic}-value"


class Framing(ABC):
    """Puts a per-(schema, topic) header before every Avro message."""

    name: ClassVar[str]

    @abstractmethod
    def header(self, schema: AvroSchema, topic: str) -> bytes:
        """The bytes every message of ``schema`` sent to ``topic`` starts with."""

    def frame(self, encoded: EncodedBatch, topic: str) -> EncodedBatch:
        """The batch's messages with the header in front, built in one vectorized pass."""
        if encoded.schema is None:
            raise FramingError(f"{self.name} framing needs an Avro-encoded batch that carries its schema")
        return encoded.with_prefix(self.header(encoded.schema, topic))

    def encode(self, table: pa.Table | pa.RecordBatch, schema: AvroSchema, topic: str) -> EncodedBatch:
        """Encode and frame in one pass: the header is just one more constant column."""
        return encode_table(table, schema, prefix=self.header(schema, topic))


class SingleObjectFraming(Framing):
    """Avro single-object encoding: ``c3 01`` + 8-byte fingerprint + body; no registry needed."""

    name = "single-object"

    def __init__(self, schemas: Iterable[AvroSchema] = ()) -> None:
        self._schemas: dict[bytes, AvroSchema] = {}
        for schema in schemas:
            self.header(schema, "")

    def header(self, schema: AvroSchema, topic: str) -> bytes:
        digest = fingerprint(schema)
        self._schemas.setdefault(digest, schema)
        return SINGLE_OBJECT_MAGIC + digest

    @property
    def schemas_by_fingerprint(self) -> dict[bytes, AvroSchema]:
        """Every schema this framing was given or has framed, by fingerprint: what a decoder needs."""
        return dict(self._schemas)


class ConfluentFraming(Framing):
    """Confluent wire format: ``00`` + 4-byte big-endian schema id + body.

    Args:
        registry: a Schema Registry URL (``mock://name`` gives confluent-kafka's in-memory
            registry) or an existing ``SchemaRegistryClient``.
        conf: extra client settings (``basic.auth.user.info``, ...) when ``registry`` is a URL.
        auto_register: register missing schemas; when False, only look them up.
    """

    name = "confluent"

    def __init__(
        self,
        registry: str | SchemaRegistryClient,
        *,
        conf: Mapping[str, Any] | None = None,
        auto_register: bool = True,
    ) -> None:
        if isinstance(registry, str):
            from confluent_kafka.schema_registry import SchemaRegistryClient

            self.url = masked(registry)
            self.client: SchemaRegistryClient = SchemaRegistryClient.new_client(
                {**(conf or {}), "url": registry_url(registry)}
            )
        else:
            self.url = "(client)"
            self.client = registry
        self.auto_register = auto_register
        self._ids: dict[tuple[str, str], int] = {}
        self._lock = threading.Lock()

    def header(self, schema: AvroSchema, topic: str) -> bytes:
        return CONFLUENT_MAGIC + self.schema_id(subject_for(topic), schema).to_bytes(4, "big")

    def schema_id(self, subject: str, schema: AvroSchema) -> int:
        """The registry's id of ``schema`` under ``subject``: asked once, then cached."""
        key = (subject, _schema_key(schema))
        cached = self._ids.get(key)
        if cached is not None:
            return cached
        with self._lock:
            if key not in self._ids:
                self._ids[key] = self._ask_registry(subject, schema)
            return self._ids[key]

    def _ask_registry(self, subject: str, schema: AvroSchema) -> int:
        from confluent_kafka.schema_registry import Schema

        registry_schema = Schema(json.dumps(schema), "AVRO")
        try:
            if self.auto_register:
                return int(self.client.register_schema(subject, registry_schema))
            found = self.client.lookup_schema(subject, registry_schema).schema_id
            if found is None:
                raise ValueError("the registry returned no id")
            return int(found)
        except Exception as exc:  # the client raises SchemaRegistryError, httpx and OS errors
            action = "register" if self.auto_register else "look up"
            raise FramingError(
                f"schema registry {self.url}: could not {action} subject {subject}: {exc}"
                + ("" if self.auto_register else " (register it first, or allow auto-registration)")
            ) from exc
