"""Read whole topics back from the broker (``emitter.sink.topic_reader``), insisting that nothing is missing."""

from __future__ import annotations

from emitter.sink.topic_reader import TopicRecord, read_topic


def read_all(bootstrap: str, topic: str, timeout: float = 30.0) -> list[TopicRecord]:
    """Every record of ``topic`` in partition-offset order; each unpacks as (partition, offset, key, value)."""
    read = read_topic(bootstrap, topic, timeout)
    assert read.complete, f"{topic}: gave up short of the reported ends; read {len(read)} records, bounds {read.bounds}"
    return read.records()
