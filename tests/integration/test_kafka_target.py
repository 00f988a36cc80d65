"""KafkaTarget against a real broker: topics, round trips, partitioning, errors, a full queue."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pytest
from confluent_kafka.admin import AdminClient
from support import ReadTopic

from emitter.stream.embedded_broker import free_port
from emitter.stream.targets import DeliveryError, FlushTimeoutError, TargetOptions, TopicSetupError, open_target
from emitter.stream.targets.kafka import KafkaTarget, producer_config
from emitter.stream.targets.topics import ensure_topics


def _target(bootstrap: str, **properties: Any) -> KafkaTarget:
    return KafkaTarget(producer_config(bootstrap, properties))


def _events(n: int, keys: int = 37) -> tuple[list[bytes], list[bytes]]:
    """Keyed events whose values are unique and name their key and position."""
    key_list = [f"store-{i % keys:03d}".encode() for i in range(n)]
    values = [b"%s|%08d|" % (key_list[i], i) + bytes([i % 251]) * (i % 40) for i in range(n)]
    return key_list, values


def _partition_counts(bootstrap: str, names: list[str]) -> dict[str, int]:
    metadata = AdminClient({"bootstrap.servers": bootstrap}).list_topics(timeout=10)
    return {name: len(metadata.topics[name].partitions) for name in names if name in metadata.topics}


def test_ensure_topics_creates_missing_with_partition_count(kafka_bootstrap: str, topic: str) -> None:
    names = [f"{topic}-a", f"{topic}-b"]
    with _target(kafka_bootstrap) as target:
        assert sorted(target.ensure_topics(names, partitions=3, replication=1)) == names
        assert _partition_counts(kafka_bootstrap, names) == {names[0]: 3, names[1]: 3}
        assert target.ensure_topics(names, partitions=3, replication=1) == []


def test_ensure_topics_leaves_existing_topics_alone(kafka_bootstrap: str, topic: str) -> None:
    with _target(kafka_bootstrap) as target:
        assert target.ensure_topics([topic], partitions=2) == [topic]
        assert target.ensure_topics([topic, f"{topic}-new"], partitions=5) == [f"{topic}-new"]
    assert _partition_counts(kafka_bootstrap, [topic, f"{topic}-new"]) == {topic: 2, f"{topic}-new": 5}


@pytest.mark.parametrize("use_produce_batch", [True, False], ids=["produce_batch", "produce"])
def test_send_flush_round_trip_is_byte_identical(
    kafka_bootstrap: str, topic: str, topic_records: ReadTopic, use_produce_batch: bool
) -> None:
    keys, values = _events(5_000)
    config = producer_config(kafka_bootstrap)
    with KafkaTarget(config, use_produce_batch=use_produce_batch) as target:
        target.ensure_topics([topic], partitions=4)
        for start in range(0, len(values), 1_000):
            target.send(topic, keys[start : start + 1_000], values[start : start + 1_000])
        target.flush(timeout=30)
        stats = target.stats()
    assert (stats.accepted, stats.delivered, stats.failed, stats.in_flight) == (5_000, 5_000, 0, 0)
    assert stats.delivered_by_topic == {topic: 5_000}

    records = topic_records(topic)
    assert sorted((r.key, r.value) for r in records) == sorted(zip(keys, values, strict=True))
    by_key: dict[bytes | None, list[tuple[int, int, bytes | None]]] = defaultdict(list)
    for record in records:
        by_key[record.key].append((record.partition, record.offset, record.value))
    for key, rows in by_key.items():
        assert len({partition for partition, _, _ in rows}) == 1, f"key {key!r} spread over partitions"
        in_log_order = [value for _, _, value in sorted(rows)]
        assert in_log_order == [v for k, v in zip(keys, values, strict=True) if k == key]
    assert len({r.partition for r in records}) > 1  # 37 keys over 4 partitions


def test_open_target_kafka_delivers(kafka_bootstrap: str, topic: str, topic_records: ReadTopic) -> None:
    target = open_target("kafka", TargetOptions(bootstrap_servers=kafka_bootstrap, compression="gzip"))
    try:
        target.ensure_topics([topic], partitions=1)
        target.send(topic, [b"k"], [b"hello"])
        target.flush(10)
    finally:
        target.close()
    assert [(r.key, r.value) for r in topic_records(topic)] == [(b"k", b"hello")]


@pytest.mark.parametrize(
    ("use_produce_batch", "properties"),
    [
        (False, {"queue.buffering.max.messages": 50}),  # produce() raises BufferError
        (True, {"queue.buffering.max.messages": 50}),  # produce_batch offered only what fits
        (True, {"queue.buffering.max.kbytes": 1}),  # produce_batch refuses some with _QUEUE_FULL
    ],
    ids=["produce-BufferError", "batch-max-messages", "batch-max-kbytes"],
)
def test_full_queue_loses_nothing(
    kafka_bootstrap: str, topic: str, topic_records: ReadTopic, use_produce_batch: bool, properties: dict[str, Any]
) -> None:
    keys, values = _events(3_000, keys=5)
    config = producer_config(kafka_bootstrap, {"linger.ms": 1, **properties})
    with KafkaTarget(config, use_produce_batch=use_produce_batch) as target:
        target.ensure_topics([topic], partitions=2)
        target.send(topic, keys[:1_500], values[:1_500])
        target.send(topic, keys[1_500:], values[1_500:])
        target.flush(timeout=30)
        stats = target.stats()
    assert stats.queue_full_waits > 0
    assert (stats.accepted, stats.delivered, stats.failed, stats.in_flight) == (3_000, 3_000, 0, 0)
    records = topic_records(topic)
    assert sorted(r.value for r in records) == sorted(values)
    for key in set(keys):  # a full queue never reorders a key's events
        logged = [r.value for r in sorted(records, key=lambda r: (r.partition, r.offset)) if r.key == key]
        assert logged == [v for k, v in zip(keys, values, strict=True) if k == key]


def test_oversized_event_is_reported_and_the_rest_delivered(kafka_bootstrap: str, topic: str) -> None:
    keys, values = _events(20)
    values[7] = b"x" * 5_000  # over this producer's message.max.bytes
    with _target(kafka_bootstrap, **{"message.max.bytes": 1_000}) as target:
        target.ensure_topics([topic], partitions=1)
        with pytest.raises(DeliveryError, match=r"MSG_SIZE_TOO_LARGE.*message\.max\.bytes=1000"):
            target.send(topic, keys, values)
            target.flush(10)
        with pytest.raises(DeliveryError):  # latched: every later call says so
            target.flush(10)
        with pytest.raises(DeliveryError):
            target.send(topic, [b"k"], [b"v"])
        stats = target.stats()
        assert (stats.accepted, stats.delivered, stats.failed, stats.in_flight) == (19, 19, 1, 0)
        with pytest.raises(DeliveryError):
            target.close(timeout=5)


def test_undeliverable_events_surface_on_flush() -> None:
    nobody = f"127.0.0.1:{free_port()}"  # nothing listens there
    target = _target(nobody, **{"message.timeout.ms": 300})
    target.send("unreachable", [b"a", b"b", b"c"], [b"1", b"2", b"3"])  # accepted: the failure is later
    assert target.stats().accepted == 3
    with pytest.raises(DeliveryError, match=r"_MSG_TIMED_OUT"):
        target.flush(timeout=10)
    stats = target.stats()
    assert (stats.accepted, stats.delivered, stats.failed, stats.in_flight) == (3, 0, 3, 0)
    with pytest.raises(DeliveryError):
        target.send("unreachable", [b"d"], [b"4"])
    with pytest.raises(DeliveryError):
        target.close(timeout=1)


def test_flush_timeout_keeps_events_in_flight() -> None:
    nobody = f"127.0.0.1:{free_port()}"
    target = _target(nobody, **{"message.timeout.ms": 60_000})
    target.send("unreachable", [b"a", b"b"], [b"1", b"2"])
    with pytest.raises(FlushTimeoutError, match="2 events still in flight"):
        target.flush(timeout=0.3)
    assert target.stats().in_flight == 2
    with pytest.raises(FlushTimeoutError):
        target.close(timeout=0.2)
    stats = target.stats()  # closing gave up on them, and says so
    assert (stats.in_flight, stats.failed, stats.unconfirmed, stats.delivered) == (0, 0, 2, 0)


def test_ensure_topics_only_checks_when_it_may_not_create(kafka_bootstrap: str, topic: str) -> None:
    config = producer_config(kafka_bootstrap)
    with pytest.raises(TopicSetupError, match=f"Event Hubs: missing {topic} at .*create them first"):
        ensure_topics(config, [topic], 2, create=False, target_name="Event Hubs")
    assert _partition_counts(kafka_bootstrap, [topic]) == {}
    with KafkaTarget(config) as target:
        target.ensure_topics([topic], 2)
    assert ensure_topics(config, [topic], 2, create=False) == []


def test_ensure_topics_errors_are_clear() -> None:
    target = _target(f"127.0.0.1:{free_port()}")
    with pytest.raises(TopicSetupError, match=r"could not list topics at 127\.0\.0\.1"):
        target.ensure_topics(["t"], 1, timeout=0.5)
    with pytest.raises(TopicSetupError, match="at least 1"):
        target.ensure_topics(["t"], 0)
    # the refused connections left client events queued; they are not events of ours, so closing
    # without waiting has nothing to report (see tests/unit/stream/targets/test_targets_kafka_close.py)
    assert target.stats().in_flight == 0
    target.close(timeout=0)
