"""``reconcile``: compare what the topics hold with what the warehouse loaded, per topic and partition.

Counts: every message up to a partition's end must be a warehouse row or a dead letter, and the stored
next offset must equal the end (an empty partition is fully loaded with no table and no stored offset).
Checksums: an order-insensitive hash over the table's declared event-id column of the topic's records
and of the warehouse rows must agree.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from emitter.scenarios.tables import Catalog, TableSpec
from emitter.sink.batch import Decoder
from emitter.sink.destinations import DEAD_LETTERS, OFFSETS, Destination, TableName
from emitter.sink.destinations.interface import quote
from emitter.sink.topic_reader import TopicRecords, read_topics

_PRIME = np.uint64(1_099_511_628_211)  # FNV prime: a 64-bit polynomial string hash, wrapping


def key_hash(keys: pa.Array | pa.ChunkedArray) -> int:
    """Order-insensitive 64-bit checksum of a string column: the wrapping sum of per-string polynomial hashes."""
    arr = keys.combine_chunks() if isinstance(keys, pa.ChunkedArray) else keys
    if len(arr) == 0:
        return 0
    arr = pa.concat_arrays([arr.cast(pa.string())])  # rebased, no slice offset
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int32)[: len(arr) + 1].astype(np.int64)
    data = np.frombuffer(arr.buffers()[2], dtype=np.uint8)[offsets[0] : offsets[-1]].astype(np.uint64)
    lengths = np.diff(offsets)
    position = np.arange(data.size, dtype=np.int64) - np.repeat(offsets[:-1] - offsets[0], lengths)
    with np.errstate(over="ignore"):
        weights = _powers(int(lengths.max(initial=0)))[position]
        terms = (data + np.uint64(1)) * weights
        per_string = np.add.reduceat(terms, (offsets[:-1] - offsets[0])[lengths > 0]) if data.size else terms
        total = per_string.sum(dtype=np.uint64) + np.uint64(int((lengths == 0).sum()))
    return int(total)


def _powers(n: int) -> npt.NDArray[np.uint64]:
    with np.errstate(over="ignore"):
        return np.asarray(np.cumprod(np.full(max(n, 1), _PRIME, dtype=np.uint64)), dtype=np.uint64)


@dataclass
class PartitionCheck:
    topic: str
    partition: int
    topic_messages: int
    rows: int
    dead_letters: int
    stored_next: int | None
    end: int
    topic_checksum: int
    warehouse_checksum: int
    table_exists: bool = True

    @property
    def ok(self) -> bool:
        return (
            self.rows + self.dead_letters == self.topic_messages
            and self.stored_next == self.end
            and self.topic_checksum == self.warehouse_checksum
        )


def topic_keys(
    read: TopicRecords, decode: Decoder, spec: TableSpec
) -> tuple[dict[int, tuple[int, int]], dict[int, int], dict[int, int]]:
    """Per partition: (low, high) offsets, counts and key checksums of the topic's ``spec`` records."""
    bounds = dict(read.bounds)
    decoded, _ = decode([value or b"" for value in read.values])
    partitions = np.asarray(read.partitions, dtype=np.int64)
    counts: dict[int, int] = {}
    checksums: dict[int, int] = {}
    key = _key_column(spec)
    for table, (rows, positions) in decoded.items():
        if table != spec.id:
            continue
        part = partitions[np.asarray(positions, dtype=np.int64)]
        for p in np.unique(part):
            mine = rows.column(key).filter(pa.array(part == p))
            counts[int(p)] = counts.get(int(p), 0) + len(mine)
            checksums[int(p)] = (checksums.get(int(p), 0) + key_hash(mine)) % 2**64
    return bounds, counts, checksums


def reconcile(
    bootstrap: str,
    topics: Sequence[str],
    destination: Destination,
    decode: Decoder,
    catalog: Catalog,
    tables: Collection[TableName] | None = None,
) -> list[PartitionCheck]:
    """One check per (topic, partition) of the given topics (each must carry a table of ``catalog``).

    Args:
        tables: the data tables the warehouse has (None: every topic's table exists); a topic whose
            table is missing has no rows, which is right only while the topic is empty.
    """
    offsets = destination.bookkeeping_rows(OFFSETS, ["topic", "partition", "next_offset"])
    stored = {
        (t, int(p)): int(o)
        for t, p, o in zip(*(offsets.column(c).to_pylist() for c in ("topic", "partition", "next_offset")), strict=True)
    }
    dead = destination.bookkeeping_rows(DEAD_LETTERS, ["topic", "partition"])
    dead_counts = Counter(zip(dead.column("topic").to_pylist(), dead.column("partition").to_pylist(), strict=True))
    out = []
    records = read_topics(bootstrap, topics, timeout=None)
    for topic in topics:
        spec = catalog.for_topic(topic)
        if spec is None:
            raise ValueError(f"{topic} carries no table of scenario {catalog.scenario}")
        key = _key_column(spec)
        bounds, _, topic_sums = topic_keys(records[topic], decode, spec)
        table = TableName(spec.namespace, spec.name)
        where = f"{quote(table.schema)}.{quote(table.name)}"
        table_exists = tables is None or table in tables
        if table_exists:
            rows = destination.query(
                f"SELECT _partition, {quote(key)} FROM {where} WHERE _topic = '{topic}'", table.schema
            )
        else:
            rows = pa.table({"_partition": pa.array([], pa.int32()), key: pa.array([], pa.string())})
        part = np.asarray(rows.column("_partition").to_numpy(zero_copy_only=False), dtype=np.int64)
        for p, (lo, hi) in sorted(bounds.items()):
            mine = rows.column(key).filter(pa.array(part == p))
            out.append(
                PartitionCheck(
                    topic=topic,
                    partition=p,
                    topic_messages=hi - lo,
                    rows=len(mine),
                    dead_letters=dead_counts.get((topic, p), 0),
                    stored_next=stored.get((topic, p), lo if hi == lo else None),  # nothing to load: at the start
                    end=hi,
                    topic_checksum=topic_sums.get(p, 0),
                    warehouse_checksum=key_hash(mine) % 2**64,
                    table_exists=table_exists,
                )
            )
    return out


def _key_column(spec: TableSpec) -> str:
    """The column checksummed: the table's event id (unique per row), else its stream key."""
    key = spec.event_id or spec.key
    if key is None:
        raise ValueError(f"{spec.id} declares neither an event id nor a key: nothing to reconcile on")
    return key
