"""Prometheus metrics of a sink: per (topic, partition) counts and lag, batch and commit latency.

The sink loop records once per micro-batch (``batch``) and per status interval (``lag``), in its own
thread; ``collect`` copies the counts at scrape time (dict copies, atomic under the GIL).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence

import pyarrow as pa
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily
from prometheus_client.registry import Collector

from emitter.ops.histogram import Buckets, histogram_family

Where = tuple[str, int]  # (topic, partition)


class SinkMetrics(Collector):
    """The ``emitter_sink_*`` families of one run; register it in the run's own ``CollectorRegistry``."""

    def __init__(self) -> None:
        self.phase = "starting"  # starting, running, finished, failed
        self.broker_down = False
        self.consumed: dict[Where, int] = {}
        self.loaded: dict[Where, int] = {}
        self.dead: dict[Where, int] = {}
        self.lags: dict[Where, int] = {}
        self.batches = 0
        self.fenced = 0
        self.duplicates = 0  # events skipped by --dedupe
        self.batch_latency = Buckets()
        self.commit_latency = Buckets()

    def batch(
        self,
        topics: Sequence[str],
        partitions: Sequence[int],
        rows: Iterable[pa.Table] | None,
        dead_letters: pa.Table | None,
        age_s: float,
        commit_s: float,
    ) -> None:
        """A micro-batch was handled: its messages (consumed), and if written (``rows`` not None) what loaded.

        Args:
            age_s: from its first message received to its commit.
            commit_s: the warehouse transaction (rows, dead letters, offsets).
        """
        _add(self.consumed, Counter(zip(topics, partitions, strict=True)))
        if rows is None:
            self.fenced += 1
            return
        for table in rows:
            _add(self.loaded, _count(table, "_topic", "_partition"))
        if dead_letters is not None:
            _add(self.dead, _count(dead_letters, "topic", "partition"))
        self.batches += 1
        self.batch_latency.observe(age_s)
        self.commit_latency.observe(commit_s)

    def lag(self, lag: Mapping[Where, int]) -> None:
        self.lags = dict(lag)

    def ready(self) -> str | None:
        """None when ready; else why not (never a connection string)."""
        if self.phase != "running":
            return f"sink {self.phase}"
        if self.broker_down:
            return "sink: the broker does not answer"
        return None

    def collect(self) -> Iterator[CounterMetricFamily | GaugeMetricFamily | HistogramMetricFamily]:
        yield _per_partition(
            CounterMetricFamily, "emitter_sink_events_consumed", "Messages read, per batch.", self.consumed
        )
        yield _per_partition(
            CounterMetricFamily, "emitter_sink_rows_loaded", "Rows committed to the warehouse.", self.loaded
        )
        yield _per_partition(
            CounterMetricFamily, "emitter_sink_dead_letters", "Messages stored as dead letters.", self.dead
        )
        yield _per_partition(
            GaugeMetricFamily, "emitter_sink_lag", "Messages behind the end of the partition.", self.lags
        )
        batches = CounterMetricFamily("emitter_sink_batches", "Micro-batches committed.")
        batches.add_metric([], self.batches)
        yield batches
        fenced = CounterMetricFamily("emitter_sink_fenced_batches", "Batches not written: another consumer was ahead.")
        fenced.add_metric([], self.fenced)
        yield fenced
        duplicates = CounterMetricFamily(
            "emitter_sink_duplicates_skipped", "Events not loaded by --dedupe: their event id was loaded before."
        )
        duplicates.add_metric([], self.duplicates)
        yield duplicates
        for name, documentation, buckets in (
            (
                "emitter_sink_batch_latency_seconds",
                "From a batch's first message received to its commit.",
                self.batch_latency,
            ),
            ("emitter_sink_commit_latency_seconds", "The warehouse transaction of a batch.", self.commit_latency),
        ):
            yield histogram_family(name, documentation, [], {(): buckets})
        up = GaugeMetricFamily("emitter_sink_running", "1 while the sink loop runs.")
        up.add_metric([], 1.0 if self.phase == "running" else 0.0)
        yield up


def _count(table: pa.Table, topic: str, partition: str) -> Counter[Where]:
    grouped = table.group_by([topic, partition]).aggregate([([], "count_all")])
    return Counter(
        dict(
            zip(
                zip(grouped.column(topic).to_pylist(), grouped.column(partition).to_pylist(), strict=True),
                grouped.column("count_all").to_pylist(),
                strict=True,
            )
        )
    )


def _add(into: dict[Where, int], counts: Mapping[Where, int]) -> None:
    for where, n in counts.items():
        into[where] = into.get(where, 0) + n


def _per_partition(
    kind: type[CounterMetricFamily] | type[GaugeMetricFamily], name: str, documentation: str, counts: dict[Where, int]
) -> CounterMetricFamily | GaugeMetricFamily:
    family = kind(name, documentation, labels=["topic", "partition"])
    for (topic, partition), value in sorted(counts.copy().items()):
        family.add_metric([topic, str(partition)], value)
    return family
