"""A database per namespace (``postgresql://…/{namespace}``) against a real PostgreSQL server and the real broker.

Each namespace's database is read back with psycopg directly, not through emitter's destinations, so the
layout itself is what is checked: which tables each database holds, and where the bookkeeping went.
"""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from datetime import time as clock
from pathlib import Path
from typing import Any

import psycopg
import pytest
from contract.domains.ledger.scenario import LedgerScenario
from support import ROOT, namespace_database
from typer.testing import CliRunner

from emitter.cli.app import app
from emitter.config import load_config
from emitter.scenarios import open_scenario, register, scenario_class
from emitter.sink.reconcile import reconcile
from emitter.sink.session import make_decoder
from emitter.sink.warehouse_scope import open_warehouse
from emitter.stream.runner import StreamSettings
from emitter.stream.session import Delivery, stream
from emitter.stream.targets import TargetOptions

BANKING = "banking"
LEDGER = register(LedgerScenario)  # test-only: both of its namespaces stream
LEDGER_REFERENCE = f"{LedgerScenario.__module__}:{LedgerScenario.__qualname__}"


def _tables(url: str) -> dict[str, set[str]]:
    """schema → tables of one database, emitter's bookkeeping schema ``public`` left out."""
    with psycopg.connect(url) as conn:
        found = conn.execute(
            "SELECT table_schema, table_name FROM information_schema.tables "
            "WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('public', 'pg_catalog', 'information_schema')"
        ).fetchall()
    out: dict[str, set[str]] = {}
    for schema, table in found:
        out.setdefault(schema, set()).add(table)
    return out


def _scalar(url: str, sql: str) -> Any:
    with psycopg.connect(url) as conn:
        row = conn.execute(sql).fetchone()
    assert row is not None
    return row[0]


def _databases(template: str) -> set[str]:
    prefix = template.rsplit("/", 1)[1].split("{")[0]
    with psycopg.connect(namespace_database(template, "x").rsplit("/", 1)[0] + "/postgres") as conn:
        found = conn.execute("SELECT datname FROM pg_database WHERE starts_with(datname, %s)", [prefix]).fetchall()
    return {name.removeprefix(prefix) for (name,) in found}


