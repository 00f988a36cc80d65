"""Stream and sink for every scenario, against the real broker and real warehouses.

One day replayed into the broker equals that day's backfill partitions row for row (read back with an
independent decoder); the sink then loads every table into its namespace's schema, and reconcile agrees.
"""

from __future__ import annotations

import io
import math
import uuid
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any

import fastavro
import pytest

from emitter.avro.framing import fingerprint
from emitter.avro.schemas import record_full_name
from emitter.scenarios import scenario_class
from emitter.sink.consumer import SinkSettings
from emitter.sink.destinations import TableName, open_destination
from emitter.sink.reconcile import reconcile
from emitter.sink.session import make_decoder, sink
from emitter.sink.topic_reader import read_topics
from emitter.sink.validate import validate_warehouse
from emitter.stream.runner import StreamSettings
from emitter.stream.session import Delivery, StreamResult, stream
from emitter.stream.targets import TargetOptions

from .conftest import Generated, check_json_columns, first_day, small_config

pytestmark = pytest.mark.slow


def _replay_first_day(run: Generated, bootstrap: str, prefix: str) -> StreamResult:
    day = run.days[0]
    settings = StreamSettings(
        tables=tuple(t.id for t in run.catalog.per_day),
        topic_prefix=prefix,
        start=datetime.combine(day, time()),
        end=datetime.combine(day + timedelta(days=1), time()),
        speed=math.inf,
    )
    return stream(run.config, settings, Delivery(options=TargetOptions(bootstrap_servers=bootstrap), partitions=3))


@pytest.fixture(scope="session")
def replayed(generated: Generated, kafka_bootstrap: str) -> tuple[Generated, str, StreamResult]:
    """The first day of the scenario, streamed once per session into topics of their own."""
    prefix = f"{generated.name}-{uuid.uuid4().hex[:8]}."
    return generated, prefix, _replay_first_day(generated, kafka_bootstrap, prefix)


def _independent_decoder(run: Generated) -> dict[bytes, tuple[str, Any]]:
    """Single-object fingerprint → (table id, fastavro schema), from the catalog's schemas only."""
    avro = {t.id: run.catalog.avro(t) for t in run.catalog.tables}
    return {fingerprint(schema): (table, fastavro.parse_schema(schema)) for table, schema in avro.items()}


def test_a_replayed_day_equals_its_backfill_rows_and_keys(
    replayed: tuple[Generated, str, StreamResult], kafka_bootstrap: str
) -> None:
    run, prefix, result = replayed
    day = run.days[0]
    schemas = _independent_decoder(run)
    assert result.target.failed == 0
    assert result.summary.total == sum(t.num_rows for t in run.by_day[day].values())
    topics = {spec.id: run.catalog.topic(prefix, spec) for spec in run.catalog.per_day}
    read = read_topics(kafka_bootstrap, list(topics.values()))
    for spec in run.catalog.per_day:
        topic = topics[spec.id]
        assert read[topic].complete, topic
        records = read[topic].records()
        expected = run.by_day[day][spec.id]
        assert len(records) == expected.num_rows, topic
        got: list[dict[str, Any]] = []
        keys: dict[str, bytes | None] = {}
        for record in records:
            assert record.value is not None and record.value[:2] == b"\xc3\x01", "not single-object encoded"
            table_id, schema = schemas[record.value[2:10]]
            assert table_id == spec.id, f"{topic} carries a {table_id} record"
            row = fastavro.schemaless_reader(io.BytesIO(record.value[10:]), schema)
            got.append(row)
            keys[row[spec.event_id or ""]] = record.key
        want = expected.to_pylist()
        assert sorted(got, key=lambda r: r[spec.event_id]) == sorted(want, key=lambda r: r[spec.event_id]), topic
        wanted_keys = run.scenario.stream_keys(spec.id, expected).to_pylist()
        event_ids = expected.column(spec.event_id).to_pylist()
        assert {e: k.encode() for e, k in zip(event_ids, wanted_keys, strict=True)} == keys, topic


