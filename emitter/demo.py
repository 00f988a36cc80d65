"""``emitter demo``: the whole pipeline on one machine, no servers to install.

Starts the bundled Kafka-compatible broker, replays the scenario into it, sinks the topics into a DuckDB
warehouse as they arrive, then shows what landed and the scenario's sample queries (its ``DemoSpec``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pyarrow as pa

from emitter.config import Config
from emitter.errors import ConfigError
from emitter.ops.run_ops import RunOps
from emitter.scenarios import open_scenario
from emitter.signals import stop_on_signals
from emitter.sink.consumer import SinkSettings, SinkStatus, SinkSummary, run_sink
from emitter.sink.destinations import TableName, open_destination
from emitter.sink.session import make_decoder
from emitter.stream.embedded_broker import EmbeddedBroker
from emitter.stream.runner import StreamSettings, StreamStatus
from emitter.stream.session import Delivery, StreamResult, stream
from emitter.stream.targets import TargetOptions, TargetStats


@dataclass
class DemoResult:
    stream: StreamResult
    sink: SinkSummary
    warehouse: Path
    rows: dict[str, int]  # schema.table → rows
    samples: dict[str, pa.Table]
    hint: str  # a query to try next


def run_demo(
    config: Config,
    warehouse: Path,
    duration_s: float,
    start: datetime | None = None,
    speed: float | None = None,
    on_status: Callable[[StreamStatus, TargetStats, SinkStatus | None], None] | None = None,
    stop: threading.Event | None = None,
    ops: RunOps | None = None,
) -> DemoResult:
    """Broker → stream → sink → DuckDB; everything started here is stopped here, also on Ctrl-C.

    ``start`` and ``speed`` default to the scenario's demo settings; ``ops`` (``--http``) gets the stream's
    control and both metrics.
    """
    ops = ops or RunOps()
    if warehouse.suffix != ".duckdb":
        raise ConfigError(f"--warehouse: {warehouse} should be a .duckdb file (the demo writes a fresh DuckDB file)")
    for stale in (warehouse, warehouse.with_suffix(".duckdb.wal")):
        stale.unlink(missing_ok=True)  # a fresh broker starts at offset 0: old offsets would not match it
    stop = stop or threading.Event()
    scenario = open_scenario(config)
    catalog = scenario.catalog()
    start = start or scenario.demo.start
    speed = speed or scenario.demo.speed
    url = f"duckdb:///{warehouse.resolve()}"
    with EmbeddedBroker() as broker, stop_on_signals(stop):
        sink_stop = threading.Event()
        sink_state: dict[str, object] = {}

        def sink_status(s: SinkStatus) -> None:
            sink_state["status"] = s

        def consume() -> None:
            try:
                with open_destination(url) as destination:
                    sink_state["summary"] = run_sink(
                        SinkSettings(broker.bootstrap, topics=config.topic_prefix + "*", max_latency_ms=500),
                        destination,
                        make_decoder(catalog),
                        catalog,
                        stop=sink_stop,
                        on_status=sink_status,
                        status_every_s=0.5,
                        metrics=ops.sink,
                    )
            except BaseException as exc:  # reported by the main thread
                sink_state["error"] = exc

        # reference data first, so joins work as soon as events arrive
        with open_destination(url) as destination:
            destination.record_origin(scenario.name, scenario.seed, scenario.settings.model_dump_json())
            for name, table in scenario.reference().items():
                spec = catalog.get(name)
                destination.load_file(
                    TableName(spec.namespace, spec.name), table, f"master/{name}", f"seed-{config.seed}"
                )
        consumer = threading.Thread(target=consume, name="emitter-demo-sink", daemon=True)
        consumer.start()
        settings = StreamSettings(
            tables=tuple(t.id for t in catalog.per_day if t.streamed or t.id in scenario.demo.also_streams),
            topic_prefix=config.topic_prefix,
            start=start,
            speed=speed,
            duration_s=duration_s,
        )
        status = (
            (lambda s, t: on_status(s, t, sink_state.get("status")))  # type: ignore[arg-type]
            if on_status
            else None
        )
        streamed = stream(
            config,
            settings,
            Delivery(options=TargetOptions(bootstrap_servers=broker.bootstrap), partitions=3),
            on_status=status,
            stop=stop,
            control=ops.control,
            metrics=ops.stream,
        )
        # let the sink catch up with everything delivered (briefly after Ctrl-C), then stop it
        deadline = time.monotonic() + (10 if stop.is_set() else 60)
        while time.monotonic() < deadline and "error" not in sink_state:
            s = sink_state.get("status")
            if isinstance(s, SinkStatus) and s.loaded + s.dead >= streamed.target.delivered:
                break
            if on_status is not None and isinstance(s, SinkStatus):
                on_status(StreamStatus(settings.duration_s or 0.0, streamed.summary.sent, 0.0), streamed.target, s)
            time.sleep(0.2)
        sink_stop.set()
        consumer.join(timeout=30)
        if "error" in sink_state:
            raise sink_state["error"]  # type: ignore[misc]
    with open_destination(url) as destination:
        landed = destination.data_tables(catalog.namespaces)
        rows = {
            str(name): int(destination.query(f"SELECT count(*) AS n FROM {name}").column("n")[0].as_py())
            for name in landed
        }
        present = {t.id for t in catalog.tables if TableName(t.namespace, t.name) in landed}
        samples = {
            title: destination.query(sql)
            for title, (sql, needs) in scenario.demo.queries.items()
            if needs <= present  # a short or interrupted demo may not have every table yet
        }
    summary = sink_state.get("summary")
    assert isinstance(summary, SinkSummary)
    return DemoResult(streamed, summary, warehouse, rows, samples, scenario.demo.hint)
