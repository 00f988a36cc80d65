"""Read whole topics from the start: every record of every partition, with each partition's offset bounds.

The consumer is assigned the partitions (no group join, nothing committed). Some brokers (Tansu)
report a partition's end offset as the start of its last record batch rather than one past it, so
reaching the reported end is not enough: reading goes on until every partition has passed its
reported end and a poll comes back empty, and a partition's high bound is the larger of the reported
end and one past the last offset read.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Final, NamedTuple

from confluent_kafka import OFFSET_BEGINNING, Consumer, TopicPartition

from emitter.kafka_client_log import ClientLog

_BATCH: Final = 10_000  # messages per consume() call
_POLL_S: Final = 0.1  # consume() waits this long for a full batch while records are still due
_SETTLE_S: Final = 0.5  # past every reported end: an empty poll this long means nothing more is coming
_IDLE_S: Final = 5.0  # short of a reported end, give up after this long without a record
_METADATA_TIMEOUT_S: Final = 10.0


Where = tuple[str, int]  # (topic, partition)


class TopicRecord(NamedTuple):
    """One record; unpacks as ``(partition, offset, key, value)``."""

    partition: int
    offset: int
    key: bytes | None
    value: bytes | None


@dataclass(frozen=True)
class TopicRecords:
    """A topic's records column-wise, in (partition, offset) order, and each partition's (low, high) offsets.

    ``high`` is one past the last offset, never below the broker's reported end. ``complete`` says
    whether every partition was read up to its reported end (else the read timed out or went idle).
    """

    topic: str
    partitions: list[int]
    offsets: list[int]
    keys: list[bytes | None]
    values: list[bytes | None]
    bounds: dict[int, tuple[int, int]]
    complete: bool

    def __len__(self) -> int:
        return len(self.offsets)

    def __iter__(self) -> Iterator[TopicRecord]:
        return map(TopicRecord, self.partitions, self.offsets, self.keys, self.values)

    def records(self) -> list[TopicRecord]:
        return list(self)


def read_topic(bootstrap: str, topic: str, timeout: float | None = 30.0) -> TopicRecords:
    """Every record of ``topic``, read from the start of each partition (see ``read_topics``)."""
    return read_topics(bootstrap, [topic], timeout)[topic]


def read_topics(bootstrap: str, topics: Sequence[str], timeout: float | None = 30.0) -> dict[str, TopicRecords]:
    """Every record of each topic, read from the start of each partition, with one consumer for all.

    Args:
        bootstrap: the brokers, ``host:port[,host:port]``.
        topics: the topics; one that doesn't exist has no partitions and no records.
        timeout: give up after this many seconds in all (None: no limit). Either way reading stops
            when a partition short of its reported end gets nothing for 5 s; ``complete`` is then False.
    """
    consumer = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": f"emitter-topic-reader-{uuid.uuid4().hex[:8]}",  # required, but never joined
            "enable.auto.commit": False,
            **ClientLog("Kafka topic reader").settings(),
        }
    )
    try:
        reported: dict[Where, tuple[int, int]] = {}
        for topic in dict.fromkeys(topics):
            meta = consumer.list_topics(topic, timeout=_METADATA_TIMEOUT_S).topics[topic]
            for p in sorted(meta.partitions):
                bounds = consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=_METADATA_TIMEOUT_S)
                reported[(topic, p)] = bounds
        consumer.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for topic, p in reported])
        columns: dict[Where, tuple[list[int], list[bytes | None], list[bytes | None]]] = {
            where: ([], [], []) for where in reported
        }
        position = {where: low for where, (low, _) in reported.items()}  # one past the last offset read
        complete = _read(consumer, reported, columns, position, timeout)
        out = {}
        for topic in dict.fromkeys(topics):
            mine = [where for where in reported if where[0] == topic]
            out[topic] = TopicRecords(
                topic=topic,
                partitions=[where[1] for where in mine for _ in columns[where][0]],
                offsets=[o for where in mine for o in columns[where][0]],
                keys=[k for where in mine for k in columns[where][1]],
                values=[v for where in mine for v in columns[where][2]],
                bounds={where[1]: (reported[where][0], max(reported[where][1], position[where])) for where in mine},
                complete=complete,
            )
        return out
    finally:
        consumer.close()


def _read(
    consumer: Consumer,
    reported: dict[Where, tuple[int, int]],
    columns: dict[Where, tuple[list[int], list[bytes | None], list[bytes | None]]],
    position: dict[Where, int],
    timeout: float | None,
) -> bool:
    """Consume into ``columns`` until past every reported end and quiet; return whether the ends were reached."""
    deadline = None if timeout is None else time.monotonic() + timeout
    last_record = time.monotonic()
    while True:
        past_ends = all(position[w] >= high for w, (_, high) in reported.items())
        wait = _SETTLE_S if past_ends else _POLL_S
        if deadline is not None:
            wait = max(0.0, min(wait, deadline - time.monotonic()))
        got = 0
        for message in consumer.consume(num_messages=_BATCH, timeout=wait):
            topic, partition, offset = message.topic(), message.partition(), message.offset()
            if message.error() is not None or topic is None or partition is None or offset is None:
                continue  # e.g. a transient fetch error; librdkafka retries
            offsets, keys, values = columns[(topic, partition)]
            offsets.append(offset)
            keys.append(message.key())
            values.append(message.value())
            position[(topic, partition)] = offset + 1
            got += 1
        now = time.monotonic()
        if got:
            last_record = now
        elif past_ends or now - last_record >= _IDLE_S:
            return past_ends
        if deadline is not None and now >= deadline:
            return all(position[w] >= high for w, (_, high) in reported.items())


__all__ = ["TopicRecord", "TopicRecords", "read_topic", "read_topics"]
