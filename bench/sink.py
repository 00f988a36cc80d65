"""Sink throughput: events/s loaded from pre-filled topics into DuckDB and PostgreSQL, against raw consuming.

Fills the bundled broker (Tansu, in memory) once with a replay of the retail model, then, in the same run:
1. raw consume: a consumer reading every message (no decoding, no loading);
2. `emitter sink` into a fresh DuckDB file;
3. `emitter sink` into PostgreSQL (the server of 127.0.0.1:5432 database `test`, or of $EMITTER_BENCH_PG_DSN),
   in a fresh database (the retail tables go to its schema `retail`), dropped afterwards.

    python bench/sink.py                 # 1,000,000 events
    python bench/sink.py --events 300000
    python bench/sink.py --preset small --events 20000   # a quick try
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from confluent_kafka import OFFSET_BEGINNING, Consumer, TopicPartition

from emitter.config import Config, load_config
from emitter.scenarios.retail import RetailScenario
from emitter.sink.consumer import SinkSettings
from emitter.sink.session import sink
from emitter.stream.embedded_broker import EmbeddedBroker
from emitter.stream.runner import StreamSettings
from emitter.stream.session import Delivery, stream
from emitter.stream.targets import TargetOptions

CATALOG = RetailScenario.catalog()
PER_DAY = tuple(t.id for t in CATALOG.per_day)


def fill(config: Config, bootstrap: str, prefix: str, events: int) -> int:
    settings = StreamSettings(
        tables=PER_DAY, topic_prefix=prefix, start=datetime(2024, 3, 4), speed=float("inf"), max_events=events
    )
    result = stream(config, settings, Delivery(options=TargetOptions(bootstrap_servers=bootstrap)))
    return result.target.delivered


def raw_consume(bootstrap: str, prefix: str, expected: int) -> float:
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": f"raw-{uuid.uuid4().hex[:6]}"})
    topics = [CATALOG.topic(prefix, t) for t in CATALOG.per_day]
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
    summary = sink(CATALOG, settings, warehouse)
    assert summary.loaded + summary.dead == expected, (summary.loaded, summary.dead, expected)
    return summary.rate  # from the first message to the last commit: the group join is not load time


def _postgres_server() -> str | None:
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
        return candidate
    return None


@contextmanager
def _fresh_database(server: str) -> Iterator[str]:
    """A database of its own on ``server``'s PostgreSQL, dropped afterwards: its URL."""
    import psycopg

    name = f"bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(urlsplit(server)._replace(path=f"/{name}", query=""))
    finally:
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--preset", help="the scenario's named settings, e.g. small (default: config.json volumes)")
    args = parser.parse_args()
    config = load_config(overrides={"preset": args.preset}, environ={})
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    with EmbeddedBroker() as broker, tempfile.TemporaryDirectory() as tmp:
        prefix = f"bench{uuid.uuid4().hex[:6]}."
        n = fill(config, broker.bootstrap, prefix, args.events)
        print(f"pre-filled {n:,} events of all retail tables into the bundled broker (6 partitions per topic)\n")
        print(f"1. raw consume (no decoding, no loading): {raw_consume(broker.bootstrap, prefix, n):>12,.0f} events/s")
        duck = load(broker.bootstrap, prefix, f"duckdb:///{Path(tmp) / 'bench.duckdb'}", n)
        print(f"2. emitter sink → DuckDB:                 {duck:>12,.0f} events/s")
        server = _postgres_server()
        if server is None:
            print(
                "3. emitter sink → PostgreSQL:             skipped (no server on 127.0.0.1:5432 / EMITTER_BENCH_PG_DSN)"
            )
        else:
            with _fresh_database(server) as pg:
                rate = load(broker.bootstrap, prefix, pg, n)
            print(f"3. emitter sink → PostgreSQL:             {rate:>12,.0f} events/s")


if __name__ == "__main__":
    main()
