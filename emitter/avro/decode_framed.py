"""Split framed Kafka values by writer schema, then decode each schema's bodies in one vectorized pass.

The sink's entry point: ``decode_messages(values, resolver)``. Values are copied once into one padded
buffer; the framing headers (single-object ``c3 01`` + fingerprint, or Confluent ``00`` + schema id)
are read for all messages at once, each distinct fingerprint or id is resolved once, and every
schema's bodies are handed to ``decode_bodies`` as views into that same buffer.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

from emitter.avro.decode import DecodedBatch, MessageBodies, decode_bodies
from emitter.avro.framing import CONFLUENT_HEADER, SINGLE_OBJECT_HEADER, FramingError, fingerprint
from emitter.avro.schemas import AvroSchema, record_full_name
from emitter.avro.unpack import I64, Cursor
from emitter.errors import EmitterError, SchemaError, first_line
from emitter.urls import registry_url

if TYPE_CHECKING:
    from confluent_kafka.schema_registry import SchemaRegistryClient

_PEELED_KEYS = 16
# Past this many unknown schema ids in one batch, the rest are not looked up (each costs a registry
# request): such a batch is garbage that happens to start with a zero byte.
_MAX_UNKNOWN_IDS = 16
# The registry client retries refused connections, timeouts and 408/429/5xx answers with exponential
# backoff (jittered): at most 0.5 + 1 + 2 + 4 s of waiting before a lookup gives up.
_REGISTRY_RETRIES = {"max.retries": 4, "retries.wait.ms": 500, "retries.max.wait.ms": 4_000}
_NOT_FOUND = 404


class RegistryUnavailableError(EmitterError):
    """The schema registry could not be asked (unreachable, or no registry's answer): a transient fault.

    Not a reason to dead-letter: the messages are valid as far as anyone knows, so the batch must not commit.
    """


class SchemaResolver:
    """Writer schemas by single-object fingerprint (given up front) or Confluent id (asked once, cached).

    Args:
        schemas: the schemas single-object messages may carry (typically every table of a scenario).
        registry: for Confluent-framed messages: a ``SchemaRegistryClient`` or its URL (``mock://...``).
        conf: extra client settings when ``registry`` is a URL (they win over the retry defaults).
    """

    def __init__(
        self,
        schemas: Iterable[AvroSchema] = (),
        registry: str | SchemaRegistryClient | None = None,
        conf: Mapping[str, Any] | None = None,
    ) -> None:
        self._by_fingerprint = {fingerprint(schema): schema for schema in schemas}
        if isinstance(registry, str):
            from confluent_kafka.schema_registry import SchemaRegistryClient

            registry = SchemaRegistryClient.new_client(
                {**_REGISTRY_RETRIES, **(conf or {}), "url": registry_url(registry)}
            )
        self.registry = registry
        self._by_id: dict[int, AvroSchema] = {}
        self._lock = threading.Lock()

    def by_fingerprint(self, digest: bytes) -> AvroSchema:
        try:
            return self._by_fingerprint[digest]
        except KeyError:
            raise FramingError(f"single-object message with unknown schema fingerprint {digest.hex()}") from None

    def by_id(self, schema_id: int) -> AvroSchema:
        """The registry's schema ``schema_id``; successes are cached, failures asked again next batch.

        Raises:
            FramingError: the registry answered that there is no such schema (or not an Avro one).
            RegistryUnavailableError: the registry could not be reached, or did not answer like one.
        """
        cached = self._by_id.get(schema_id)
        if cached is not None:
            return cached
        if self.registry is None:
            raise FramingError(f"Confluent-framed message (schema id {schema_id}) but no schema registry to ask")
        with self._lock:
            if schema_id not in self._by_id:
                self._by_id[schema_id] = self._ask(self.registry, schema_id)
            return self._by_id[schema_id]

    @staticmethod
    def _ask(registry: SchemaRegistryClient, schema_id: int) -> AvroSchema:
        from confluent_kafka.schema_registry.error import SchemaRegistryError

        try:
            registered = registry.get_schema(schema_id)
        except SchemaRegistryError as exc:
            code = exc.error_code if isinstance(exc.error_code, int) else -1
            if exc.http_status_code == _NOT_FOUND and code // 100 == _NOT_FOUND:  # a registry's 40403, say
                raise FramingError(f"schema registry: no schema with id {schema_id}: {exc}") from exc
            raise _unavailable(schema_id, exc) from exc
        except Exception as exc:  # httpx and OS errors, after the client's own retries
            raise _unavailable(schema_id, exc) from exc
        if (registered.schema_type or "AVRO") != "AVRO":
            raise FramingError(f"schema id {schema_id} is a {registered.schema_type} schema, not Avro")
        try:
            schema = json.loads(registered.schema_str or "")
        except json.JSONDecodeError as exc:
            raise FramingError(f"schema id {schema_id}: the registry returned invalid JSON ({exc.msg})") from exc
        if not isinstance(schema, dict):
            raise FramingError(f"schema id {schema_id} is not an Avro record schema")
        try:
            fingerprint(schema)  # what grouping needs; refuses what is not Avro at all
        except Exception as exc:  # fastavro raises SchemaParseException, KeyError, ...
            raise FramingError(f"schema id {schema_id} is not a valid Avro schema: {exc!r}") from exc
        return schema


def _unavailable(schema_id: int, exc: Exception) -> RegistryUnavailableError:
    return RegistryUnavailableError(
        f"schema registry: can't look up schema id {schema_id} ({first_line(exc)}); check the --schema-registry URL "
        "and that the registry is up, then run again: nothing of this batch was committed"
    )


@dataclass(frozen=True, eq=False)
class FramedGroup:
    """The messages of one writer schema: their input positions and their bodies (headers stripped)."""

    schema: AvroSchema
    fingerprint: bytes  # of the writer schema: groups merge single-object and Confluent messages alike
    positions: I64
    bodies: MessageBodies

    @property
    def name(self) -> str:
        """The record's full name (``emitter.retail.receipts``): it names the table the records belong to."""
        return record_full_name(self.schema)


@dataclass(frozen=True, eq=False)
class FramedGroups:
    """The values split by writer schema (in order of first appearance), and those that were not Avro."""

    groups: list[FramedGroup]
    rejected: list[tuple[int, str]] = field(default_factory=list)


def split_frames(values: Sequence[bytes], resolve: SchemaResolver) -> FramedGroups:
    """Recognize each value's framing, resolve its writer schema and group the bodies by schema."""
    everything = MessageBodies.from_bytes(values)
    buffer, starts, ends = everything.buffer, everything.starts, everything.ends
    lengths = ends - starts
    first, second = buffer[starts], buffer[starts + 1]
    single = (lengths >= SINGLE_OBJECT_HEADER) & (first == 0xC3) & (second == 0x01)
    confluent = (lengths >= CONFLUENT_HEADER) & (first == 0x00)
    group_of = np.full(len(values), -1, np.int64)
    reasons: dict[int, str] = {}
    schemas: dict[bytes, int] = {}  # writer fingerprint -> group number
    found: list[AvroSchema] = []
    cursor = Cursor(buffer)

    def assign(rows: I64, keys: np.ndarray, resolve_key: Any, limit: int | None = None) -> None:
        failures = 0
        for key, members in _by_key(rows, keys):
            try:
                if limit is not None and failures >= limit:
                    raise FramingError(f"schema id {key} not looked up: over {limit} unknown ids in this batch")
                schema = resolve_key(key)
            except FramingError as exc:
                failures += 1
                reasons.update(dict.fromkeys(members.tolist(), str(exc)))
                continue
            digest = fingerprint(schema)
            if digest not in schemas:
                schemas[digest] = len(found)
                found.append(schema)
            group_of[members] = schemas[digest]

    single_rows = np.flatnonzero(single)
    if len(single_rows):
        digests = cursor.u64(starts[single_rows] + 2)
        assign(single_rows, digests, lambda key: resolve.by_fingerprint(int(key).to_bytes(8, "little")))
    confluent_rows = np.flatnonzero(confluent)
    if len(confluent_rows):
        ids = cursor.u32(starts[confluent_rows] + 1).byteswap()
        assign(confluent_rows, ids, lambda key: resolve.by_id(int(key)), _MAX_UNKNOWN_IDS)

    header = np.where(single, SINGLE_OBJECT_HEADER, CONFLUENT_HEADER)
    order = np.argsort(group_of, kind="stable")
    bounds = np.searchsorted(group_of[order], np.arange(-1, len(found) + 1))
    groups = []
    for number, schema in enumerate(found):
        positions = order[bounds[number + 1] : bounds[number + 2]]
        bodies = MessageBodies(buffer, starts[positions] + header[positions], ends[positions])
        groups.append(FramedGroup(schema, fingerprint(schema), positions, bodies))
    groups.sort(key=lambda group: int(group.positions[0]))  # in order of first appearance
    unframed = order[: bounds[1]]
    rejected = [(row, reasons.get(row) or _unframed(values[row])) for row in unframed.tolist()]
    return FramedGroups(groups, rejected)


def _by_key(rows: I64, keys: np.ndarray) -> list[tuple[int, I64]]:
    """Rows grouped by key. A batch holds a handful of schemas, so the first keys are peeled off by
    comparison; whatever is left (garbage with many distinct keys) is grouped by sorting."""
    groups: list[tuple[int, I64]] = []
    while len(rows) and len(groups) < _PEELED_KEYS:
        same = keys == keys[0]
        groups.append((int(keys[0]), rows[same]))
        rows, keys = rows[~same], keys[~same]
    if len(rows):
        order = np.argsort(keys, kind="stable")
        cuts = np.flatnonzero(np.diff(keys[order])) + 1
        groups.extend((int(keys[part[0]]), rows[part]) for part in np.split(order, cuts))
    return groups


def _unframed(value: bytes) -> str:
    if not value:
        return "empty value"
    if value[:2] == b"\xc3\x01":
        return f"single-object header cut short: {len(value)} byte(s), {SINGLE_OBJECT_HEADER} needed"
    if value[:1] == b"\x00":
        return f"Confluent header cut short: {len(value)} byte(s), {CONFLUENT_HEADER} needed"
    return f"not Avro: neither single-object nor Confluent framing (starts with {bytes(value[:4]).hex()})"


def decode_messages(
    values: Sequence[bytes], resolve: SchemaResolver
) -> tuple[dict[str, DecodedBatch], list[tuple[int, str]]]:
    """Decode framed values of any schemas: ({record full name: batch}, rejected).

    Each batch's ``index`` and ``rejected`` hold positions in ``values``. The returned list holds
    every rejection (framing and body), sorted by position: the one list to dead-letter. Writer
    versions of one record name are concatenated (new columns become null in older rows); a version
    whose types conflict with the first one seen stays apart, under ``<name>@<its fingerprint hex>``.
    """
    framed = split_frames(values, resolve)  # groups come in order of first appearance: the first names a key
    rejected = list(framed.rejected)
    out: dict[str, DecodedBatch] = {}
    for group in framed.groups:
        try:
            batch = decode_bodies(group.bodies, group.schema)
        except SchemaError as exc:
            reason = f"{group.name}: writer schema {group.fingerprint.hex()} can't be decoded: {exc}"
            rejected.extend((position, reason) for position in group.positions.tolist())
            continue
        mapped = DecodedBatch(
            batch.table,
            group.positions[batch.index],
            [(int(group.positions[row]), reason) for row, reason in batch.rejected],
        )
        rejected.extend(mapped.rejected)
        key = group.name
        if key in out:
            merged = _merge(out[key], mapped)
            if merged is None:
                key = f"{group.name}@{group.fingerprint.hex()}"
            else:
                mapped = merged
        out[key] = mapped
    rejected.sort()
    return out, rejected


def _merge(a: DecodedBatch, b: DecodedBatch) -> DecodedBatch | None:
    """Two writer versions of one record, in input order, if their columns unify."""
    try:
        table = pa.concat_tables([a.table, b.table], promote_options="permissive")
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None
    index = np.concatenate([a.index, b.index])
    order = np.argsort(index, kind="stable")
    return DecodedBatch(table.take(order), index[order], sorted(a.rejected + b.rejected))
