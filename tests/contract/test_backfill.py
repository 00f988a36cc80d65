"""Backfill for every scenario: chunking and workers never change a byte; validate and load agree."""

from __future__ import annotations

from pathlib import Path

import pytest

from emitter.backfill import read_manifest, run_backfill
from emitter.backfill.validate import load_output, validate_output
from emitter.scenarios import TableKind
from emitter.sink.destinations import TableName, open_destination
from emitter.sink.load import load_backfill

from .conftest import Generated, check_json_columns

pytestmark = pytest.mark.slow  # writes and re-reads days of files, and loads warehouses


def _digests(out: Path) -> dict[str, str]:
    manifest = read_manifest(out)
    assert manifest is not None
    return {key: record.sha256 for key, record in manifest.partitions.items()}


def test_one_run_equals_one_day_runs_equals_two_workers(generated: Generated, tmp_path: Path) -> None:
    first, last = generated.days[0], generated.days[-1]
    whole = tmp_path / "whole"
    run_backfill(generated.config, first, last, whole)
    by_day = tmp_path / "by-day"
    for day in generated.days:
        run_backfill(generated.config, day, day, by_day)
    workers = tmp_path / "workers"
    run_backfill(generated.config, first, last, workers, workers=2)
    expected = _digests(whole)
    per_day_tables = len(generated.catalog.per_day)
    assert len(expected) == len(generated.catalog.reference) + per_day_tables * len(generated.days)
    assert _digests(by_day) == expected
    assert _digests(workers) == expected


def test_backfill_files_hold_exactly_the_generated_rows(generated: Generated, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run_backfill(generated.config, generated.days[0], generated.days[-1], out, fmt="avro")
    loaded = load_output(out)
    for table_id, rows in generated.tables().items():
        assert loaded[table_id].equals(rows), table_id


def test_validate_reads_the_scenario_from_the_manifest_and_all_rules_hold(generated: Generated, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run_backfill(generated.config, generated.days[0], generated.days[-1], out)
    results = validate_output(out)
    assert results[0].rule == "files match their manifest checksums"
    assert [r for r in results if not r.ok] == []
    assert len(results) == 1 + len(generated.scenario.rules(generated.tables()))


def test_load_puts_each_namespace_in_its_own_warehouse_schema(
    generated: Generated, tmp_path: Path, destination_url: str
) -> None:
    out = tmp_path / "out"
    run_backfill(generated.config, generated.days[0], generated.days[-1], out)
    expected = {TableName(t.namespace, t.name): generated.tables()[t.id].num_rows for t in generated.catalog.tables}
    with open_destination(destination_url) as warehouse:
        first = load_backfill(out, warehouse)
        again = load_backfill(out, warehouse)
        landed = warehouse.data_tables(generated.catalog.namespaces)
        check_json_columns(warehouse, generated.catalog, generated.tables())
        counts = {
            name: warehouse.query(f'SELECT count(*) AS n FROM "{name.schema}"."{name.name}"').column("n")[0].as_py()
            for name in landed
        }
    assert counts == expected
    assert again.files_loaded == 0 and again.files_skipped == first.files_loaded
    kinds = {t.kind for t in generated.catalog.tables}
    assert TableKind.REFERENCE in kinds
