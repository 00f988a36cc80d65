"""One ``emitter sink`` run: open the warehouse, decode with the scenario's schemas or a registry, consume, load."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

import numpy as np
import pyarrow as pa
from confluent_kafka.schema_registry import SchemaRegistryClient

from emitter.avro.decode_framed import SchemaResolver, decode_messages
from emitter.ops.sink_metrics import SinkMetrics
from emitter.scenarios.tables import Catalog
from emitter.signals import stop_on_signals
from emitter.sink.batch import Decoder
from emitter.sink.consumer import SinkSettings, SinkStatus, SinkSummary, run_sink
from emitter.sink.warehouse_scope import open_warehouse


def make_decoder(catalog: Catalog, registry: str | SchemaRegistryClient | None = None) -> Decoder:
    """Decode single-object messages with the catalog's schemas, Confluent-framed ones with the registry.

    Batches come back by table id: a record is the table whose Avro full name it carries. Records of no
    table of the scenario are rejected (they become dead letters).
    """
    resolver = SchemaResolver(catalog.all_avro(), registry)

    def decode(values: Sequence[bytes]) -> tuple[dict[str, tuple[pa.Table, np.ndarray]], list[tuple[int, str]]]:
        decoded, rejected = decode_messages(values, resolver)
        out = {}
        for record, batch in decoded.items():
            spec = catalog.for_record(record)
            if spec is None:
                reason = f"{record} records are no table of scenario {catalog.scenario}"
                rejected.extend((int(p), reason) for p in batch.index)
            else:
                out[spec.id] = (batch.table, batch.index)
        return out, sorted(rejected) if len(out) < len(decoded) else rejected

    return decode


def sink(
    catalog: Catalog,
    settings: SinkSettings,
    warehouse: str,
    registry: str | SchemaRegistryClient | None = None,
    stop: threading.Event | None = None,
    on_status: Callable[[SinkStatus], None] | None = None,
    metrics: SinkMetrics | None = None,
) -> SinkSummary:
    """Consume until stopped (SIGINT/SIGTERM, idle, max events) and return what was loaded."""
    stop = stop or threading.Event()
    decode = make_decoder(catalog, registry)
    with open_warehouse(warehouse, catalog) as destination, stop_on_signals(stop):
        return run_sink(settings, destination, decode, catalog, stop=stop, on_status=on_status, metrics=metrics)


__all__ = ["make_decoder", "sink"]
