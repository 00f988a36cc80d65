"""``emitter stream`` against a real broker: delivery, decoding with the schema files alone, keys, framing, SIGTERM."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import date, datetime
from pathlib import Path

import fastavro
import pytest
from confluent_kafka import Consumer, TopicPartition
from support import ReadTopic, decode_single_object, retail_schemas, write_small_config

from emitter.backfill import run_backfill
from emitter.config import Config
from emitter.formats.readers import read_table
from emitter.scenarios.retail import RetailScenario
from emitter.stream.runner import StreamSettings
from emitter.stream.session import Delivery, stream
from emitter.stream.targets import TargetOptions

ROOT = Path(__file__).resolve().parents[2]
CATALOG = RetailScenario.catalog()


def _prefix() -> str:
    return f"t{uuid.uuid4().hex[:8]}."


def _config(tmp_path: Path) -> Path:
    return write_small_config(tmp_path / "config.json")


def _wait_for_records(bootstrap: str, topics: list[str], process: subprocess.Popen[str], timeout: float) -> None:
    """Until one of ``topics`` holds a record (or ``process`` ends, or ``timeout`` passes): a start, not a pace."""
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": f"w-{uuid.uuid4().hex[:8]}"})
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline and process.poll() is None:
            known = consumer.list_topics(timeout=10).topics
            for topic in (t for t in topics if t in known):
                for partition in known[topic].partitions:
                    if consumer.get_watermark_offsets(TopicPartition(topic, partition), timeout=10)[1] > 0:
                        return
            time.sleep(0.2)
    finally:
        consumer.close()
    pytest.fail(f"no record on {topics} within {timeout:.0f} s (the stream {'ended' if process.poll() else 'runs'})")


def _emitter(*args: str) -> list[str]:
    return [sys.executable, "-m", "emitter", *args]


def test_live_stream_delivers_rate_times_time_and_every_event_decodes(
    kafka_bootstrap: str, topic_records: ReadTopic, tmp_path: Path
) -> None:
    prefix = _prefix()
    run = subprocess.run(
        _emitter(
            "stream",
            "--emit-interval-ms",
            "100",
            "--burst",
            "40",
            "--duration",
            "3s",
            "--bootstrap-servers",
            kafka_bootstrap,
            "--topic-prefix",
            prefix,
            "--config",
            str(_config(tmp_path)),
        ),
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert run.returncode == 0, run.stderr
    total = 0
    per_day = {t.id for t in CATALOG.per_day}
    assert per_day < {t for t, _ in retail_schemas().values()}, "the schema files hold every streamed table"
    for table in per_day:
        for _, _, _, value in topic_records(prefix + table):
            name, record = decode_single_object(value)
            assert name == table
            assert record["trace_id"].startswith("TRC")
            total += 1
    # 40 events every 100 ms for 3 s
    assert total == pytest.approx(1200, abs=40)


def test_replayed_day_equals_the_backfill_partition(
    kafka_bootstrap: str, topic_records: ReadTopic, small_config: Config, tmp_path: Path
) -> None:
    """One model, two modes: streaming 2024-01-02 emits exactly the rows backfill wrote for dt=2024-01-02."""
    config = small_config
    tables = ("receipts", "receipt_lines", "store_inventory_txn", "truck_moves", "online_orders", "marketing")
    prefix = _prefix()
    result = stream(
        config,
        StreamSettings(
            tables=tables, topic_prefix=prefix, start=datetime(2024, 1, 2), end=datetime(2024, 1, 3), speed=float("inf")
        ),
        Delivery(options=TargetOptions(bootstrap_servers=kafka_bootstrap), partitions=3),
    )
    assert result.summary.stopped_by == "end"
    assert result.target.delivered == result.summary.total > 0
    assert result.topics == {t: prefix + t for t in tables}

    out = tmp_path / "bf"
    run_backfill(config, date(2024, 1, 1), date(2024, 1, 3), out, "parquet", list(tables))
    for table in tables:
        expected = read_table(
            out / f"facts/{table}/dt=2024-01-02/{table}_20240102.parquet", "parquet", CATALOG.avro(CATALOG.get(table))
        ).to_pylist()
        streamed = [decode_single_object(v)[1] for _, _, _, v in topic_records(prefix + table)]
        assert len(streamed) == len(expected), table
        assert sorted(streamed, key=lambda r: r["trace_id"]) == sorted(expected, key=lambda r: r["trace_id"]), table


def test_store_events_share_a_partition_per_store_across_topics(
    kafka_bootstrap: str, topic_records: ReadTopic, small_config: Config
) -> None:
    config = small_config
    prefix = _prefix()
    stream(
        config,
        StreamSettings(
            tables=("receipts", "receipt_lines", "foot_traffic"),
            topic_prefix=prefix,
            start=datetime(2024, 3, 5, 10),
            end=datetime(2024, 3, 5, 14),
            speed=float("inf"),
        ),
        Delivery(options=TargetOptions(bootstrap_servers=kafka_bootstrap), partitions=4),
    )
    partition_of: dict[int, set[int]] = {}
    for table in ("receipts", "receipt_lines", "foot_traffic"):
        for partition, _, key, value in topic_records(prefix + table):
            _, record = decode_single_object(value)
            store = record.get("store_id") or int(record["receipt_id"][11:16])
            assert key == str(store).encode()
            partition_of.setdefault(store, set()).add(partition)
    assert partition_of and all(len(p) == 1 for p in partition_of.values()), partition_of
    # lines follow their receipt within the partition
    receipts = {}
    for partition, _, _, value in topic_records(prefix + "receipts"):
        receipts[decode_single_object(value)[1]["receipt_id"]] = partition
    for partition, _, _, value in topic_records(prefix + "receipt_lines"):
        assert receipts[decode_single_object(value)[1]["receipt_id"]] == partition


def test_schema_registry_framing(kafka_bootstrap: str, topic_records: ReadTopic, small_config: Config) -> None:
    from confluent_kafka.schema_registry import SchemaRegistryClient

    config = small_config
    prefix = _prefix()
    # mock:// registries live inside one client object, so the test shares the stream's client
    registry = SchemaRegistryClient.new_client({"url": f"mock://{uuid.uuid4().hex[:8]}"})
    stream(
        config,
        StreamSettings(
            tables=("receipts",),
            topic_prefix=prefix,
            start=datetime(2024, 3, 5, 10),
            end=datetime(2024, 3, 5, 12),
            speed=float("inf"),
        ),
        Delivery(options=TargetOptions(bootstrap_servers=kafka_bootstrap), schema_registry=registry, partitions=2),
    )
    registered = registry.get_latest_version(f"{prefix}receipts-value")
    parsed = fastavro.parse_schema(json.loads(registered.schema.schema_str))
    records = topic_records(prefix + "receipts")
    assert records
    for _, _, _, value in records:
        assert value[0] == 0
        assert int.from_bytes(value[1:5], "big") == registered.schema_id
        assert fastavro.schemaless_reader(io.BytesIO(value[5:]), parsed)["receipt_id"].startswith("RCP")


def test_sigterm_flushes_everything_sent(kafka_bootstrap: str, topic_records: ReadTopic, tmp_path: Path) -> None:
    prefix = _prefix()
    proc = subprocess.Popen(
        _emitter(
            "stream",
            "--start",
            "2024-03-05T08:00",
            "--speed",
            "600",
            "--emit-interval-ms",
            "50",
            "--tables",
            "receipts,receipt_lines,ble_pings",
            "--bootstrap-servers",
            kafka_bootstrap,
            "--topic-prefix",
            prefix,
            "--config",
            str(_config(tmp_path)),
        ),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "COLUMNS": "200"},
    )
    tables = ("receipts", "receipt_lines", "ble_pings")
    _wait_for_records(kafka_bootstrap, [prefix + t for t in tables], proc, timeout=120)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert "stopped by signal" in " ".join((out + err).split()), "the summary's title (wrapped to the table's width)"
    reported = int(
        next(line for line in (out + err).splitlines() if line.startswith("│ total"))
        .split("│")[2]
        .strip()
        .replace(",", "")
    )
    seen = []
    for table in tables:
        seen += [decode_single_object(v)[1]["trace_id"] for _, _, _, v in topic_records(prefix + table)]
    assert reported > 0
    assert len(seen) == reported
    assert len(set(seen)) == len(seen)
