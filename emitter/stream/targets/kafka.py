"""Kafka target: a confluent-kafka Producer that never drops an accepted event.

The habits follow quixstreams: ``poll(0)`` after every batch; on a full queue, poll briefly and
retry; latch the first delivery error and raise it on the next ``send`` or ``flush``. A send waiting
for room gives up when asked to (a stop signal, the end of ``--duration``), so a dead broker can't
hold the stream.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from types import TracebackType
from typing import Any, Final

from confluent_kafka import KafkaError, KafkaException, Message, Producer

from emitter.kafka_client_log import ClientLog
from emitter.stream.targets.base import GiveUp, TargetStats
from emitter.stream.targets.errors import DeliveryError, FlushTimeoutError, TargetConfigError
from emitter.stream.targets.kafka_config import (
    COMPRESSION_TYPES,
    DEFAULT_PRODUCER_CONFIG,
    check_compression,
    parse_producer_properties,
    producer_config,
)
from emitter.stream.targets.topics import DEFAULT_SETUP_TIMEOUT_S, ensure_topics

_LOG = logging.getLogger(__name__)

_QUEUE_FULL_POLL_S: Final = 0.05
_FLUSH_STEP_S: Final = 0.5
_LIBRDKAFKA_QUEUE_MAX_MESSAGES: Final = 100_000
_PURGE_REPORTS_S: Final = 5.0  # serving the purged events' reports needs no broker: this is ample
# events dropped at close, unacknowledged: never confirmed (one sent without an answer may have landed)
_PURGED: Final = frozenset({KafkaError._PURGE_QUEUE, KafkaError._PURGE_INFLIGHT})

DeliveryCallback = Callable[[KafkaError | None, Message], None]


class _TopicCount:
    __slots__ = ("accepted", "delivered", "failed", "unconfirmed")

    def __init__(self) -> None:
        self.accepted = 0
        self.delivered = 0  # counted from reports only when every delivery is reported
        self.failed = 0
        self.unconfirmed = 0


class KafkaTarget:
    """Sends keyed byte events to Kafka topics; ``flush`` returns once every accepted event is delivered.

    One thread at a time: the stream loop owns it. An event counts as accepted once librdkafka has
    queued it; from then on it is delivered, or it fails and the error is raised, never dropped quietly.

    Args:
        config: librdkafka producer properties (see ``producer_config``).
        creates_topics: whether ``ensure_topics`` may create missing topics (Event Hubs: no).
        use_produce_batch: force ``produce_batch`` on or off; by default it is used when the
            installed confluent-kafka has it.
        name: how messages refer to this target ("Kafka", "Event Hubs").
    """

    def __init__(
        self,
        config: Mapping[str, Any],
        *,
        creates_topics: bool = True,
        use_produce_batch: bool | None = None,
        name: str = "Kafka",
    ) -> None:
        self._config = dict(config)
        self._name = name
        self._creates_topics = creates_topics
        self._client_log = ClientLog(f"{name} producer")
        try:
            logging_settings = {**self._client_log.settings(), "error_cb": self._on_client_error}
            self._producer = Producer({**self._config, **logging_settings})
        except KafkaException as exc:
            raise TargetConfigError(f"{name} producer config rejected: {_error_text(exc)}") from exc
        has_batch = hasattr(self._producer, "produce_batch")
        self._use_batch = has_batch if use_produce_batch is None else use_produce_batch and has_batch
        self._queue_max = int(self._config.get("queue.buffering.max.messages", _LIBRDKAFKA_QUEUE_MAX_MESSAGES))
        self._counts: dict[str, _TopicCount] = {}
        only_errors = str(self._config.get("delivery.report.only.error", False)).lower() in ("true", "1")
        self._reports_success = not only_errors
        self._callbacks: dict[str, DeliveryCallback] = {}
        self._accepted = 0
        self._failed_after_accept = 0
        self._unconfirmed = 0
        self._rejected = 0
        self._queue_full_waits = 0
        self._first_error: str | None = None
        self._closed = False
        # told (topic, seconds from produce to the report) of each delivery, in the thread that polls; set it
        # before the first send (metrics time deliveries with it)
        self.on_delivered: Callable[[str, float | None], None] | None = None

    @classmethod
    def connect(
        cls,
        bootstrap_servers: str,
        properties: Mapping[str, Any] | None = None,
        *,
        compression: str | None = None,
    ) -> KafkaTarget:
        """A target for a plain Kafka cluster; librdkafka connects in the background."""
        return cls(producer_config(bootstrap_servers, properties, compression=compression))

    @property
    def uses_produce_batch(self) -> bool:
        return self._use_batch

    @property
    def config(self) -> Mapping[str, Any]:
        return dict(self._config)

    def ensure_topics(
        self, names: Sequence[str], partitions: int, replication: int = 1, *, timeout: float = DEFAULT_SETUP_TIMEOUT_S
    ) -> list[str]:
        """Create the topics that don't exist yet (existing ones are left alone); return the names created."""
        return ensure_topics(
            self._config,
            names,
            partitions,
            replication,
            create=self._creates_topics,
            target_name=self._name,
            timeout=timeout,
        )

    def send(self, topic: str, keys: Sequence[bytes], values: Sequence[bytes], give_up: GiveUp | None = None) -> int:
        """Hand events to the producer and return how many it took (accepted or refused).

        Blocks only while the queue is full, never drops an event. Fewer than ``len(values)`` are taken
        only when waiting for room ends early: ``give_up()`` said so, or a delivery failed meanwhile
        (raised on the next call). Raises the first delivery error before taking anything.
        """
        if len(keys) != len(values):
            raise ValueError(f"send: {len(keys)} keys for {len(values)} values")
        self._raise_if_failed()
        self._check_open()
        if not values:
            return 0
        produce = self._produce_batch if self._use_batch else self._produce_each
        taken = produce(topic, keys, values, give_up or _never)
        self._producer.poll(0)
        return taken

    def flush(self, timeout: float | None = None) -> None:
        """Wait until every accepted event is delivered, then raise the first delivery error if any.

        Args:
            timeout: seconds to wait; None waits as long as librdkafka keeps retrying
                (``message.timeout.ms``, 5 minutes by default), after which undelivered
                events fail and the error is raised.
        """
        self._check_open()
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            step = _FLUSH_STEP_S if deadline is None else max(0.0, min(_FLUSH_STEP_S, deadline - time.monotonic()))
            self._producer.flush(step)
            # not flush()'s return value: that also counts queued client events (logs, errors, requests)
            in_flight = self._in_flight()
            if in_flight == 0:
                break
            if deadline is not None and time.monotonic() >= deadline:
                self._raise_if_failed()
                raise FlushTimeoutError(
                    f"{in_flight} events still in flight to {self._name} after {timeout:g}s; "
                    f"is {self._config.get('bootstrap.servers')} reachable? They are kept: flush again or close"
                )
        self._raise_if_failed()

    def close(self, timeout: float | None = 30.0) -> None:
        """Flush, then release the producer; events still undelivered by then are dropped and count as failed.

        Args:
            timeout: seconds to wait for delivery; None waits as long as librdkafka retries. Waiting
                (None or more than 0) raises what ``flush`` raises, so losing events is never quiet.
                0 asks not to wait: whatever is undelivered is dropped, counted in ``stats().failed``
                and logged, and nothing is raised, which suits cleanup after another failure.
        """
        if self._closed:
            return
        waits = timeout is None or timeout > 0
        try:
            if waits:
                self.flush(timeout)
            else:
                self._producer.poll(0)  # serve the reports already there, without waiting for more
        finally:
            self._closed = True
            if len(self._producer):
                self._producer.purge()
                self._serve_purge_reports()
            close = getattr(self._producer, "close", None)
            if close is not None:
                close()
        lost = self._failed_after_accept + self._rejected + self._unconfirmed
        if not waits and lost:
            # the caller asked not to wait, so it reports the loss (the stream session does, with the counts)
            _LOG.info("%s target closed without waiting: %d events not delivered", self._name, lost)

    def stats(self) -> TargetStats:
        """Counts so far; with failure-only reports, per-topic delivered counts are exact once flushed."""
        in_flight = self._in_flight()
        if self._reports_success:
            by_topic = {topic: count.delivered for topic, count in self._counts.items()}
            delivered = sum(by_topic.values())
        else:
            by_topic = {t: c.accepted - c.failed - c.unconfirmed for t, c in self._counts.items()}
            delivered = self._accepted - self._failed_after_accept - self._unconfirmed - in_flight
        return TargetStats(
            accepted=self._accepted,
            delivered=delivered,
            failed=self._failed_after_accept + self._rejected,
            in_flight=in_flight,
            delivered_by_topic=by_topic,
            queue_full_waits=self._queue_full_waits,
            unconfirmed=self._unconfirmed,
            first_error=self._first_error,
        )

    def __enter__(self) -> KafkaTarget:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc is None:
            self.close()
            return
        try:  # don't hide the exception already on its way out
            self.close()
        except Exception as close_exc:
            _LOG.warning("closing %s target after an error: %s", self._name, close_exc)

    # -- producing -------------------------------------------------------------------------

    def _produce_batch(self, topic: str, keys: Sequence[bytes], values: Sequence[bytes], give_up: GiveUp) -> int:
        callback = self._callback_for(topic)
        messages = [{"key": k, "value": v} for k, v in zip(keys, values, strict=True)]
        start = 0
        while start < len(messages):
            # Offer no more than the queue has room for, so a full queue can't reorder a key's events.
            room = self._queue_max - len(self._producer)
            if room <= 0:
                if not self._wait_for_room(give_up):
                    return start
                continue
            chunk = messages[start : start + room]
            start += len(chunk)
            while chunk:
                try:
                    queued = self._producer.produce_batch(topic, chunk, on_delivery=callback)
                except KafkaException as exc:
                    self._reject(topic, exc.args[0], len(messages) - start + len(chunk))
                    return len(messages)
                self._accepted += queued
                self._counts.setdefault(topic, _TopicCount()).accepted += queued
                if queued == len(chunk):
                    break
                chunk = self._retryable(topic, chunk)
                if chunk and not self._wait_for_room(give_up):
                    return start - len(chunk)  # the retryable rest of this chunk was not taken
        return len(messages)

    def _retryable(self, topic: str, chunk: list[dict[str, bytes]]) -> list[dict[str, bytes]]:
        """The messages refused only because the queue was full; the others fail for good."""
        retry: list[dict[str, bytes]] = []
        for message in chunk:
            error: Any = message.pop("_error", None)
            if error is None:
                continue
            if error.code() == KafkaError._QUEUE_FULL:
                retry.append(message)
            else:
                self._reject(topic, error, 1)
        return retry

    def _produce_each(self, topic: str, keys: Sequence[bytes], values: Sequence[bytes], give_up: GiveUp) -> int:
        callback = self._callback_for(topic)
        count = self._counts.setdefault(topic, _TopicCount())
        produce = self._producer.produce
        for taken, (key, value) in enumerate(zip(keys, values, strict=True)):
            while True:
                try:
                    produce(topic, value, key, on_delivery=callback)
                except BufferError:
                    if not self._wait_for_room(give_up):
                        return taken
                    continue
                except KafkaException as exc:
                    self._reject(topic, exc.args[0], 1)
                else:
                    self._accepted += 1
                    count.accepted += 1
                break
        return len(values)

    def _wait_for_room(self, give_up: GiveUp) -> bool:
        """Let the queue drain a little; False when the send should stop instead (asked to, or failing)."""
        self._queue_full_waits += 1
        self._producer.poll(_QUEUE_FULL_POLL_S)
        return self._first_error is None and not give_up()

    def _serve_purge_reports(self) -> None:
        """Poll until every purged event's report is counted, so the final counts are exact."""
        deadline = time.monotonic() + _PURGE_REPORTS_S
        while self._in_flight_unreported() and time.monotonic() < deadline:
            self._producer.flush(0.1)
        if not self._reports_success and len(self._producer):
            # reports never served: with failure-only reports those events would otherwise pass for delivered
            self._unconfirmed += min(
                len(self._producer), self._accepted - self._failed_after_accept - self._unconfirmed
            )

    # -- outcomes --------------------------------------------------------------------------

    def _callback_for(self, topic: str) -> DeliveryCallback:
        callback = self._callbacks.get(topic)
        if callback is None:
            count = self._counts.setdefault(topic, _TopicCount())

            def callback(error: KafkaError | None, message: Message) -> None:
                if error is None:
                    count.delivered += 1
                    if self.on_delivered is not None:
                        self.on_delivered(topic, message.latency())
                elif error.code() in _PURGED:
                    count.unconfirmed += 1
                    self._unconfirmed += 1
                else:
                    count.failed += 1
                    self._failed_after_accept += 1
                    self._latch(topic, error, message.partition())

            self._callbacks[topic] = callback
        return callback

    def _reject(self, topic: str, error: KafkaError, count: int) -> None:
        self._rejected += count
        self._latch(topic, error, None)

    def _latch(self, topic: str, error: KafkaError, partition: int | None) -> None:
        if self._first_error is None:
            where = topic if partition is None or partition < 0 else f"{topic} [partition {partition}]"
            self._first_error = f"{self._name}: event to {where} not delivered: {_error_text(error)}{self._hint(error)}"

    def _on_client_error(self, error: KafkaError) -> None:
        # Transport errors are retried by librdkafka; fatal and authentication errors never recover.
        if error.fatal() or error.code() in (KafkaError._AUTHENTICATION, KafkaError.SASL_AUTHENTICATION_FAILED):
            if self._first_error is None:
                self._first_error = f"{self._name}: producer failed: {_error_text(error)}{self._hint(error)}"
        else:
            self._client_log.error(error)

    def _hint(self, error: KafkaError) -> str:
        code = error.code()
        if code in (KafkaError.MSG_SIZE_TOO_LARGE, KafkaError.INVALID_MSG_SIZE):
            limit = self._config.get("message.max.bytes", 1_000_000)
            return f" (the event is over the size limit, message.max.bytes={limit} on this producer or the topic's)"
        if code == KafkaError._MSG_TIMED_OUT:
            return f" (no acknowledgement within message.timeout.ms; is {self._config.get('bootstrap.servers')} up?)"
        if code in (KafkaError._AUTHENTICATION, KafkaError.SASL_AUTHENTICATION_FAILED):
            return " (check the credentials or connection string)"
        return ""

    def _raise_if_failed(self) -> None:
        if self._first_error is not None:
            raise DeliveryError(self._first_error)

    def _in_flight(self) -> int:
        unsettled = self._accepted - self._failed_after_accept - self._unconfirmed
        if not self._reports_success:
            # len() counts every queued client event (logs, errors, protocol requests), not only ours;
            # those are never more than the accepted events that haven't failed
            return 0 if self._closed else min(len(self._producer), unsettled)
        delivered = sum(count.delivered for count in self._counts.values())
        return unsettled - delivered

    def _in_flight_unreported(self) -> bool:
        """Whether reports may still be queued: with success reports, exactly; otherwise, any queued client event."""
        if self._reports_success:
            return self._accepted - self._failed_after_accept - self._unconfirmed > sum(
                count.delivered for count in self._counts.values()
            )
        return len(self._producer) > 0

    def _check_open(self) -> None:
        if self._closed:
            raise RuntimeError(f"{self._name} target is closed")


def _error_text(error: object) -> str:
    if isinstance(error, KafkaException) and error.args:
        error = error.args[0]
    if isinstance(error, KafkaError):
        return f"{error.str()} ({error.name()})"
    return str(error)


def _never() -> bool:
    return False


__all__ = [
    "COMPRESSION_TYPES",
    "DEFAULT_PRODUCER_CONFIG",
    "KafkaTarget",
    "check_compression",
    "parse_producer_properties",
    "producer_config",
]
