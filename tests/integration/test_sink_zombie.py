"""A zombie sink loop: it read a batch, lost the partition without noticing, and then writes that batch.

Two ``_SinkLoop``s with real consumers on one warehouse: the new owner loads the partition first, so
the zombie's batch must be refused whole, and the zombie must go on from the stored offsets.
"""

from __future__ import annotations

import logging
import time
import uuid
from datetime import date

import pytest
from confluent_kafka import Consumer, Producer, TopicPartition

from emitter.avro.framing import SingleObjectFraming
from emitter.config import Config
from emitter.scenarios import open_scenario
from emitter.scenarios.retail import RetailScenario
from emitter.sink.consumer import SinkSettings, _SinkLoop
from emitter.sink.destinations import Destination, open_destination
from emitter.sink.session import make_decoder
from emitter.sink.topic_reader import read_topic

CATALOG = RetailScenario.catalog()


def _produce(bootstrap: str, topic: str, values: list[bytes]) -> None:
    producer = Producer({"bootstrap.servers": bootstrap})
    for value in values:
        producer.produce(topic, value, key=b"k", partition=0)
    assert producer.flush(30) == 0


def _loop(bootstrap: str, topic: str, destination: Destination) -> _SinkLoop:
    """A sink loop given partition 0 of ``topic``, as a rebalance would give it (seeking to the stored offset)."""
    consumer = Consumer(
        {"bootstrap.servers": bootstrap, "group.id": f"z-{uuid.uuid4().hex[:8]}", "enable.auto.commit": False}
    )
    loop = _SinkLoop(SinkSettings(bootstrap, topic), destination, make_decoder(CATALOG), CATALOG, consumer)
    loop.on_assign(consumer, [TopicPartition(topic, 0)])
    return loop


def _read_into(loop: _SinkLoop, count: int) -> list[int]:
    """Consume until ``count`` messages are pending (as the run loop does between flushes); their offsets."""
    deadline = time.monotonic() + 60
    while len(loop.pending) < count and time.monotonic() < deadline:
        for message in loop.consumer.consume(num_messages=count - len(loop.pending), timeout=0.5):
            if message.error() is None:
                loop.pending.add_message(message)
    assert len(loop.pending) == count, f"read {len(loop.pending)} of {count} messages"
    return list(loop.pending.offsets)


def test_a_zombie_batch_is_refused_and_the_zombie_reads_on_from_the_stored_offset(
    kafka_bootstrap: str, destination_url: str, small_config: Config, caplog: pytest.LogCaptureFixture
) -> None:
    topic = f"z{uuid.uuid4().hex[:8]}.receipts"
    ((_, tables),) = open_scenario(small_config).days([date(2024, 3, 5)], ["receipts"])
    values = SingleObjectFraming().encode(tables["receipts"], CATALOG.avro(CATALOG.get("receipts")), topic).messages()
    assert len(values) > 350
    _produce(kafka_bootstrap, topic, values[:300])

    with open_destination(destination_url) as warehouse, open_destination(destination_url) as other:
        zombie, owner = _loop(kafka_bootstrap, topic, warehouse), _loop(kafka_bootstrap, topic, other)
        try:
            assert _read_into(zombie, 100) == list(range(100))
            # the zombie stalls; the partition's new owner reads and loads everything there is
            _read_into(owner, 300)
            owner.flush()

            with caplog.at_level(logging.WARNING, logger="emitter.sink"):
                zombie.flush()

            assert (zombie.batches, zombie.loaded, zombie.dead, zombie.fenced) == (0, {}, 0, 1)
            assert [r.getMessage() for r in caplog.records if "another consumer" in r.getMessage()], caplog.text
            # once new events arrive, the zombie reads on from the stored offset, not from its stale position
            _produce(kafka_bootstrap, topic, values[300:350])
            assert _read_into(zombie, 50) == list(range(300, 350))
            zombie.flush()
            assert zombie.batches == 1
        finally:
            zombie.consumer.close()
            owner.consumer.close()

        read = read_topic(kafka_bootstrap, topic)
        assert read.complete and len(read) == 350
        got = warehouse.query(
            "SELECT count(*) AS n, count(DISTINCT (_topic, _partition, _offset)) AS d "
            f"FROM retail.receipts WHERE _topic = '{topic}'"
        ).to_pylist()[0]
        assert (got["n"], got["d"]) == (len(read), len(read))
        assert warehouse.stored_offsets([topic]) == {(topic, 0): read.bounds[0][1]}
