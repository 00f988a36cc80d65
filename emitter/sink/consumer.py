"""The sink loop: consume topics in micro-batches and load them into a warehouse exactly once.

Offsets live in the warehouse, next to the rows: each micro-batch's rows, dead letters and the next
offset per (topic, partition) commit in one transaction, and on assignment the consumer seeks to
what the warehouse holds. A crash at any point (kill -9 included) loses or duplicates nothing: the
uncommitted batch is simply read again. Kafka's own group offsets are committed afterwards, only so
that lag shows up in the usual tools.

The stored offsets also fence: a batch commits only if each partition's stored next offset is still
where this consumer began reading it. A second sink in another group, or a zombie that lost its
partitions without noticing, finds it moved; its batch is dropped and it reads on from the stored offsets.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, KafkaException, TopicPartition

from emitter.errors import EmitterError
from emitter.ops.sink_metrics import SinkMetrics
from emitter.scenarios.tables import Catalog
from emitter.sink.batch import Decoder, Polled, prepare_batch
from emitter.sink.broker_watch import BrokerWatch, SinkError, subscription
from emitter.sink.dedupe import drop_duplicates
from emitter.sink.destinations import Destination, StaleOffsetsError, TableName
from emitter.throttled_log import ThrottledLog

_LOG = logging.getLogger("emitter.sink")
SEEK_ATTEMPTS, SEEK_RETRY_S = 20, 0.1
FENCED_NOTICE_EVERY_S = 10.0  # two sinks racing refuse each other's batches often: one line per interval


@dataclass(frozen=True)
class SinkSettings:
    bootstrap_servers: str
    topics: str  # comma-separated names; * matches within a name
    group: str = "emitter-sink"
    batch_size: int = 50_000
    max_latency_ms: int = 1_000
    session_timeout_ms: int = 6_000  # short: a group join takes about half of it
    consumer_properties: Mapping[str, Any] = field(default_factory=dict)
    idle_exit_s: float | None = None  # stop once caught up and nothing arrived for this long
    max_events: int | None = None
    dedupe: bool = False  # skip events whose event id is already loaded (see dedupe)


@dataclass
class SinkStatus:
    elapsed_s: float
    loaded: int
    dead: int
    lag: dict[tuple[str, int], int]  # messages behind the end of each assigned partition


@dataclass
class SinkSummary:
    elapsed_s: float
    loaded_by_table: dict[str, int]
    dead: int
    batches: int
    stopped_by: str
    loading_s: float = 0.0  # from the first message received to the last batch committed
    fenced: int = 0  # batches not written: another consumer had loaded past where they were read
    duplicates: int = 0  # events skipped by --dedupe: their event id was already loaded

    @property
    def loaded(self) -> int:
        return sum(self.loaded_by_table.values())

    @property
    def rate(self) -> float:
        """Events loaded per second while there was something to load (excludes the group join and idling)."""
        return (self.loaded + self.dead) / self.loading_s if self.loading_s > 0 else 0.0


def _broker_watch(settings: SinkSettings) -> BrokerWatch:
    """The watch for a sink starting now: it gives up after ``--until-idle``, or warns and retries."""
    return BrokerWatch(settings.bootstrap_servers, settings.topics, time.monotonic(), settings.idle_exit_s)


def run_sink(
    settings: SinkSettings,
    destination: Destination,
    decode: Decoder,
    catalog: Catalog,
    stop: threading.Event | None = None,
    on_status: Callable[[SinkStatus], None] | None = None,
    status_every_s: float = 1.0,
    *,
    metrics: SinkMetrics | None = None,
) -> SinkSummary:
    """Consume and load until ``stop``, idle or max events; ``metrics`` records each batch for /metrics."""
    stop = stop or threading.Event()
    watch = _broker_watch(settings)
    consumer = Consumer(
        {
            "bootstrap.servers": settings.bootstrap_servers,
            "group.id": settings.group,
            "enable.auto.commit": False,
            "enable.auto.offset.store": False,
            "auto.offset.reset": "earliest",
            "session.timeout.ms": settings.session_timeout_ms,
            "heartbeat.interval.ms": max(500, settings.session_timeout_ms // 6),
            "isolation.level": "read_committed",
            "topic.metadata.refresh.interval.ms": 5_000,  # pick up new topics matching a pattern soon
            "statistics.interval.ms": 1_000,  # keeps the cached end offsets (for lag) fresh
            **watch.settings(),
            **settings.consumer_properties,
        }
    )
    loop = _SinkLoop(settings, destination, decode, catalog, consumer, watch, metrics)
    consumer.subscribe(subscription(settings.topics), on_assign=loop.on_assign, on_revoke=loop.on_revoke)
    try:
        summary = loop.run(stop, on_status, status_every_s)
    except EmitterError as exc:  # what was committed before the error stays committed: say how much
        raise SinkStopped(str(exc), loop.summary(loop.started, "error")) from exc
    finally:
        if metrics is not None:
            metrics.phase = "failed" if sys.exc_info()[0] is not None else "finished"
        consumer.close()
    return summary


class SinkStopped(EmitterError):
    """The sink stopped on an error (the message is the error's), after committing ``summary``."""

    def __init__(self, message: str, summary: SinkSummary) -> None:
        super().__init__(message)
        self.summary = summary


class _SinkLoop:
    def __init__(
        self,
        settings: SinkSettings,
        destination: Destination,
        decode: Decoder,
        catalog: Catalog,
        consumer: Consumer,
        watch: BrokerWatch | None = None,
        metrics: SinkMetrics | None = None,
    ) -> None:
        self.settings = settings
        self.watch = watch or _broker_watch(settings)
        self.destination = destination
        self.decode = decode
        self.catalog = catalog
        self.consumer = consumer
        self.pending = Polled()
        self.loaded: dict[str, int] = {}
        self.dead = 0
        self.batches = 0
        self.schemas: dict[TableName, pa.Schema] = {}
        self.positions: dict[tuple[str, int], int] = {}
        # where the next batch of each assigned partition begins: the stored offset sought to, or the end
        # of the batch committed last; absent while the warehouse holds no offset for the partition
        self.read_from: dict[tuple[str, int], int] = {}
        self.first_message: float | None = None
        self.last_commit: float | None = None
        self.highs: dict[tuple[str, int], int] = {}
        self.started = time.monotonic()  # reset when run() starts
        self.fenced = 0  # batches refused because another consumer loaded past where they were read
        self.duplicates = 0
        self._fenced_log = ThrottledLog(_LOG, FENCED_NOTICE_EVERY_S)
        self.metrics = metrics
        self.batch_started = self.started  # when the pending batch's first message arrived

    # --- partition assignment ----------------------------------------------------------------
    def on_assign(self, consumer: Consumer, partitions: list[TopicPartition]) -> None:
        """Seek every assigned partition to the next offset the warehouse holds."""
        stored = self.destination.stored_offsets(sorted({p.topic for p in partitions}))
        for p in partitions:
            p.offset = self._track(p.topic, p.partition, stored.get((p.topic, p.partition)))
        consumer.assign(partitions)

    def _track(self, topic: str, partition: int, stored: int | None) -> int:
        """Remember where reading ``(topic, partition)`` begins; returns the offset to seek to."""
        where = (topic, partition)
        self.positions[where] = stored or 0
        if stored is None:
            self.read_from.pop(where, None)
            return OFFSET_BEGINNING
        self.read_from[where] = stored
        return stored

    def on_revoke(self, consumer: Consumer, partitions: list[TopicPartition]) -> None:
        """Load what was read before giving partitions away, so the next owner starts after it."""
        self.flush()
        for p in partitions:
            self.positions.pop((p.topic, p.partition), None)
            self.read_from.pop((p.topic, p.partition), None)

    # --- the loop --------------------------------------------------------------------------------
    def run(
        self, stop: threading.Event, on_status: Callable[[SinkStatus], None] | None, status_every_s: float
    ) -> SinkSummary:
        started = self.started = time.monotonic()
        batch_started = started
        if self.metrics is not None:
            self.metrics.phase = "running"
        last_message = started
        next_status = started + status_every_s
        stopped_by = "signal"
        while not stop.is_set():
            room = self.settings.batch_size - len(self.pending)
            for message in self.consumer.consume(num_messages=max(1, min(room, 10_000)), timeout=0.1):
                error = message.error()
                if error is not None:
                    if error.code() == KafkaError._PARTITION_EOF:
                        continue
                    if error.fatal() or error.code() in (
                        KafkaError._AUTHENTICATION,
                        KafkaError.SASL_AUTHENTICATION_FAILED,
                    ):
                        raise SinkError(f"consumer failed: {error.str()}")
                    continue  # transient: librdkafka retries
                self.watch.alive()
                if not self.pending:
                    batch_started = self.batch_started = time.monotonic()
                    if self.first_message is None:
                        self.first_message = batch_started
                self.pending.add_message(message)
                last_message = time.monotonic()
            now = time.monotonic()
            if self.pending and (
                len(self.pending) >= self.settings.batch_size
                or (now - batch_started) * 1000 >= self.settings.max_latency_ms
            ):
                self.flush()
            if self.settings.max_events is not None and self.total >= self.settings.max_events:
                stopped_by = "max-events"
                break
            if now >= next_status:
                next_status = now + status_every_s
                lag = self._lag()
                if self.metrics is not None:
                    self.metrics.lag(lag)
                if on_status is not None:
                    on_status(SinkStatus(now - started, self.total, self.dead, lag))
                idle = self.settings.idle_exit_s
                # a broker that is down can't say there is nothing more: that is the watch's to report
                caught_up = self._caught_up(lag) and self.watch.down_since is None
                if idle is not None and now - last_message >= idle and not self.pending and caught_up:
                    stopped_by = "idle"
                    break
                self._check_broker(now)
                if self.metrics is not None:
                    self.metrics.broker_down = self.watch.down_since is not None
        self.flush()
        return self.summary(started, stopped_by)

    def summary(self, started: float, stopped_by: str) -> SinkSummary:
        loading = (self.last_commit - self.first_message) if self.first_message and self.last_commit else 0.0
        return SinkSummary(
            time.monotonic() - started,
            dict(self.loaded),
            self.dead,
            self.batches,
            stopped_by,
            loading,
            self.fenced,
            self.duplicates,
        )

    def _check_broker(self, now: float) -> None:
        """Give up on (or keep saying so about) a gone broker or topics that don't exist; load what was read first."""
        try:
            self.watch.check(self.consumer, now, assigned=bool(self.positions))
        except SinkError:
            self.flush()
            raise

    @property
    def total(self) -> int:
        return sum(self.loaded.values()) + self.dead + self.duplicates

    def flush(self) -> None:
        """Load the pending micro-batch: rows, dead letters and offsets in one transaction, then commit to Kafka."""
        if not self.pending:
            return
        # taken up front: a batch that fails is never retried (the run stops, or a fenced batch is read again)
        pending, self.pending = self.pending, Polled()
        prepared = prepare_batch(pending, self.decode, self.catalog)
        skipped = drop_duplicates(prepared, self.destination, self.catalog) if self.settings.dedupe else 0
        for table, rows in prepared.rows.items():
            if self.schemas.get(table) != rows.schema:
                self.destination.ensure_table(table, rows.schema)
                self.schemas[table] = rows.schema
        read_from = {where: self.read_from[where] for where in prepared.next_offsets if where in self.read_from}
        writing = time.monotonic()
        try:
            self.destination.write(prepared.rows, prepared.dead_letters, prepared.next_offsets, read_from)
        except StaleOffsetsError as exc:
            if self.metrics is not None:
                self.metrics.batch(pending.topics, pending.partitions, None, None, 0.0, 0.0)
            self.fenced += 1
            self._fenced_log.note(logging.WARNING, f"{exc}; reading on from the stored offsets", kind="fenced")
            self._seek_to_stored(list(prepared.next_offsets))
            return
        for table, rows in prepared.rows.items():
            self.loaded[str(table)] = self.loaded.get(str(table), 0) + rows.num_rows
        self.dead += prepared.dead
        self.duplicates += skipped
        self.batches += 1
        self.positions.update(prepared.next_offsets)
        self.read_from.update(prepared.next_offsets)
        self.last_commit = time.monotonic()
        if self.metrics is not None:
            self.metrics.duplicates = self.duplicates
            self.metrics.batch(
                pending.topics,
                pending.partitions,
                prepared.rows.values(),
                prepared.dead_letters,
                self.last_commit - self.batch_started,
                self.last_commit - writing,
            )
        commits = [TopicPartition(t, p, o) for (t, p), o in prepared.next_offsets.items()]
        with contextlib.suppress(KafkaException):  # advisory only: the warehouse holds the offsets that count
            self.consumer.commit(offsets=commits, asynchronous=True)

    def _seek_to_stored(self, partitions: list[tuple[str, int]]) -> None:
        """After a fenced batch: go on from what the warehouse holds (another consumer's progress)."""
        stored = self.destination.stored_offsets({topic for topic, _ in partitions})
        for topic, partition in partitions:
            offset = self._track(topic, partition, stored.get((topic, partition)))
            self._seek(TopicPartition(topic, partition, offset))

    def _seek(self, where: TopicPartition) -> None:
        """Seek, or stop the run: reading on from anywhere but ``read_from`` would lose or double rows."""
        for _ in range(SEEK_ATTEMPTS):
            try:
                self.consumer.seek(where)
                return
            except KafkaException as exc:
                owned = {(p.topic, p.partition) for p in self.consumer.assignment()}
                if (where.topic, where.partition) not in owned:
                    return  # a zombie no longer owns the partition: nothing to seek, the next owner reads it
                error = exc
                time.sleep(SEEK_RETRY_S)  # "erroneous state" right after an assignment passes
        raise SinkError(
            f"can't seek {where.topic}[{where.partition}] to its stored offset {where.offset} ({error}); "
            "stopping with nothing more written: run the sink again"
        ) from error

    def _lag(self) -> dict[tuple[str, int], int]:
        lag = {}
        for (topic, partition), position in list(self.positions.items()):
            try:  # the end offset as of the last fetch response: no extra request to the broker
                _, high = self.consumer.get_watermark_offsets(TopicPartition(topic, partition), cached=True)
            except KafkaException:
                continue
            if high < 0:
                continue
            self.highs[(topic, partition)] = high
            lag[(topic, partition)] = max(0, high - position)
        return lag

    def _caught_up(self, lag: dict[tuple[str, int], int]) -> bool:
        """Every assigned partition's end is known (a fetch answered) and reached: until then, not idle."""
        return bool(self.positions) and all(lag.get(where) == 0 for where in self.positions)
