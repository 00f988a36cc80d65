"""One ``emitter stream`` run: open the target, create topics, encode, pace, flush, close.

Every event handed to the target ends up counted exactly once: delivered, failed, or never confirmed
(still unacknowledged when the flush grace ran out). A run that lost any raises ``StreamIncomplete``,
which carries the result, so the summary can still be shown.
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from confluent_kafka.schema_registry import SchemaRegistryClient

from emitter.avro.framing import ConfluentFraming, Framing, SingleObjectFraming
from emitter.config import Config
from emitter.core.rng import BlockKeys
from emitter.errors import ConfigError
from emitter.ops.control import StreamControl
from emitter.ops.stream_metrics import TIMED_DELIVERY_PROPERTIES, StreamMetrics
from emitter.scenarios import scenario_class
from emitter.scenarios.tables import Catalog
from emitter.signals import stop_on_signals
from emitter.stream.emission import Emitter
from emitter.stream.faults import FaultyTarget
from emitter.stream.runner import StreamSettings, StreamStatus, StreamSummary, run_stream
from emitter.stream.targets import Target, TargetError, TargetOptions, TargetStats, open_target

VALUE_FORMATS = ("avro", "json")


@dataclass(frozen=True)
class Delivery:
    """Where and how events go."""

    target: str = "kafka"
    options: TargetOptions = field(default_factory=TargetOptions)
    value_format: str = "avro"
    # Confluent wire format when set (a URL, or a SchemaRegistryClient), single-object encoding otherwise
    schema_registry: str | SchemaRegistryClient | None = None
    partitions: int = 6


@dataclass
class StreamResult:
    summary: StreamSummary
    target: TargetStats
    framing: str
    topics: dict[str, str] = field(default_factory=dict)  # table id → topic
    faults: dict[str, dict[str, int]] = field(default_factory=dict)  # table id → fault kind → events affected


class StreamIncomplete(TargetError):
    """Some events handed to the target were not delivered; ``result`` has the exact counts."""

    def __init__(self, message: str, result: StreamResult) -> None:
        super().__init__(message)
        self.result = result


def make_emitter(catalog: Catalog, delivery: Delivery, topic_prefix: str) -> Emitter:
    """Framed Avro (Confluent wire format with a registry, single-object without) or JSON values."""
    if delivery.value_format not in VALUE_FORMATS:
        choices = ", ".join(VALUE_FORMATS)
        raise ConfigError(f"format: unknown value format {delivery.value_format!r}; use one of {choices}")
    if delivery.value_format == "json":
        return Emitter(catalog, None, topic_prefix)
    framing: Framing = ConfluentFraming(delivery.schema_registry) if delivery.schema_registry else SingleObjectFraming()
    return Emitter(catalog, framing, topic_prefix)


def stream(
    config: Config,
    settings: StreamSettings,
    delivery: Delivery,
    on_status: Callable[[StreamStatus, TargetStats], None] | None = None,
    stop: threading.Event | None = None,
    target: Target | None = None,
    *,
    control: StreamControl | None = None,
    metrics: StreamMetrics | None = None,
) -> StreamResult:
    """Run a stream to completion (or until SIGINT/SIGTERM) and return what was sent and delivered.

    ``control`` changes its pace while it runs; ``metrics`` counts what it sends (for /metrics).
    """
    catalog = scenario_class(config.scenario).catalog()
    tables = tuple(t.id for t in catalog.select(settings.tables, stream=True))
    emitter = make_emitter(catalog, delivery, settings.topic_prefix)
    settings = dataclasses.replace(settings, tables=tables, value_format=delivery.value_format)
    if target is None:
        options = delivery.options
        if metrics is not None:  # timing deliveries needs a report for each; a user's own setting wins
            properties = {**TIMED_DELIVERY_PROPERTIES, **options.producer_properties}
            options = dataclasses.replace(options, producer_properties=properties)
        target = open_target(delivery.target, options)
    if metrics is not None:  # the messages as the broker gets them, injected copies included
        target = metrics.watch(target)
    faulty = with_faults(target, config, settings, emitter)
    if faulty is not None and metrics is not None:
        counts = faulty.counts
        metrics.add_counts(
            "emitter_stream_faults",
            "Events given an injected fault (--faults), by topic and kind.",
            ("topic", "kind"),
            lambda: {(emitter.topic(t), k): n for t, kinds in counts().items() for k, n in kinds.items()},
        )
    target = faulty or target
    stop = stop or threading.Event()
    try:
        target.ensure_topics([emitter.topic(t) for t in settings.tables], delivery.partitions)
        status = (lambda s: on_status(s, target.stats())) if on_status else None
        with stop_on_signals(stop):
            summary = run_stream(config, settings, emitter, target, stop=stop, on_status=status, control=control)
    finally:
        # run_stream has flushed within its grace: what is still undelivered is dropped and counted
        with contextlib.suppress(Exception):
            target.close(timeout=0)
    result = StreamResult(
        summary,
        target.stats(),
        emitter.name,
        {t: emitter.topic(t) for t in settings.tables},
        faulty.counts() if faulty else {},
    )
    if result.target.undelivered:
        raise StreamIncomplete(_losses(result, delivery, settings.flush_grace_s), result)
    return result


def with_faults(target: Target, config: Config, settings: StreamSettings, emitter: Emitter) -> FaultyTarget | None:
    """``target`` wrapped to inject the settings' faults, or None when no streamed table has any."""
    chosen = {t: spec for t, spec in settings.faults.items() if t in settings.tables and not spec.off}
    if not chosen:
        return None
    specs = {emitter.topic(t): (t, spec, len(emitter.header(t))) for t, spec in chosen.items()}
    return FaultyTarget(target, specs, BlockKeys(config.seed, config.scenario))


def _losses(result: StreamResult, delivery: Delivery, grace_s: float) -> str:
    """One line: how many of the sent events were lost, how, and the first reason given."""
    t = result.target
    where = delivery.options.bootstrap_servers if delivery.target == "kafka" else delivery.target
    counts = (
        f"{t.undelivered:,} of {result.summary.total:,} events not delivered to {where} "
        f"({t.delivered:,} delivered, {t.failed:,} failed, {t.unconfirmed:,} never confirmed)"
    )
    if t.first_error:
        return f"{counts}; first failure: {t.first_error}"
    grace = f"{grace_s:g}s" if math.isfinite(grace_s) else "the flush"
    return f"{counts}: no acknowledgement within {grace} of the end; is {where} up? (--flush-grace waits longer)"
