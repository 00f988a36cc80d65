"""Sink throughput: events/s loaded from pre-filled topics into DuckDB and PostgreSQL, against raw consuming.

Fills the bundled broker (Tansu, in memory) once with a replay of the retail model, then, in the same run:
1. raw consume: a consumer reading every message (no decoding, no loading);
2. `emitter sink` into a fresh DuckDB file;
3. `emitter sink` into PostgreSQL (127.0.0.1:5432 database `test`, or $EMITTER_BENCH_PG_DSN), fresh schema.

    python bench/sink.py                 # 1,000,000 events
    python bench/sink.py --events 300000
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time
import uuid
from datetime import datetime
from pathlib import Path

from confluent_kafka import OFFSET_BEGINNING, Consumer, TopicPartition

from emitter.config import load_config
from emitter.scenarios.retail import FACT_TABLES
from emitter.sink.consumer import SinkSettings
from emitter.sink.session import sink
from emitter.stream.embedded_broker import EmbeddedBroker
from emitter.stream.runner import StreamSettings
from emitter.stream.session import Delivery, stream
from emitter.stream.targets import TargetOptions


def fill(bootstrap: str, prefix: str, events: int) -> int:
    settings = StreamSettings(
        tables=FACT_TABLES, topic_prefix=prefix, start=datetime(2024, 3, 4), speed=float("inf"), max_events=events
    )
    result = stream(load_config(environ={}), settings, Delivery(options=TargetOptions(bootstrap_servers=bootstrap)))
    return result.target.delivered


def raw_consume(bootstrap: str, prefix: str, expected: int) -> float:
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": f"raw-{uuid.uuid4().hex[:6]}"})
    topics = [prefix + t for t in FACT_TABLES]
    parts = [
        TopicPartition(t, p, OFFSET_BEGINNING)
        for t in topics
        for p in consumer.list_topics(t, timeout=10).topics[t].partitions
    ]
    consumer.assign(parts)
    seen = 0
    started = time.perf_counter()
    while seen < expected:
        seen += sum(1 for m in consumer.consume(num_messages=10_000, timeout=1.0) if m.error() is None)
    elapsed = time.perf_counter() - started
    consumer.close()
    return seen / elapsed


def load(bootstrap: str, prefix: str, warehouse: str, expected: int) -> float:
    settings = SinkSettings(
        bootstrap, topics=prefix + "*", group=f"bench-{uuid.uuid4().hex[:6]}", max_events=expected, idle_exit_s=5.0
    )
    summary = sink("retail", settings, warehouse)
    assert summary.loaded + summary.dead == expected, (summary.loaded, summary.dead, expected)
    return summary.rate  # from the first message to the last commit: the group join is not load time


def _postgres_url() -> str | None:
    import psycopg

    dsn = os.environ.get("EMITTER_BENCH_PG_DSN")
    candidates = (
        [dsn] if dsn else ["postgresql://root@127.0.0.1:5432/test", "postgresql://postgres@127.0.0.1:5432/test"]
    )
    for candidate in candidates:
        try:
            psycopg.connect(candidate, connect_timeout=3).close()
        except psycopg.Error:
            continue
        return f"{candidate}?schema=bench_{uuid.uuid4().hex[:8]}"
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=1_000_000)
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    with EmbeddedBroker() as broker, tempfile.TemporaryDirectory() as tmp:
        prefix = f"bench{uuid.uuid4().hex[:6]}."
        n = fill(broker.bootstrap, prefix, args.events)
        print(f"pre-filled {n:,} events of all retail tables into the bundled broker (6 partitions per topic)\n")
        print(f"1. raw consume (no decoding, no loading): {raw_consume(broker.bootstrap, prefix, n):>12,.0f} events/s")
        duck = load(broker.bootstrap, prefix, f"duckdb:///{Path(tmp) / 'bench.duckdb'}", n)
        print(f"2. emitter sink → DuckDB:                 {duck:>12,.0f} events/s")
        pg = _postgres_url()
        if pg is None:
            print(
                "3. emitter sink → PostgreSQL:             skipped (no server on 127.0.0.1:5432 / EMITTER_BENCH_PG_DSN)"
            )
        else:
            rate = load(broker.bootstrap, prefix, pg, n)
            print(f"3. emitter sink → PostgreSQL:             {rate:>12,.0f} events/s")
            import psycopg

            with psycopg.connect(pg.split("?")[0], autocommit=True) as conn:
                conn.execute(f'DROP SCHEMA IF EXISTS "{pg.split("schema=")[1]}" CASCADE')


if __name__ == "__main__":
    main()
