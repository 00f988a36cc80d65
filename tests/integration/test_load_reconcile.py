"""``emitter load`` of a real backfill and ``emitter reconcile`` after a real stream and sink, DuckDB and PostgreSQL."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from confluent_kafka import Producer
from support import replay_into_topics, write_small_config
from typer.testing import CliRunner

from emitter.cli.app import app
from emitter.config import Config
from emitter.sink.destinations import Destination, TableName, open_destination
from emitter.stream.targets.kafka import producer_config
from emitter.stream.targets.topics import ensure_topics

STREAMED = ("receipts", "ble_pings")
PARTITIONS = 3


def _rows(d: Destination, table: str, where: str = "TRUE") -> int:
    """Rows of the retail table ``table`` (in the warehouse schema ``retail``)."""
    return int(d.query(f"SELECT count(*) AS n FROM retail.{table} WHERE {where}").column("n")[0].as_py())


def _count(url: str, table: str, where: str = "TRUE") -> int:
    with open_destination(url) as d:
        return _rows(d, table, where)


# --- load ------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def backfill_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two days of small retail history, written by a real ``emitter backfill``."""
    root = tmp_path_factory.mktemp("backfill")
    config = write_small_config(root / "config.json")
    out = root / "out"
    run = subprocess.run(
        [sys.executable, "-m", "emitter", "backfill", "--start", "2024-03-04", "--days", "2",
         "--out", str(out), "--config", str(config), "--quiet"],
        cwd=root, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    return out


def test_load_puts_every_table_in_once(backfill_out: Path, destination_url: str, tmp_path: Path) -> None:
    partitions = json.loads((backfill_out / "_manifest.json").read_text())["partitions"]
    expected: dict[str, int] = {}
    for record in partitions.values():
        expected[record["table"]] = expected.get(record["table"], 0) + record["rows"]
    assert {"receipts", "receipt_lines", "customers", "products", "stores"} <= set(expected)
    runner = CliRunner()
    (tmp_path / "empty.json").write_text("{}")
    args = ["load", str(backfill_out), "--warehouse", destination_url, "--config", str(tmp_path / "empty.json")]

    first = runner.invoke(app, args, env={"COLUMNS": "200"})
    assert first.exit_code == 0, (first.output, first.exception)
    with open_destination(destination_url) as d:
        assert d.data_tables(["retail"]) == sorted(TableName("retail", t) for t in expected)
        assert d.table_names() == [], "data tables go to the namespace's schema, not the destination's"
        loaded = {t: _rows(d, t) for t in expected}
        sources = d.query("SELECT count(DISTINCT _source) AS n FROM retail.receipts").column("n")[0].as_py()
        files = d.query("SELECT count(*) AS n FROM _emitter_loaded_files").column("n")[0].as_py()
    assert loaded == expected
    assert sources == sum(1 for r in partitions.values() if r["table"] == "receipts")
    assert files == len(partitions)

    second = runner.invoke(app, args, env={"COLUMNS": "200"})
    assert second.exit_code == 0, (second.output, second.exception)
    with open_destination(destination_url) as d:
        again = {t.name: _rows(d, t.name) for t in d.data_tables(["retail"])}
        files_again = d.query("SELECT count(*) AS n FROM _emitter_loaded_files").column("n")[0].as_py()
    assert again == expected
    assert files_again == len(partitions)
    # the second listing reports every file as skipped and no rows
    receipts_row = next(line for line in second.stdout.splitlines() if "│ receipts " in line)
    assert [cell.strip() for cell in receipts_row.split("│")[2:5]] == ["0", "2", "0"], receipts_row


def test_two_loads_at_once_into_a_fresh_schema_load_every_file_once(backfill_out: Path, pg_url: str) -> None:
    """Concurrent CREATE … IF NOT EXISTS collided in the catalog, and both claimed the same files."""
    partitions = json.loads((backfill_out / "_manifest.json").read_text())["partitions"]
    expected: dict[str, int] = {}
    for record in partitions.values():
        expected[record["table"]] = expected.get(record["table"], 0) + record["rows"]
    url = f"{pg_url}?schema=fresh_{uuid.uuid4().hex[:8]}"
    loads = [
        subprocess.Popen(
            [sys.executable, "-m", "emitter", "load", str(backfill_out), "--warehouse", url, "--quiet"],
            cwd=backfill_out.parent,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    errors = [load.communicate(timeout=180)[1] for load in loads]

    assert [load.returncode for load in loads] == [0, 0], errors
    with open_destination(url) as d:
        assert {t: _rows(d, t) for t in expected} == expected
        files = d.query("SELECT count(*) AS n, count(DISTINCT source) AS s FROM _emitter_loaded_files").to_pylist()
    assert files == [{"n": len(partitions), "s": len(partitions)}]


# --- reconcile -------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def streamed(kafka_bootstrap: str, small_config: Config) -> tuple[str, int]:
    """(topic prefix, events delivered): three hours of a small model replayed at full speed into fresh topics."""
    prefix = f"r{uuid.uuid4().hex[:8]}."
    start, end = datetime(2024, 3, 5, 10), datetime(2024, 3, 5, 13)
    result = replay_into_topics(small_config, kafka_bootstrap, STREAMED, prefix, start, end, PARTITIONS)
    assert result.target.delivered == result.summary.total > 1000
    return prefix, result.target.delivered


def _reconcile(bootstrap: str, prefix: str, url: str) -> tuple[int, list[list[str]], str]:
    """Exit code, the listing's rows (cells) and stderr of ``emitter reconcile``."""
    result = CliRunner().invoke(
        app,
        ["reconcile", "--bootstrap-servers", bootstrap, "--topics", f"{prefix}*", "--warehouse", url,
         "--scenario", "retail"],
        env={"COLUMNS": "250"},
    )  # fmt: skip
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    rows = [
        [cell.strip() for cell in line.split("│")[1:-1]]
        for line in result.stdout.splitlines()
        if line.startswith("│") and prefix in line
    ]
    return result.exit_code, rows, result.stderr


def test_reconcile_matches_after_sink_and_finds_tampering(
    kafka_bootstrap: str, streamed: tuple[str, int], destination_url: str, tmp_path: Path
) -> None:
    prefix, delivered = streamed
    sink = subprocess.run(
        [sys.executable, "-m", "emitter", "sink", "--bootstrap-servers", kafka_bootstrap, "--topics", f"{prefix}*",
         "--warehouse", destination_url, "--group", f"g-{uuid.uuid4().hex[:8]}", "--scenario", "retail",
         "--until-idle", "2s", "--quiet"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert sink.returncode == 0, sink.stderr
    assert sum(_count(destination_url, t) for t in STREAMED) == delivered

    code, rows, err = _reconcile(kafka_bootstrap, prefix, destination_url)
    assert code == 0, (rows, err)
    assert len(rows) == len(STREAMED) * PARTITIONS
    assert all(r[-1] == "ok" and r[-2] == "match" for r in rows), rows

    # Tamper twice (one reconcile run costs seconds per topic), each in its own partition:
    # rows deleted from receipts[1], and the stored offset of ble_pings[0] moved back by one.
    where = f"_topic = '{prefix}receipts' AND _partition = 1"
    assert _count(destination_url, "receipts", where) > 3
    ble_pings = f"topic = '{prefix}ble_pings' AND \"partition\" = 0"
    with open_destination(destination_url) as d:
        d.query(f"DELETE FROM retail.receipts WHERE {where} AND _offset < 3")
        if d.capabilities.name == "ClickHouse":  # offsets are versioned rows there: a newer version moves one
            d.query(
                'INSERT INTO _emitter_offsets SELECT topic, "partition", next_offset - 1, now64(6) '
                f"FROM _emitter_offsets FINAL WHERE {ble_pings}"
            )
        else:
            d.query(f"UPDATE _emitter_offsets SET next_offset = next_offset - 1 WHERE {ble_pings}")
    code, rows, err = _reconcile(kafka_bootstrap, prefix, destination_url)
    assert code == 1, rows
    assert "2 partitions differ" in err
    bad = {(r[0], r[1]): r for r in rows if r[-1] != "ok"}
    assert sorted(bad) == [(f"{prefix}ble_pings", "0"), (f"{prefix}receipts", "1")], rows
    assert all(r[-1] == "MISMATCH" for r in bad.values())
    # columns: topic, partition, messages, rows, dead, next offset, end, checksum, result
    deleted = [int(c.replace(",", "")) if c[0].isdigit() else c for c in bad[(f"{prefix}receipts", "1")][2:8]]
    messages, loaded, _, next_offset, end, checksum = deleted
    assert (loaded, next_offset, checksum) == (messages - 3, end, "DIFFERS")
    moved = [int(c.replace(",", "")) if c[0].isdigit() else c for c in bad[(f"{prefix}ble_pings", "0")][2:8]]
    messages, loaded, _, next_offset, end, checksum = moved
    assert (loaded, next_offset, checksum) == (messages, end - 1, "match")


def test_a_password_in_the_warehouse_url_is_never_printed(
    kafka_bootstrap: str, streamed: tuple[str, int], backfill_out: Path, pg_url: str, tmp_path: Path
) -> None:
    """The summaries of load and sink and the reconcile header show the URL, with its password masked.

    Trust authentication accepts any password, so a real one can ride along without being needed.
    """
    parts = urlsplit(pg_url)
    secret = "SECRET123"
    url = urlunsplit(parts._replace(netloc=f"{parts.username or 'postgres'}:{secret}@{parts.hostname}:{parts.port}"))
    (tmp_path / "empty.json").write_text("{}")
    load = CliRunner().invoke(
        app, ["load", str(backfill_out), "--warehouse", url, "--config", str(tmp_path / "empty.json")],
        env={"COLUMNS": "250"},
    )  # fmt: skip
    assert load.exit_code == 0, (load.output, load.exception)
    prefix, _ = streamed
    sink = subprocess.run(
        [sys.executable, "-m", "emitter", "sink", "--bootstrap-servers", kafka_bootstrap, "--topics", f"{prefix}*",
         "--warehouse", url, "--group", f"g-{uuid.uuid4().hex[:8]}", "--scenario", "retail", "--until-idle", "2s"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120, env={**os.environ, "COLUMNS": "250"},
    )  # fmt: skip
    assert sink.returncode == 0, sink.stderr
    reconcile = CliRunner().invoke(
        app, ["reconcile", "--bootstrap-servers", kafka_bootstrap, "--topics", f"{prefix}*", "--warehouse", url,
              "--scenario", "retail"], env={"COLUMNS": "250"},
    )  # fmt: skip
    assert reconcile.exit_code == 0, reconcile.output
    for output in (load.output, sink.stdout + sink.stderr, reconcile.output):
        assert secret not in output
        assert f"{parts.username or 'postgres'}:***@" in output


def _empty_topics(bootstrap: str, names: list[str], partitions: int = 2) -> None:
    assert ensure_topics(producer_config(bootstrap), names, partitions) == names


def test_reconcile_counts_an_empty_topic_without_a_table_as_loaded(kafka_bootstrap: str, tmp_path: Path) -> None:
    """Nothing streamed (live truck_moves is often empty): the topic exists, the warehouse has no table for it."""
    prefix = f"e{uuid.uuid4().hex[:8]}."
    _empty_topics(kafka_bootstrap, [prefix + "receipts", prefix + "truck_moves"])
    url = f"duckdb:///{tmp_path / 'warehouse.duckdb'}"

    code, rows, err = _reconcile(kafka_bootstrap, prefix, url)

    assert code == 0, (rows, err)
    assert sorted((r[0], r[1]) for r in rows) == [(prefix + t, p) for t in ("receipts", "truck_moves") for p in "01"]
    assert all(r[-1] == "ok" and r[2] == "0" for r in rows), rows
    assert "not loaded" not in err, err


def test_reconcile_still_reports_a_topic_with_messages_and_no_table(kafka_bootstrap: str, tmp_path: Path) -> None:
    prefix = f"u{uuid.uuid4().hex[:8]}."
    _empty_topics(kafka_bootstrap, [prefix + "receipts", prefix + "ble_pings"], partitions=1)
    producer = Producer({"bootstrap.servers": kafka_bootstrap})
    producer.produce(prefix + "ble_pings", b"not loaded yet")
    assert producer.flush(30) == 0
    url = f"duckdb:///{tmp_path / 'warehouse.duckdb'}"

    code, rows, err = _reconcile(kafka_bootstrap, prefix, url)

    assert code == 1, (rows, err)
    assert [(r[0], r[-1]) for r in rows] == [(prefix + "receipts", "ok")]
    assert f"{prefix}ble_pings: no table in the warehouse yet" in err
    assert "0 partitions differ, 1 topics not loaded" in err


def test_piped_reconcile_output_keeps_whole_topic_names(kafka_bootstrap: str, tmp_path: Path) -> None:
    prefix = f"piped-{'x' * 70}-{uuid.uuid4().hex[:8]}."
    topics = [prefix + "receipts", prefix + "receipt_lines"]
    _empty_topics(kafka_bootstrap, topics, partitions=1)
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}

    run = subprocess.run(
        [sys.executable, "-m", "emitter", "reconcile", "--bootstrap-servers", kafka_bootstrap, "--topics",
         f"{prefix}*", "--warehouse", f"duckdb:///{tmp_path / 'w.duckdb'}", "--scenario", "retail"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip

    assert run.returncode == 0, run.stderr
    listed = [line for line in run.stdout.splitlines() if line.startswith("│")]
    assert len(listed) == 2, run.stdout
    for topic, line in zip(sorted(topics), listed, strict=True):
        assert line.split("│")[1].strip() == topic, line
    assert "…" not in run.stdout
