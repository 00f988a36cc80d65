"""``reconcile``: compare what the topics hold with what the warehouse loaded, per topic and partition.

Counts: every message up to a partition's end must be a warehouse row or a dead letter, and the stored
next offset must equal the end. Checksums: an order-insensitive hash over the key column (trace_id) of
the topic's records and of the warehouse rows must agree.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa
from confluent_kafka import OFFSET_BEGINNING, Consumer, TopicPartition

from emitter.sink.batch import Decoder, Polled, expected_table

KEY_COLUMN = "trace_id"
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

    @property
    def ok(self) -> bool:
        return (
            self.rows + self.dead_letters == self.topic_messages
            and self.stored_next == self.end
            and self.topic_checksum == self.warehouse_checksum
        )


def read_topic_keys(
    bootstrap: str, topic: str, decode: Decoder
) -> tuple[dict[int, tuple[int, int]], dict[int, int], dict[int, int]]:
    """Per partition: (low, high) offsets, decoded-record counts and key checksums of the topic's records."""
    consumer = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": f"emitter-reconcile-{uuid.uuid4().hex[:8]}",
            "enable.auto.commit": False,
        }
    )
    try:
        meta = consumer.list_topics(topic, timeout=10).topics[topic]
        bounds = {p: consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=10) for p in meta.partitions}
        consumer.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in bounds])
        polled = Polled()
        ends = {p: hi for p, (lo, hi) in bounds.items()}
        quiet = 0
        # Read until every partition passed its reported end and the broker has nothing more for a moment:
        # some brokers (Tansu) report the end as the start of the last record batch, not after it.
        while quiet < 2 or any(polled_end < ends[p] for p, polled_end in _positions(polled, bounds).items()):
            messages = [m for m in consumer.consume(num_messages=10_000, timeout=0.5) if m.error() is None]
            quiet = 0 if messages else quiet + 1
            for m in messages:
                polled.add_message(m)
            if quiet >= 2 and not messages and all(v >= ends[p] for p, v in _positions(polled, bounds).items()):
                break
            if quiet >= 10:
                break  # the reported end is never reached: report what is there
        for p, last in _positions(polled, bounds).items():
            lo, hi = bounds[p]
            bounds[p] = (lo, max(hi, last))
        decoded, _ = decode(polled.values)
        partitions = np.asarray(polled.partitions, dtype=np.int64)
        counts: dict[int, int] = {}
        checksums: dict[int, int] = {}
        for table, (rows, positions) in decoded.items():
            if table != expected_table(topic):
                continue
            part = partitions[np.asarray(positions, dtype=np.int64)]
            for p in np.unique(part):
                mine = rows.column(KEY_COLUMN).filter(pa.array(part == p))
                counts[int(p)] = counts.get(int(p), 0) + len(mine)
                checksums[int(p)] = (checksums.get(int(p), 0) + key_hash(mine)) % 2**64
        return bounds, counts, checksums
    finally:
        consumer.close()


def _positions(polled: Polled, bounds: dict[int, tuple[int, int]]) -> dict[int, int]:
    """Per partition: one past the last offset read (the start if nothing was read)."""
    out = {p: lo for p, (lo, _) in bounds.items()}
    for partition, offset in zip(polled.partitions, polled.offsets, strict=True):
        out[partition] = max(out[partition], offset + 1)
    return out


def reconcile(
    bootstrap: str,
    topics: Sequence[str],
    query: Callable[[str], pa.Table],
    decode: Decoder,
) -> list[PartitionCheck]:
    """One check per (topic, partition) of the given topics."""
    offsets = query("SELECT topic, partition, next_offset FROM _emitter_offsets")
    stored = {
        (t, int(p)): int(o)
        for t, p, o in zip(*(offsets.column(c).to_pylist() for c in ("topic", "partition", "next_offset")), strict=True)
    }
    dead = query("SELECT topic, partition, count(*) AS n FROM _emitter_dead_letters GROUP BY topic, partition")
    dead_counts = {
        (t, int(p)): int(n)
        for t, p, n in zip(*(dead.column(c).to_pylist() for c in ("topic", "partition", "n")), strict=True)
    }
    out = []
    for topic in topics:
        table = expected_table(topic)
        bounds, _, topic_sums = read_topic_keys(bootstrap, topic, decode)
        rows = query(f"SELECT _partition, {KEY_COLUMN} FROM {table} WHERE _topic = '{topic}'")
        part = np.asarray(rows.column("_partition").to_numpy(zero_copy_only=False), dtype=np.int64)
        for p, (lo, hi) in sorted(bounds.items()):
            mine = rows.column(KEY_COLUMN).filter(pa.array(part == p))
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
                )
            )
    return out
