"""One ``emitter sink`` run: open the warehouse, decode with schemas/ or a registry, consume, load."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

import numpy as np
import pyarrow as pa
from confluent_kafka.schema_registry import SchemaRegistryClient

from emitter.avro.frames import SchemaResolver, decode_messages
from emitter.signals import stop_on_signals
from emitter.sink.batch import Decoder
from emitter.sink.consumer import SinkSettings, SinkStatus, SinkSummary, run_sink
from emitter.sink.destinations import open_destination


def make_decoder(scenario: str, registry: str | SchemaRegistryClient | None = None) -> Decoder:
    """Decode single-object messages with schemas/<scenario>, Confluent-framed ones with the registry."""
    resolver = SchemaResolver.for_scenario(scenario, registry)

    def decode(values: Sequence[bytes]) -> tuple[dict[str, tuple[pa.Table, np.ndarray]], list[tuple[int, str]]]:
        decoded, rejected = decode_messages(values, resolver)
        return {name: (batch.table, batch.index) for name, batch in decoded.items()}, rejected

    return decode


def sink(
    scenario: str,
    settings: SinkSettings,
    warehouse: str,
    registry: str | SchemaRegistryClient | None = None,
    stop: threading.Event | None = None,
    on_status: Callable[[SinkStatus], None] | None = None,
) -> SinkSummary:
    """Consume until stopped (SIGINT/SIGTERM, idle, max events) and return what was loaded."""
    stop = stop or threading.Event()
    decode = make_decoder(scenario, registry)
    with open_destination(warehouse) as destination, stop_on_signals(stop):
        return run_sink(settings, destination, decode, stop=stop, on_status=on_status)


__all__ = ["make_decoder", "sink"]
