"""Helpers for integration tests; the broker itself (``kafka_bootstrap``) lives in tests/conftest.py."""

from __future__ import annotations

import functools
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from confluent_kafka import OFFSET_BEGINNING, Consumer, TopicPartition


@pytest.fixture
def topic() -> str:
    """A topic name no other test uses (the broker lives for the session)."""
    return f"it-{uuid.uuid4().hex[:12]}"


@dataclass(frozen=True)
class Record:
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None


@pytest.fixture
def read_topic(kafka_bootstrap: str) -> Callable[..., list[Record]]:
    """``read_topic(topic, expected)``: the topic's records, read back from the broker."""
    return functools.partial(_read_topic, kafka_bootstrap)


def _read_topic(bootstrap: str, topic: str, expected: int, timeout: float = 20.0) -> list[Record]:
    """Every record of ``topic`` from the start of each partition, via ``assign()`` (no group join)."""
    consumer = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": f"it-reader-{uuid.uuid4().hex[:8]}",
            "enable.auto.commit": False,
            "auto.offset.reset": "earliest",
        }
    )
    try:
        partitions = consumer.list_topics(topic, timeout=10).topics[topic].partitions
        consumer.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in partitions])
        records: list[Record] = []
        deadline = time.monotonic() + timeout
        while len(records) < expected and time.monotonic() < deadline:
            for message in consumer.consume(num_messages=10_000, timeout=0.2):
                if message.error() is not None:
                    continue
                records.append(Record(message.partition(), message.offset(), message.key(), message.value()))
        # Linger briefly: anything beyond ``expected`` would be a duplicate.
        for message in consumer.consume(num_messages=10_000, timeout=0.3):
            if message.error() is None:
                records.append(Record(message.partition(), message.offset(), message.key(), message.value()))
        return records
    finally:
        consumer.close()
