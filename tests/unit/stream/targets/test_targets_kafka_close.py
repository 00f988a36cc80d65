"""Closing a Kafka target whose broker never answered: what counts as in flight, and when close raises.

A real producer pointed at a closed local port: librdkafka queues its own events (connection-refused
logs, "all brokers down") on the queue that also holds delivery reports, and none of them is an event
of ours.
"""

from __future__ import annotations

import logging
import time

import pytest

from emitter.stream.embedded_broker import free_port
from emitter.stream.targets import DeliveryError, FlushTimeoutError
from emitter.stream.targets.base import TargetStats
from emitter.stream.targets.kafka import KafkaTarget, producer_config


def _unreachable(**properties: object) -> KafkaTarget:
    return KafkaTarget(producer_config(f"127.0.0.1:{free_port()}", properties))


def _client_events_queued(target: KafkaTarget, within_s: float = 10.0) -> int:
    """Wait until librdkafka has queued some of its own events (it reports the refused connection)."""
    deadline = time.monotonic() + within_s
    while len(target._producer) == 0 and time.monotonic() < deadline:
        time.sleep(0.02)
    return len(target._producer)


def test_client_events_are_not_events_in_flight() -> None:
    target = _unreachable()
    assert _client_events_queued(target) > 0, "no client events queued: this test would prove nothing"
    assert target.stats().in_flight == 0
    target.flush(timeout=0)  # nothing accepted, nothing to wait for
    target.close(timeout=0)
    assert target.stats() == TargetStats(accepted=0, delivered=0, failed=0, in_flight=0)


def test_close_without_waiting_drops_and_counts_the_undelivered(caplog: pytest.LogCaptureFixture) -> None:
    target = _unreachable(**{"message.timeout.ms": 60_000})
    target.send("unreachable", [b"a", b"b"], [b"1", b"2"])
    _client_events_queued(target)
    with caplog.at_level(logging.INFO, logger="emitter.stream.targets.kafka"):
        target.close(timeout=0)  # asked not to wait: no FlushTimeoutError
    stats = target.stats()
    # dropped unanswered: never confirmed, not failed (the client never said they were lost)
    assert (stats.accepted, stats.delivered, stats.failed, stats.unconfirmed, stats.in_flight) == (2, 0, 0, 2, 0)
    assert stats.sent == 2
    assert "closed without waiting: 2 events not delivered" in caplog.text
    target.close(timeout=0)  # closing twice is harmless


def test_close_without_waiting_after_a_delivery_error_does_not_raise() -> None:
    target = _unreachable(**{"message.timeout.ms": 200})
    target.send("unreachable", [b"a"], [b"1"])
    with pytest.raises(DeliveryError, match=r"_MSG_TIMED_OUT"):
        target.flush(timeout=10)
    target.close(timeout=0)
    assert target.stats().failed == 1


def test_close_that_waits_still_says_what_was_not_delivered() -> None:
    target = _unreachable(**{"message.timeout.ms": 60_000})
    target.send("unreachable", [b"a", b"b"], [b"1", b"2"])
    with pytest.raises(FlushTimeoutError, match="2 events still in flight"):
        target.close(timeout=0.1)
    assert (target.stats().failed, target.stats().unconfirmed) == (0, 2)
