"""ClientLog: librdkafka's lines become Python log records by severity, each kind once per interval.

The lines fed in are the shapes a real producer logs when its broker is gone (see confluent-kafka's
log callback: ``log(level, "%s [%s] %s", facility, client, text)``); the clock is the test's own.
"""

from __future__ import annotations

import logging

import pytest

from emitter.kafka_client_log import ClientLog

REFUSED = "[thrd:127.0.0.1:9092/bootstrap]: 127.0.0.1:9092/bootstrap: Connect to ipv4#127.0.0.1:9092 failed: "
REFUSED += "Connection refused (after {ms}ms in state CONNECT)"


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


def _records(caplog: pytest.LogCaptureFixture) -> list[tuple[int, str]]:
    return [(r.levelno, r.getMessage()) for r in caplog.records if r.name == "emitter.kafka"]


def test_a_reconnect_storm_is_one_line_per_interval(caplog: pytest.LogCaptureFixture, clock: Clock) -> None:
    log = ClientLog("Kafka producer", interval_s=30, clock=clock)
    with caplog.at_level(logging.DEBUG, logger="emitter.kafka"):
        for second in range(61):  # a refused connection every second, for a minute, from two broker threads
            clock.now = float(second)
            log.log(logging.ERROR, "%s [%s] %s", "FAIL", "rdkafka#producer-1", REFUSED.format(ms=second))
            log.log(logging.ERROR, "%s [%s] %s", "FAIL", "rdkafka#producer-1", REFUSED.replace("bootstrap", "1"))
    lines = _records(caplog)
    assert len(lines) == 3, lines  # at 0 s, 30 s and 60 s
    # librdkafka retries these by itself, and emitter says what an unreachable broker means for the run
    assert all(level == logging.INFO for level, _ in lines)
    assert lines[0][1].startswith("Kafka producer: 127.0.0.1:9092/bootstrap: Connect to ipv4#127.0.0.1:9092 failed")
    assert "[thrd:" not in lines[0][1]
    assert lines[1][1].endswith("(59 more like it since the last one)")  # 2 a second, less the one shown


def test_error_events_and_log_lines_of_one_kind_share_the_interval(
    caplog: pytest.LogCaptureFixture, clock: Clock
) -> None:
    from confluent_kafka import KafkaError

    log = ClientLog("Kafka consumer", clock=clock)
    with caplog.at_level(logging.DEBUG, logger="emitter.kafka"):
        log.log(logging.ERROR, "%s [%s] %s", "FAIL", "rdkafka#consumer-1", REFUSED.format(ms=0))
        log.error(KafkaError(KafkaError._TRANSPORT, REFUSED.format(ms=3)[len("[thrd:127.0.0.1:9092/bootstrap]: ") :]))
        log.error(KafkaError(KafkaError._ALL_BROKERS_DOWN, "1/1 brokers are down"))
        log.log(logging.DEBUG, "%s [%s] %s", "CONNECT", "rdkafka#consumer-1", "[thrd:main]: connecting")
    messages = [message for _, message in _records(caplog)]
    assert messages == [
        "Kafka consumer: " + REFUSED.format(ms=0).split("]: ", 1)[1],
        "Kafka consumer: 1/1 brokers are down",
        "Kafka consumer: connecting",
    ]
    assert [level for level, _ in _records(caplog)] == [logging.INFO, logging.INFO, logging.DEBUG]


def test_other_client_errors_are_warnings(caplog: pytest.LogCaptureFixture, clock: Clock) -> None:
    from confluent_kafka import KafkaError

    log = ClientLog("Kafka producer", clock=clock)
    with caplog.at_level(logging.DEBUG, logger="emitter.kafka"):
        log.log(logging.ERROR, "%s [%s] %s", "TXNERR", "rdkafka#producer-1", "[thrd:main]: transaction failed")
        log.error(KafkaError(KafkaError.TOPIC_AUTHORIZATION_FAILED, "not allowed to write"))
        log.log(logging.CRITICAL, "%s [%s] %s", "FATAL", "rdkafka#producer-1", "[thrd:main]: fenced")
    assert [level for level, _ in _records(caplog)] == [logging.WARNING, logging.WARNING, logging.ERROR]


def test_settings_route_both_callbacks() -> None:
    log = ClientLog("Kafka admin")
    assert log.settings() == {"logger": log, "error_cb": log.error}
