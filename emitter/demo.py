"""``emitter demo``: the whole pipeline on one machine, no servers to install.

Starts the bundled Kafka-compatible broker, replays the model into it, sinks the topics into a DuckDB
warehouse as they arrive, then shows what landed and how to query it.
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
from emitter.scenarios import get_scenario
from emitter.signals import stop_on_signals
from emitter.sink.consumer import SinkSettings, SinkStatus, SinkSummary, run_sink
from emitter.sink.destinations import open_destination
from emitter.sink.session import make_decoder
from emitter.stream.embedded_broker import EmbeddedBroker
from emitter.stream.runner import StreamSettings, StreamStatus
from emitter.stream.session import Delivery, StreamResult, stream
from emitter.stream.targets import TargetOptions, TargetStats

SAMPLE_QUERIES = {  # title: (SQL, tables it needs)
    "revenue per store-hour (top 5)": (
        """SELECT store_id, date_trunc('hour', event_ts) AS hour, count(*) AS receipts, sum(total) AS revenue
        FROM receipts GROUP BY ALL ORDER BY revenue DESC LIMIT 5""",
        {"receipts"},
    ),
    "tender mix": (
        """SELECT tender_type, count(*) AS receipts, round(100.0 * count(*) / sum(count(*)) OVER (), 1) AS pct
        FROM receipts GROUP BY ALL ORDER BY receipts DESC""",
        {"receipts"},
    ),
    "best-selling categories": (
        """SELECT p.category, sum(l.qty) AS units, sum(l.ext_price) AS sales
        FROM receipt_lines l JOIN products p USING (product_id) GROUP BY ALL ORDER BY sales DESC LIMIT 5""",
        {"receipt_lines", "products"},
    ),
}


@dataclass
class DemoResult:
    stream: StreamResult
    sink: SinkSummary
    warehouse: Path
    rows: dict[str, int]
    samples: dict[str, pa.Table]


def run_demo(
    config: Config,
    warehouse: Path,
    duration_s: float,
    start: datetime,
    speed: float,
    on_status: Callable[[StreamStatus, TargetStats, SinkStatus | None], None] | None = None,
    stop: threading.Event | None = None,
) -> DemoResult:
    """Broker → stream → sink → DuckDB; everything started here is stopped here, also on Ctrl-C."""
    if warehouse.suffix != ".duckdb":
        raise ConfigError(f"--warehouse: {warehouse} should be a .duckdb file (the demo writes a fresh DuckDB file)")
    for stale in (warehouse, warehouse.with_suffix(".duckdb.wal")):
        stale.unlink(missing_ok=True)  # a fresh broker starts at offset 0: old offsets would not match it
    stop = stop or threading.Event()
    scenario = get_scenario(config)
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
                        SinkSettings(broker.bootstrap, topics=config.stream.topic_prefix + "*", max_latency_ms=500),
                        destination,
                        make_decoder(scenario.name),
                        stop=sink_stop,
                        on_status=sink_status,
                        status_every_s=0.5,
                    )
            except BaseException as exc:  # reported by the main thread
                sink_state["error"] = exc

        # master data first, so joins work as soon as facts arrive
        with open_destination(url) as destination:
            for name, table in scenario.master().items():
                destination.load_file(name, table, f"master/{name}", f"seed-{config.seed}")
        consumer = threading.Thread(target=consume, name="emitter-demo-sink", daemon=True)
        consumer.start()
        settings = StreamSettings(
            tables=scenario.fact_tables,
            topic_prefix=config.stream.topic_prefix,
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
        rows = {
            name: int(destination.query(f"SELECT count(*) AS n FROM {name}").column("n")[0].as_py())
            for name in sorted(destination.table_names())
        }
        present = set(destination.table_names())
        samples = {
            title: destination.query(sql)
            for title, (sql, needs) in SAMPLE_QUERIES.items()
            if needs <= present  # a short or interrupted demo may not have every table yet
        }
    summary = sink_state.get("summary")
    assert isinstance(summary, SinkSummary)
    return DemoResult(streamed, summary, warehouse, rows, samples)
