"""The Kafka producer's settings: emitter's defaults, the codec, and the user's ``--producer-property`` items."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Final

from emitter.stream.targets.errors import TargetConfigError

DEFAULT_PRODUCER_CONFIG: Final[Mapping[str, Any]] = {
    "enable.idempotence": True,  # retries can't duplicate or reorder within a partition
    "acks": "all",
    "compression.type": "lz4",
    "linger.ms": 10,
    "batch.size": 1_000_000,
    "batch.num.messages": 10_000,
    # Only failures get a delivery report: a Python callback per delivered event would cost a quarter of
    # the throughput. Delivered = accepted - failed - still queued, exact once flushed.
    "delivery.report.only.error": True,
}
COMPRESSION_TYPES: Final = ("none", "gzip", "snappy", "lz4", "zstd")


def parse_producer_properties(items: Iterable[str]) -> dict[str, str]:
    """Turn ``--producer-property key=value`` items into a librdkafka config mapping."""
    properties: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise TargetConfigError(
                f"producer property {key or item!r} is not key=value, e.g. --producer-property linger.ms=20"
            )
        properties[key] = value.strip()
    return properties


def producer_config(
    bootstrap_servers: str,
    properties: Mapping[str, Any] | None = None,
    *,
    compression: str | None = None,
) -> dict[str, Any]:
    """The producer config: emitter's defaults, then ``compression``, then the user's properties."""
    if not bootstrap_servers.strip():
        raise TargetConfigError("no Kafka bootstrap servers given: pass --bootstrap-servers host:port")
    config: dict[str, Any] = {**DEFAULT_PRODUCER_CONFIG, "bootstrap.servers": bootstrap_servers}
    if compression is not None:
        config["compression.type"] = check_compression(compression)
    config.update(properties or {})
    return config


def check_compression(name: str) -> str:
    """Return the normalized codec name, or raise naming the ones librdkafka knows."""
    codec = name.strip().lower()
    if codec not in COMPRESSION_TYPES:
        raise TargetConfigError(f"unknown compression {name!r}: use one of {', '.join(COMPRESSION_TYPES)}")
    return codec
