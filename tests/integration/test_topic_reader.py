"""read_topic against the real broker: every record of every partition, in order, with true offset bounds."""

from __future__ import annotations

from confluent_kafka import Consumer, Producer, TopicPartition

from emitter.sink.topic_reader import TopicRecord, read_topic
from emitter.stream.targets.kafka import producer_config
from emitter.stream.targets.topics import ensure_topics


def _create(bootstrap: str, topic: str, partitions: int) -> None:
    assert ensure_topics(producer_config(bootstrap), [topic], partitions) == [topic]


def _reported_ends(bootstrap: str, topic: str, partitions: int) -> dict[int, int]:
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "ends", "enable.auto.commit": False})
    try:
        return {p: consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=10)[1] for p in range(partitions)}
    finally:
        consumer.close()


def test_reads_every_record_of_every_partition_in_offset_order(kafka_bootstrap: str, topic: str) -> None:
    _create(kafka_bootstrap, topic, 3)
    producer = Producer({"bootstrap.servers": kafka_bootstrap, "linger.ms": 5})
    sent: dict[int, list[tuple[bytes, bytes]]] = {0: [], 1: [], 2: []}
    # several flushes, so each partition holds several record batches; the last batch of each has many
    # records, which is where a broker that reports the end as the last batch's start falls short
    for round_, size in enumerate((7, 1, 250)):
        for i in range(size):
            partition = i % 3
            key, value = f"k{i % 11}".encode(), f"round {round_} event {i}".encode()
            producer.produce(topic, value, key, partition=partition)
            sent[partition].append((key, value))
        assert producer.flush(30) == 0

    read = read_topic(kafka_bootstrap, topic)

    assert read.complete and read.topic == topic
    assert len(read) == sum(map(len, sent.values())) == 258
    records = read.records()
    assert [(r.partition, r.offset) for r in records] == [(p, o) for p in range(3) for o in range(len(sent[p]))]
    for p in range(3):
        assert [(r.key, r.value) for r in records if r.partition == p] == sent[p]
    assert read.bounds == {p: (0, len(sent[p])) for p in range(3)}
    # never below what the broker reports, whatever it reports
    ends = _reported_ends(kafka_bootstrap, topic, 3)
    assert all(read.bounds[p][1] >= ends[p] for p in range(3))
    # column-wise and record-wise views agree, and a record unpacks as (partition, offset, key, value)
    assert records == [
        TopicRecord(*row) for row in zip(read.partitions, read.offsets, read.keys, read.values, strict=True)
    ]
    partition, offset, key, value = records[-1]
    assert (partition, offset, key, value) == (2, len(sent[2]) - 1, *sent[2][-1])


def test_null_keys_and_values_stay_null(kafka_bootstrap: str, topic: str) -> None:
    _create(kafka_bootstrap, topic, 1)
    producer = Producer({"bootstrap.servers": kafka_bootstrap})
    producer.produce(topic, None, b"tombstone")
    producer.produce(topic, b"keyless", None)
    producer.produce(topic, b"", b"")
    assert producer.flush(30) == 0

    read = read_topic(kafka_bootstrap, topic)

    assert read.complete
    assert [(r.key, r.value) for r in read] == [(b"tombstone", None), (None, b"keyless"), (b"", b"")]
    assert read.bounds == {0: (0, 3)}


def test_an_empty_topic_has_bounds_and_no_records(kafka_bootstrap: str, topic: str) -> None:
    _create(kafka_bootstrap, topic, 2)

    read = read_topic(kafka_bootstrap, topic, timeout=10)

    assert read.complete
    assert len(read) == 0 and read.records() == []
    assert read.bounds == {0: (0, 0), 1: (0, 0)}