def test_the_sink_loads_every_table_into_its_namespace_and_reconcile_agrees(
    replayed: tuple[Generated, str, StreamResult], kafka_bootstrap: str, destination_url: str
) -> None:
    run, prefix, result = replayed
    day = run.days[0]
    settings = SinkSettings(
        kafka_bootstrap,
        topics=prefix + "*",
        group=f"contract-{uuid.uuid4().hex[:8]}",
        max_latency_ms=300,
        session_timeout_ms=3_000,
        idle_exit_s=3.0,
        max_events=result.summary.total,
    )
    summary = sink(run.catalog, settings, destination_url)
    assert summary.dead == 0
    expected = {str(TableName(t.namespace, t.name)): run.by_day[day][t.id].num_rows for t in run.catalog.per_day}
    assert summary.loaded_by_table == {k: v for k, v in expected.items() if v}
    topics = [run.catalog.topic(prefix, t) for t in run.catalog.per_day]
    with open_destination(destination_url) as warehouse:
        for spec in run.catalog.per_day:
            rows = warehouse.query(f'SELECT * FROM "{spec.namespace}"."{spec.name}" WHERE _topic LIKE \'{prefix}%\'')
            assert rows.num_rows == run.by_day[day][spec.id].num_rows, spec.id
        day_rows = {t.id: run.by_day[day][t.id] for t in run.catalog.per_day}
        check_json_columns(warehouse, run.catalog, day_rows, f"WHERE _topic LIKE '{prefix}%'")
        checks = reconcile(kafka_bootstrap, topics, warehouse, make_decoder(run.catalog), run.catalog)
    assert {c.topic for c in checks} == set(topics)
    assert [c for c in checks if not c.ok] == []


def test_tables_that_share_a_name_land_apart(generated: Generated) -> None:
    """Where two namespaces hold a table of the same name, ids, topics and warehouse tables stay apart."""
    catalog = generated.catalog
    by_name: dict[str, list[str]] = {}
    for spec in catalog.tables:
        by_name.setdefault(spec.name, []).append(spec.id)
    for ids in (v for v in by_name.values() if len(v) > 1):
        specs = [catalog.get(i) for i in ids]
        assert len({catalog.topic("x.", s) for s in specs}) == len(specs)
        assert len({TableName(s.namespace, s.name) for s in specs}) == len(specs)
        assert len({record_full_name(catalog.avro(s)) for s in specs}) == len(specs)


def test_a_config_with_the_scenarios_own_section_streams(scenario_name: str, kafka_bootstrap: str) -> None:
    """The feeder process rebuilds the config; a section named after a run-time registered scenario must pass."""
    section = scenario_class(scenario_name).settings_model.PRESETS["small"]  # the same world, spelled out
    assert section, "the small preset should name some settings"
    config = small_config(scenario_name, **{scenario_name: section})
    day = first_day(scenario_name)
    settings = StreamSettings(
        tables=tuple(t.id for t in scenario_class(scenario_name).catalog().per_day),
        topic_prefix=f"{scenario_name}-section-{uuid.uuid4().hex[:8]}.",
        start=datetime.combine(day, time()),
        speed=math.inf,
        max_events=100,
    )
    result = stream(config, settings, Delivery(options=TargetOptions(bootstrap_servers=kafka_bootstrap)))
    assert result.summary.total == 100


def test_sunk_events_hold_every_rule_with_the_reference_rebuilt_from_the_seed(
    replayed: tuple[Generated, str, StreamResult], kafka_bootstrap: str, tmp_path: Path
) -> None:
    """What `emitter validate --warehouse` does after `emitter sink`: the stream's settings judge the rows."""
    run, prefix, result = replayed
    url = f"duckdb:///{tmp_path / 'sunk.duckdb'}"
    settings = SinkSettings(
        kafka_bootstrap,
        topics=prefix + "*",
        group=f"contract-{uuid.uuid4().hex[:8]}",
        max_latency_ms=300,
        session_timeout_ms=3_000,
        idle_exit_s=3.0,
        max_events=result.summary.total,
    )
    sink(run.catalog, settings, url)
    with open_destination(url) as warehouse:
        assert warehouse.origins() == []  # a sink can't know the stream's settings
        check = validate_warehouse(warehouse, run.scenario)
    assert check.rebuilt == [t.id for t in run.catalog.reference]
    assert sum(check.rows.values()) == result.summary.total
    assert [r for r in check.results if not r.ok] == []
    first_day = {**run.reference, **{t.id: run.by_day[run.days[0]][t.id] for t in run.catalog.per_day}}
    assert [r.rule for r in check.results[1:]] == [r.rule for r in run.scenario.rules(first_day)]
