"""Turn one micro-batch of Kafka messages into per-table Arrow rows, dead letters and next offsets."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np
import pyarrow as pa
from confluent_kafka import Message

from emitter.scenarios.tables import Catalog
from emitter.sink.destinations.tables import DEAD_LETTER_SCHEMA, TableName, with_sort_key


@dataclass
class Polled:
    """The messages of one micro-batch, column-wise."""

    topics: list[str] = field(default_factory=list)
    partitions: list[int] = field(default_factory=list)
    offsets: list[int] = field(default_factory=list)
    values: list[bytes] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.values)

    def add_message(self, message: Message) -> None:
        """Append a consumed (error-free) message."""
        topic, partition, offset = message.topic(), message.partition(), message.offset()
        assert topic is not None and partition is not None and offset is not None
        self.add(topic, partition, offset, message.value())

    def add(self, topic: str, partition: int, offset: int, value: bytes | None) -> None:
        self.topics.append(topic)
        self.partitions.append(partition)
        self.offsets.append(offset)
        self.values.append(value or b"")


@dataclass
class Prepared:
    rows: dict[TableName, pa.Table]  # rows with _topic, _partition, _offset appended
    dead_letters: pa.Table | None
    next_offsets: dict[tuple[str, int], int]

    @property
    def loaded(self) -> int:
        return sum(t.num_rows for t in self.rows.values())

    @property
    def dead(self) -> int:
        return 0 if self.dead_letters is None else self.dead_letters.num_rows


# decode(values) -> ({table id: (rows, positions)}, [(position, reason)])
Decoder = Callable[[Sequence[bytes]], tuple[dict[str, tuple[pa.Table, np.ndarray]], list[tuple[int, str]]]]


def _table_of(catalog: Catalog, topic: str) -> str | None:
    spec = catalog.for_topic(topic)
    return None if spec is None else spec.id


def prepare_batch(polled: Polled, decode: Decoder, catalog: Catalog) -> Prepared:
    """Decode, route by schema, divert what can't be loaded to dead letters, and compute next offsets."""
    decoded, rejected = decode(polled.values)
    carried = {topic: _table_of(catalog, topic) for topic in set(polled.topics)}
    topics = np.asarray(polled.topics, dtype=object)
    partitions = np.asarray(polled.partitions, dtype=np.int32)
    offsets = np.asarray(polled.offsets, dtype=np.int64)
    dead: list[tuple[int, str]] = list(rejected)
    rows: dict[TableName, pa.Table] = {}
    for table, (batch, positions) in decoded.items():
        positions = np.asarray(positions, dtype=np.int64)
        wrong = np.array([carried[t] != table for t in topics[positions]], dtype=bool)
        for p in positions[wrong]:
            dead.append(
                (
                    int(p),
                    f"schema mismatch: topic {topics[p]} carries {carried[topics[p]] or 'no table'} "
                    f"of scenario {catalog.scenario}, the message is a {table} record",
                )
            )
        keep = ~wrong
        if not keep.any():
            continue
        good = positions[keep]
        batch = batch.filter(pa.array(keep)) if not keep.all() else batch
        batch = batch.append_column("_topic", pa.array(topics[good].tolist(), type=pa.string()))
        batch = batch.append_column("_partition", pa.array(partitions[good], type=pa.int32()))
        batch = batch.append_column("_offset", pa.array(offsets[good], type=pa.int64()))
        batch = batch.append_column("_source", pa.nulls(batch.num_rows, type=pa.string()))
        spec = catalog.get(table)
        name = TableName(spec.namespace, spec.name)
        batch = with_sort_key(batch, spec.sort_key)
        rows[name] = pa.concat_tables([rows[name], batch]) if name in rows else batch
    dead_letters = None
    if dead:
        dead.sort()
        at = np.array([p for p, _ in dead], dtype=np.int64)
        now = datetime.now(UTC)
        dead_letters = pa.table(
            {
                "topic": pa.array(topics[at].tolist(), type=pa.string()),
                "partition": pa.array(partitions[at], type=pa.int32()),
                "offset": pa.array(offsets[at], type=pa.int64()),
                "reason": pa.array([r for _, r in dead], type=pa.string()),
                "raw": pa.array([polled.values[p] for p in at.tolist()], type=pa.binary()),
                "received_at": pa.array([now] * len(dead), type=pa.timestamp("us", tz="UTC")),
            },
            schema=DEAD_LETTER_SCHEMA,
        )
    next_offsets: dict[tuple[str, int], int] = {}
    for topic, partition, offset in zip(polled.topics, polled.partitions, polled.offsets, strict=True):
        key = (topic, partition)
        if offset + 1 > next_offsets.get(key, -1):
            next_offsets[key] = offset + 1
    return Prepared(rows, dead_letters, next_offsets)
