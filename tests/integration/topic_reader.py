"""Read whole topics back from the broker: every partition from the start up to its high watermark."""

from __future__ import annotations

import time
import uuid

from confluent_kafka import OFFSET_BEGINNING, Consumer, TopicPartition


def read_all(bootstrap: str, topic: str, timeout: float = 30.0) -> list[tuple[int, int, bytes | None, bytes]]:
    """(partition, offset, key, value) of every record, in partition-offset order."""
    consumer = Consumer(
        {"bootstrap.servers": bootstrap, "group.id": f"reader-{uuid.uuid4().hex[:8]}", "enable.auto.commit": False}
    )
    try:
        meta = consumer.list_topics(topic, timeout=10).topics[topic]
        highs = {p: consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=10)[1] for p in meta.partitions}
        consumer.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in meta.partitions])
        seen = {p: 0 for p in highs}
        out: list[tuple[int, int, bytes | None, bytes]] = []
        deadline = time.monotonic() + timeout
        # Some brokers (Tansu) report the end as the start of the last record batch, so after reaching the
        # reported end keep reading until a poll comes back empty.
        quiet = False
        while (not quiet or any(seen[p] < highs[p] for p in highs)) and time.monotonic() < deadline:
            batch = [m for m in consumer.consume(num_messages=10_000, timeout=0.3) if m.error() is None]
            quiet = not batch
            for m in batch:
                out.append((m.partition(), m.offset(), m.key(), m.value()))
                seen[m.partition()] = m.offset() + 1
        assert all(seen[p] >= highs[p] for p in highs), f"{topic}: read {seen}, expected up to {highs}"
        return sorted(out, key=lambda r: (r[0], r[1]))
    finally:
        consumer.close()
