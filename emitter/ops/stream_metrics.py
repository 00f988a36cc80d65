"""Prometheus metrics of a stream: what was sent, delivered and how fast, read at scrape time.

``MeteredTarget`` wraps the run's target and counts in the loop's thread (plain dict and int updates);
``StreamMetrics`` turns those counts, the target's last stats and the loop's reports (``LoopState``)
into metric families when scraped. More labelled counters join with ``add_counts`` (e.g. injected
faults by topic and kind), fed from a function returning a dict of counts.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping, Sequence

import numpy as np
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily
from prometheus_client.registry import Collector

from emitter.ops.control import StreamControl
from emitter.ops.histogram import Buckets, histogram_family
from emitter.stream.pacing import Lateness
from emitter.stream.targets.base import GiveUp, Target, TargetStats

# tick lateness buckets, seconds: pacing aims well under a millisecond; a tick an interval late is behind
LATENESS_BOUNDS: tuple[float, ...] = (
    0.0001,
    0.00025,
    0.0005,
    0.001,
    0.0025,
    0.005,
    0.01,
    0.025,
    0.05,
    0.1,
    0.25,
    0.5,
    1.0,
)

# librdkafka reports only failures by default (a callback per delivered event costs throughput at high
# rates); timing deliveries needs every report, so a run with metrics asks for them
TIMED_DELIVERY_PROPERTIES: Mapping[str, object] = {"delivery.report.only.error": False}

STALLED_S = 10.0  # in flight this long without a delivery: the broker is not taking them

Counts = Callable[[], Mapping[tuple[str, ...], float]]


class MeteredTarget:
    """A ``Target`` that counts events and bytes per topic, and delivery latency where the target reports it.

    Its own counts and its copy of the target's stats are updated in the caller's thread (the stream
    loop's), so a scrape never calls into the target itself.
    """

    def __init__(self, inner: Target) -> None:
        self.inner = inner
        self.events: dict[str, int] = {}
        self.bytes: dict[str, int] = {}
        self.latency: dict[str, Buckets] = {}
        self.last_stats: TargetStats | None = None
        self.settled_at = time.monotonic()  # when a delivery last settled, or nothing was in flight
        if hasattr(inner, "on_delivered"):  # Kafka targets time each delivery report
            inner.on_delivered = self._delivered

    def _delivered(self, topic: str, latency_s: float | None) -> None:
        if latency_s is not None:
            buckets = self.latency.get(topic)
            if buckets is None:
                buckets = self.latency[topic] = Buckets()
            buckets.observe(latency_s)

    def ensure_topics(self, names: Sequence[str], partitions: int, replication: int = 1) -> list[str]:
        return self.inner.ensure_topics(names, partitions, replication)

    def send(self, topic: str, keys: Sequence[bytes], values: Sequence[bytes], give_up: GiveUp | None = None) -> int:
        taken = self.inner.send(topic, keys, values, give_up)
        self.events[topic] = self.events.get(topic, 0) + taken
        self.bytes[topic] = self.bytes.get(topic, 0) + sum(map(len, values[:taken]))
        self.stats()
        return taken

    def flush(self, timeout: float | None = None) -> None:
        try:
            self.inner.flush(timeout)
        finally:
            self.stats()

    def close(self, timeout: float | None = 30.0) -> None:
        try:
            self.inner.close(timeout)
        finally:
            self.stats()

    def stats(self) -> TargetStats:
        stats, before = self.inner.stats(), self.last_stats
        if stats.in_flight == 0 or before is None or stats.delivered + stats.failed > before.delivered + before.failed:
            self.settled_at = time.monotonic()
        self.last_stats = stats
        return stats

    def stalled_s(self) -> float:
        """How long events have been in flight without any delivery settling (0 when none are)."""
        stats = self.last_stats
        return 0.0 if stats is None or stats.in_flight == 0 else time.monotonic() - self.settled_at


class StreamMetrics(Collector):
    """The ``emitter_stream_*`` families of one run; register it in the run's own ``CollectorRegistry``."""

    def __init__(self, control: StreamControl) -> None:
        self.control = control
        self.target: MeteredTarget | None = None
        self._extra: list[tuple[str, str, tuple[str, ...], Counts]] = []
        self.stalled_after_s = STALLED_S

    def watch(self, target: Target) -> MeteredTarget:
        """Wrap the run's target so its sends are counted; send through what this returns."""
        self.target = MeteredTarget(target)
        return self.target

    def add_counts(self, name: str, documentation: str, labels: Sequence[str], counts: Counts) -> None:
        """One more counter family, e.g. ``add_counts("emitter_faults", "...", ("topic", "kind"), faults.counts)``.

        ``counts()`` is called at each scrape and returns ``{label values: count}``; copy what another
        thread mutates (``dict(d)``) rather than iterating it.
        """
        self._extra.append((name, documentation, tuple(labels), counts))

    def ready(self) -> str | None:
        """None when ready; else why not (no secrets: counts only, never a client's error text)."""
        phase = self.control.loop.phase
        if phase != "running":
            return f"stream {phase}"
        stats = self.target.last_stats if self.target else None
        if stats is not None and (stats.failed or stats.first_error):
            return f"deliveries failing: {stats.failed} events failed"
        stalled = self.target.stalled_s() if self.target else 0.0
        if stalled >= self.stalled_after_s:
            return f"no delivery confirmed for {stalled:.0f}s with {stats.in_flight if stats else 0} in flight"
        return None

    def collect(self) -> Iterator[CounterMetricFamily | GaugeMetricFamily | HistogramMetricFamily]:
        target = self.target
        events = dict(target.events) if target else {}
        sizes = dict(target.bytes) if target else {}
        stats = target.last_stats if target else None
        yield _per_topic("emitter_stream_events_sent", "Events handed to the target.", events)
        yield _per_topic("emitter_stream_bytes_sent", "Bytes of event values handed to the target.", sizes)
        delivered = dict(stats.delivered_by_topic) if stats else {}
        yield _per_topic("emitter_stream_events_delivered", "Events the target confirmed delivered.", delivered)
        failed = CounterMetricFamily("emitter_stream_events_failed", "Events not delivered (refused or failed).")
        failed.add_metric([], stats.failed if stats else 0)
        yield failed
        unconfirmed = CounterMetricFamily(
            "emitter_stream_events_unconfirmed", "Events dropped at close without a delivery report."
        )
        unconfirmed.add_metric([], stats.unconfirmed if stats else 0)
        yield unconfirmed
        yield _gauge(
            "emitter_stream_events_in_flight", "Events accepted, not yet delivered.", stats.in_flight if stats else 0
        )
        waits = CounterMetricFamily(
            "emitter_stream_queue_full_waits", "Times a send waited for room in the producer queue."
        )
        waits.add_metric([], stats.queue_full_waits if stats else 0)
        yield waits
        latency = dict(target.latency) if target else {}
        yield histogram_family(
            "emitter_stream_delivery_latency_seconds",
            "From handing an event to the producer to its delivery report.",
            ["topic"],
            {(topic,): buckets for topic, buckets in latency.items()},
        )
        loop = self.control.loop
        pace = loop.pace or self.control.pace
        if loop.lateness is not None:
            yield _lateness(loop.lateness)
        yield _gauge(
            "emitter_stream_lag_seconds", "How far emission is behind the simulated clock (replay).", loop.lag_s
        )
        if loop.target_rate is not None:
            yield _gauge(
                "emitter_stream_target_rate", "Events per second asked for at the last tick (live).", loop.target_rate
            )
        yield _gauge("emitter_stream_paused", "1 while paused through /control.", 1.0 if pace.paused else 0.0)
        yield _gauge("emitter_stream_elapsed_seconds", "Running time, pauses excluded.", loop.elapsed_s)
        yield _gauge("emitter_stream_running", "1 while the stream loop runs.", 1.0 if loop.phase == "running" else 0.0)
        for name, documentation, labels, counts in self._extra:
            family = CounterMetricFamily(name, documentation, labels=list(labels))
            for label_values, value in counts().items():
                family.add_metric([str(v) for v in label_values], value)
            yield family


def _per_topic(name: str, documentation: str, counts: Mapping[str, int]) -> CounterMetricFamily:
    family = CounterMetricFamily(name, documentation, labels=["topic"])
    for topic, value in sorted(counts.items()):
        family.add_metric([topic], value)
    return family


def _gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, value=value)


def _lateness(lateness: Lateness) -> HistogramMetricFamily:
    """The loop's own lateness histogram (10 µs bins) summed into Prometheus buckets."""
    cumulative = np.cumsum(lateness.counts)  # a copy: the loop may add a tick meanwhile, harmlessly
    buckets = []
    for bound in LATENESS_BOUNDS:
        below = min(round(bound * 1e9) // Lateness.BIN_NS, Lateness.BINS)  # bins entirely at or under it
        buckets.append((repr(bound), float(cumulative[below - 1])))
    buckets.append(("+Inf", float(cumulative[-1])))
    family = HistogramMetricFamily(
        "emitter_stream_tick_lateness_seconds", "How late each tick started after its deadline.", labels=[]
    )
    family.add_metric([], buckets, lateness.total_ns / 1e9)
    return family