# --- emitter load --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def banking_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One small banking day (three namespaces), written by a real ``emitter backfill``."""
    root = tmp_path_factory.mktemp("banking")
    day = scenario_class(BANKING).demo.start.date()
    run = subprocess.run(
        [sys.executable, "-m", "emitter", "backfill", "--scenario", BANKING, "--preset", "small",
         "--start", str(day), "--days", "1", "--out", str(root / "out"), "--quiet"],
        cwd=root, capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    return root / "out"


def test_load_puts_each_namespace_in_its_own_database_once(
    banking_out: Path, pg_template: str, isolated_runner: CliRunner
) -> None:
    partitions = json.loads((banking_out / "_manifest.json").read_text())["partitions"]
    expected: dict[str, dict[str, int]] = {}  # namespace → table → rows
    files: dict[str, int] = {}
    for record in partitions.values():
        namespace, table = record["table"].split(".")
        per_table = expected.setdefault(namespace, {})
        per_table[table] = per_table.get(table, 0) + record["rows"]
        files[namespace] = files.get(namespace, 0) + 1
    assert len(expected) == 3, "banking should have three namespaces"
    args = ["load", str(banking_out), "--warehouse", pg_template]

    first = isolated_runner.invoke(app, args, env={"COLUMNS": "200"})

    assert first.exit_code == 0, (first.output, first.exception)
    assert _databases(pg_template) == set(expected)
    for namespace, tables in expected.items():
        url = namespace_database(pg_template, namespace)
        assert _tables(url) == {namespace: set(tables)}, f"{namespace}'s database holds another namespace's tables"
        counts = {t: _scalar(url, f'SELECT count(*) FROM "{namespace}"."{t}"') for t in tables}
        assert counts == tables
        assert _scalar(url, "SELECT count(*) FROM public._emitter_loaded_files") == files[namespace]
        some = sorted(tables)[0]  # unqualified: the database's search_path finds the namespace's schema
        assert _scalar(url, f'SELECT count(*) FROM "{some}"') == tables[some]
    home = namespace_database(pg_template, scenario_class(BANKING).catalog().namespaces[0])
    assert _scalar(home, "SELECT count(*) FROM _emitter_origins") == 1

    second = isolated_runner.invoke(app, [*args, "--quiet"])

    assert second.exit_code == 0, (second.output, second.exception)
    for namespace, tables in expected.items():
        url = namespace_database(pg_template, namespace)
        assert {t: _scalar(url, f'SELECT count(*) FROM "{namespace}"."{t}"') for t in tables} == tables
        assert _scalar(url, "SELECT count(*) FROM public._emitter_loaded_files") == files[namespace]


def test_validate_status_report_and_clear_read_the_layout(
    banking_out: Path, pg_template: str, isolated_runner: CliRunner, tmp_path: Path
) -> None:
    loaded = isolated_runner.invoke(app, ["load", str(banking_out), "--warehouse", pg_template, "--quiet"])
    assert loaded.exit_code == 0, (loaded.output, loaded.exception)
    partitions = json.loads((banking_out / "_manifest.json").read_text())["partitions"]
    rows = sum(r["rows"] for r in partitions.values())
    tables = len({r["table"] for r in partitions.values()})
    env = {"COLUMNS": "250"}

    validated = isolated_runner.invoke(app, ["validate", "--warehouse", pg_template], env=env)
    assert validated.exit_code == 0, (validated.output, validated.exception)
    assert f"{rows:,} rows of {tables} banking tables" in validated.stdout
    assert "as recorded by the load" in validated.stdout

    status = isolated_runner.invoke(app, ["status", "--warehouse", pg_template], env=env)
    assert status.exit_code == 0, (status.output, status.exception)
    total = next(line for line in status.stdout.splitlines() if line.startswith("│ all"))
    assert f"{rows:,}" in total
    assert "absent" not in status.stdout
    assert f"{len(partitions)} loaded files" in status.stdout and "1 recorded run" in status.stdout

    page = tmp_path / "report.html"
    report = isolated_runner.invoke(app, ["report", "--warehouse", pg_template, "-o", str(page)])
    assert report.exit_code == 0, (report.output, report.exception)
    assert page.stat().st_size > 0 and "banking" in report.stdout

    cleared = isolated_runner.invoke(app, ["clear", "--warehouse", pg_template, "--confirm"])
    assert cleared.exit_code == 0, (cleared.output, cleared.exception)
    for namespace in scenario_class(BANKING).catalog().namespaces:
        url = namespace_database(pg_template, namespace)
        assert _tables(url) == {}
        assert _scalar(url, "SELECT count(*) FROM _emitter_loaded_files") == 0
        assert _scalar(url, "SELECT count(*) FROM _emitter_origins") == 0


# --- stream → sink -------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ledger_day(kafka_bootstrap: str) -> Iterator[tuple[str, dict[str, set[str]]]]:
    """(topic prefix, table id → trace ids): one small ledger day replayed into fresh topics, and its backfill ids."""
    config = load_config(None, {"scenario": LEDGER, "preset": "small"}, {})
    scenario = open_scenario(config)
    day = scenario.demo.start.date()
    ((_, tables),) = list(scenario.days([day], None))
    catalog = scenario.catalog()
    prefix = f"pn-{uuid.uuid4().hex[:8]}."
    settings = StreamSettings(
        tables=tuple(t.id for t in catalog.per_day),
        topic_prefix=prefix,
        start=datetime.combine(day, clock()),
        end=datetime.combine(day + timedelta(days=1), clock()),
        speed=math.inf,
    )
    sent = stream(config, settings, Delivery(options=TargetOptions(bootstrap_servers=kafka_bootstrap), partitions=3))
    assert sent.target.failed == 0
    ids = {t.id: set(tables[t.id].column(t.event_id or "").to_pylist()) for t in catalog.per_day}
    assert len({catalog.get(t).namespace for t in ids}) == 2, "the ledger should stream into two namespaces"
    assert sent.summary.total == sum(len(v) for v in ids.values())
    yield prefix, ids


def _sink_command(bootstrap: str, prefix: str, url: str, group: str, *extra: str) -> list[str]:
    """``emitter sink`` in a process of its own, the test-only ledger registered first."""
    launcher = (
        "import sys; from emitter.scenarios import register; "
        f"register({LEDGER_REFERENCE!r}); from emitter.cli.app import app; sys.exit(app())"
    )
    return [
        sys.executable, "-c", launcher, "sink", "--bootstrap-servers", bootstrap, "--topics", f"{prefix}*",
        "--warehouse", url, "--group", group, "--quiet", "--scenario", LEDGER, *extra,
    ]  # fmt: skip


def _stored(template: str, namespaces: tuple[str, ...], prefix: str) -> int:
    """Next offsets stored so far over every namespace's database (one not made, or not set up yet, holds none)."""
    made = _databases(template)
    total = 0
    for namespace in (n for n in namespaces if n in made):
        try:
            total += int(
                _scalar(
                    namespace_database(template, namespace),
                    f"SELECT coalesce(sum(next_offset), 0) FROM _emitter_offsets WHERE starts_with(topic, '{prefix}')",
                )
            )
        except psycopg.errors.UndefinedTable:
            continue
    return total


def test_sink_after_kill_9_equals_the_backfill_in_each_namespaces_database(
    kafka_bootstrap: str, ledger_day: tuple[str, dict[str, set[str]]], pg_template: str, tmp_path: Path
) -> None:
    prefix, ids = ledger_day
    catalog = scenario_class(LEDGER).catalog()
    total = sum(len(v) for v in ids.values())
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "tests"), os.environ.get("PYTHONPATH", "")]),
        "EMITTER_SINK__BATCH_SIZE": "200",
        "EMITTER_SINK__MAX_LATENCY_MS": "50",
    }
    group = f"g-{uuid.uuid4().hex[:8]}"
    first = subprocess.Popen(_sink_command(kafka_bootstrap, prefix, pg_template, group), env=env, cwd=tmp_path)
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and _stored(pg_template, catalog.namespaces, prefix) < total // 4:
            time.sleep(0.02)
    finally:  # also when the wait fails: the sink must not outlive the test's databases
        first.send_signal(signal.SIGKILL)  # no chance to finish a batch, nor the other database's half of one
        first.wait(timeout=10)
    assert 0 < _stored(pg_template, catalog.namespaces, prefix) < total, "the kill must land mid-way"

    second = subprocess.run(
        _sink_command(kafka_bootstrap, prefix, pg_template, group, "--until-idle", "3s"),
        env=env, cwd=tmp_path, timeout=180, capture_output=True, text=True,
    )  # fmt: skip

    assert second.returncode == 0, second.stderr
    for table_id, wanted in ids.items():
        spec = catalog.get(table_id)
        url = namespace_database(pg_template, spec.namespace)
        with psycopg.connect(url) as conn:
            got = [r[0] for r in conn.execute(f'SELECT "{spec.event_id}" FROM "{spec.namespace}"."{spec.name}"')]
            topics = {r[0] for r in conn.execute("SELECT topic FROM _emitter_offsets")}
        assert len(got) == len(set(got)), f"{table_id}: duplicate rows"
        assert set(got) == wanted, table_id
        assert topics == {catalog.topic(prefix, t) for t in catalog.per_day if t.namespace == spec.namespace}
    for namespace in catalog.namespaces:
        assert set(_tables(namespace_database(pg_template, namespace))) <= {namespace}
    topics = [catalog.topic(prefix, t) for t in catalog.per_day]
    with open_warehouse(pg_template, catalog) as warehouse:
        checks = reconcile(kafka_bootstrap, topics, warehouse, make_decoder(catalog), catalog)
    assert {c.topic for c in checks} == set(topics)
    assert [c for c in checks if not c.ok] == []
