"""``emitter sink`` against the real broker and real warehouses: exactly once across kill -9, dead letters."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import datetime
from pathlib import Path

from confluent_kafka import Consumer, Producer, TopicPartition
from support import replay_into_topics

from emitter.avro.framing import SingleObjectFraming
from emitter.config import Config
from emitter.scenarios import open_scenario
from emitter.scenarios.retail import RetailScenario
from emitter.sink.destinations import open_destination
from emitter.sink.reconcile import reconcile
from emitter.sink.session import make_decoder

TABLES = ("receipts", "receipt_lines", "ble_pings", "online_orders")
CATALOG = RetailScenario.catalog()


def _sink(bootstrap: str, prefix: str, url: str, group: str, *extra: str) -> list[str]:
    return [
        sys.executable, "-m", "emitter", "sink", "--bootstrap-servers", bootstrap, "--topics", f"{prefix}*",
        "--warehouse", url, "--group", group, "--quiet", "--scenario", "retail", *extra,
    ]  # fmt: skip


def _committed(bootstrap: str, group: str, topics: list[str]) -> int:
    """Events the sink has loaded so far, from the offsets it commits to Kafka after each warehouse transaction.

    (The warehouse itself can't be polled: a DuckDB file is locked by the process that has it open.)
    """
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": group, "enable.auto.commit": False})
    try:
        parts = [TopicPartition(t, p) for t in topics for p in consumer.list_topics(t, timeout=10).topics[t].partitions]
        return sum(max(tp.offset, 0) for tp in consumer.committed(parts, timeout=10))
    finally:
        consumer.close()


def test_kill_9_mid_load_then_restart_loads_every_event_exactly_once(
    kafka_bootstrap: str, destination_url: str, small_config: Config, tmp_path: Path
) -> None:
    config = small_config
    prefix = f"s{uuid.uuid4().hex[:8]}."
    sent = replay_into_topics(
        config, kafka_bootstrap, TABLES, prefix, datetime(2024, 3, 5, 8), datetime(2024, 3, 5, 20)
    )
    total = sent.target.delivered
    assert total > 20_000

    group = f"g-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "EMITTER_SINK__BATCH_SIZE": "1500", "EMITTER_SINK__MAX_LATENCY_MS": "100"}
    first = subprocess.Popen(_sink(kafka_bootstrap, prefix, destination_url, group), env=env, cwd=tmp_path)
    deadline = time.monotonic() + 60
    topics = [prefix + t for t in TABLES]
    while time.monotonic() < deadline and _committed(kafka_bootstrap, group, topics) < total // 4:
        time.sleep(0.05)
    first.send_signal(signal.SIGKILL)  # no chance to finish a batch or commit anything
    first.wait(timeout=10)
    with open_destination(destination_url) as d:
        loaded_before = int(
            d.query("SELECT coalesce(sum(next_offset), 0) AS n FROM _emitter_offsets").column("n")[0].as_py()
        )
    assert 0 < loaded_before < total, "the kill must land mid-way"

    second = subprocess.run(
        _sink(kafka_bootstrap, prefix, destination_url, group, "--until-idle", "3s"),
        env=env, cwd=tmp_path, timeout=180, capture_output=True, text=True,
    )  # fmt: skip
    assert second.returncode == 0, second.stderr

    with open_destination(destination_url) as d:
        checks = reconcile(kafka_bootstrap, [prefix + t for t in TABLES], d, make_decoder(CATALOG), CATALOG)
        for table in TABLES:
            ids = d.query(f"SELECT trace_id FROM retail.{table} WHERE _topic = '{prefix}{table}'").column("trace_id")
            assert len(ids) == len(set(ids.to_pylist())), f"{table}: duplicate rows"
        loaded = sum(
            int(d.query(f"SELECT count(*) AS n FROM retail.{t} WHERE _topic = '{prefix}{t}'").column("n")[0].as_py())
            for t in TABLES
        )
    assert all(c.ok for c in checks), [c for c in checks if not c.ok]
    assert loaded == total


def test_garbage_and_wrong_schema_go_to_dead_letters(
    kafka_bootstrap: str, destination_url: str, small_config: Config, tmp_path: Path
) -> None:
    prefix = f"d{uuid.uuid4().hex[:8]}."
    topic = prefix + "receipts"
    ((_, tables),) = open_scenario(small_config).days([datetime(2024, 3, 5).date()], ["receipts", "ble_pings"])
    framing = SingleObjectFraming()
    receipts, pings = CATALOG.avro(CATALOG.get("receipts")), CATALOG.avro(CATALOG.get("ble_pings"))
    good = framing.encode(tables["receipts"].slice(0, 50), receipts, topic).messages()
    wrong = framing.encode(tables["ble_pings"].slice(0, 3), pings, topic).messages()
    truncated = good[0][: len(good[0]) // 2]
    garbage = [b"\x00\xff garbage", b"not avro at all", truncated]
    producer = Producer({"bootstrap.servers": kafka_bootstrap})
    for value in [*good[:20], *garbage, *wrong, *good[20:]]:
        producer.produce(topic, value, key=b"k", partition=0)
    producer.flush()

    run = subprocess.run(
        _sink(kafka_bootstrap, prefix, destination_url, f"g-{uuid.uuid4().hex[:8]}", "--until-idle", "2s"),
        cwd=tmp_path, timeout=120, capture_output=True, text=True,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    with open_destination(destination_url) as d:
        rows = d.query(f"SELECT receipt_id FROM retail.receipts WHERE _topic = '{topic}'")
        dead = d.query(f"SELECT \"offset\", reason, raw FROM _emitter_dead_letters WHERE topic = '{topic}' ORDER BY 1")
        offsets = d.query(f"SELECT next_offset FROM _emitter_offsets WHERE topic = '{topic}'")
    assert rows.num_rows == len(good)
    assert dead.column("offset").to_pylist() == list(range(20, 20 + len(garbage) + len(wrong)))
    assert dead.column("raw").to_pylist() == [*garbage, *wrong]
    reasons = dead.column("reason").to_pylist()
    assert all(r for r in reasons)
    assert all("mismatch" in r for r in reasons[len(garbage) :]), reasons
    assert offsets.column("next_offset").to_pylist() == [len(good) + len(garbage) + len(wrong)]
