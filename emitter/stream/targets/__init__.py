"""Where streamed events go: Kafka, or Azure Event Hubs (over its Kafka endpoint or natively).

Every target has the same surface (``Target``): ``send(topic, keys, values)``, ``flush``, ``close``,
``stats`` and ``ensure_topics``. ``open_target`` builds one from a kind and ``TargetOptions``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from emitter.stream.targets.base import Target, TargetStats
from emitter.stream.targets.errors import (
    DeliveryError,
    FlushTimeoutError,
    MissingDependencyError,
    TargetConfigError,
    TargetError,
    TopicSetupError,
)

TargetKind = Literal["kafka", "eventhubs", "eventhubs-native"]
TARGET_KINDS: Final[tuple[TargetKind, ...]] = ("kafka", "eventhubs", "eventhubs-native")

__all__ = [
    "TARGET_KINDS",
    "DeliveryError",
    "FlushTimeoutError",
    "MissingDependencyError",
    "Target",
    "TargetConfigError",
    "TargetError",
    "TargetKind",
    "TargetOptions",
    "TargetStats",
    "TopicSetupError",
    "open_target",
]


@dataclass(frozen=True)
class TargetOptions:
    """Settings for ``open_target``; each kind reads the ones it needs.

    Args:
        bootstrap_servers: Kafka brokers, ``host:port[,host:port]`` (kind ``kafka``).
        connection_string: Event Hubs connection string; None reads ``$EVENTHUBS_CONNECTION_STRING``.
        producer_properties: librdkafka properties that override the defaults (Kafka kinds).
        compression: codec for the Kafka kinds; None keeps the kind's default (lz4, gzip on Event Hubs).
        max_batch_bytes: batch size limit for ``eventhubs-native``.
    """

    bootstrap_servers: str = "127.0.0.1:9092"
    connection_string: str | None = None
    producer_properties: Mapping[str, Any] = field(default_factory=dict)
    compression: str | None = None
    max_batch_bytes: int | None = None


def open_target(kind: str, options: TargetOptions | None = None) -> Target:
    """A ready target of ``kind``; connections open lazily on first use."""
    opts = options or TargetOptions()
    if kind == "kafka":
        from emitter.stream.targets.kafka import KafkaTarget

        return KafkaTarget.connect(opts.bootstrap_servers, opts.producer_properties, compression=opts.compression)
    if kind == "eventhubs":
        from emitter.stream.targets.eventhubs import eventhubs_producer_config, resolve_connection_string
        from emitter.stream.targets.kafka import KafkaTarget

        connection = resolve_connection_string(opts.connection_string)
        config = eventhubs_producer_config(connection, opts.producer_properties, compression=opts.compression)
        return KafkaTarget(config, creates_topics=False, name="Event Hubs")
    if kind == "eventhubs-native":
        from emitter.stream.targets.eventhubs_native import DEFAULT_MAX_BATCH_BYTES, EventHubsTarget

        return EventHubsTarget(opts.connection_string, max_batch_bytes=opts.max_batch_bytes or DEFAULT_MAX_BATCH_BYTES)
    raise TargetConfigError(f"unknown target {kind!r}: use one of {', '.join(TARGET_KINDS)}")
