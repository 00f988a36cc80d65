"""``validate --warehouse`` for every scenario: loaded tables are judged by the same rules as the files."""

from __future__ import annotations

from pathlib import Path

from emitter.avro.schemas import is_json
from emitter.backfill import run_backfill
from emitter.backfill.validate import load_output, validate_output
from emitter.sink.destinations import open_destination
from emitter.sink.load import load_backfill
from emitter.sink.read_back import read_tables
from emitter.sink.validate import recorded_scenario, same_run, validate_warehouse

from .conftest import Generated, check_json_columns

LOADED_ONCE = "each event is loaded once"


def _loaded(generated: Generated, tmp_path: Path, url: str) -> Path:
    out = tmp_path / "out"
    run_backfill(generated.config, generated.days[0], generated.days[-1], out)
    with open_destination(url) as warehouse:
        load_backfill(out, warehouse)
    return out


def test_a_loaded_backfill_reads_back_as_its_files_and_holds_every_rule(
    generated: Generated, tmp_path: Path, destination_url: str
) -> None:
    out = _loaded(generated, tmp_path, destination_url)
    files = load_output(out)
    with open_destination(destination_url) as warehouse:
        recorded = recorded_scenario(warehouse)
        assert recorded is not None and same_run(recorded, generated.scenario)
        back = read_tables(warehouse, generated.catalog)
        check = validate_warehouse(warehouse, recorded)
        check_json_columns(warehouse, generated.catalog, files)
    assert set(back) == set(files)
    for name, table in files.items():
        spec = generated.catalog.get(name)
        plain = [f.name for f in generated.catalog.arrow(spec) if not is_json(f)]  # jsonb rewrites documents
        got, want = back[name].select(plain), table.select(plain)
        if not spec.per_day:  # in event order, as written; reference rows come back by key
            got, want = (t.sort_by([(c, "ascending") for c in plain]) for t in (got, want))
        assert got.equals(want), name
    assert check.rebuilt == []
    assert [r for r in check.results if not r.ok] == []
    # the files' own rules, less their checksum check, plus one: each event loaded once
    assert [r.rule for r in check.results] == [LOADED_ONCE, *[r.rule for r in validate_output(out)[1:]]]


def test_a_row_loaded_twice_and_a_missing_parent_are_caught(
    generated: Generated, tmp_path: Path, destination_url: str
) -> None:
    _loaded(generated, tmp_path, destination_url)
    catalog = generated.catalog
    tables = generated.tables()
    doubled = next(t for t in catalog.per_day if t.event_id and tables[t.id].num_rows)
    # a parent row that a child row refers to
    child, fk = next((t, fk) for t in catalog.tables for fk in t.foreign_keys if tables[t.id].num_rows)
    parent = catalog.get(fk.table)
    value = tables[child.id].column(fk.column)[0].as_py()
    with open_destination(destination_url) as warehouse:
        qualified = f'"{doubled.namespace}"."{doubled.name}"'
        warehouse.query(f"INSERT INTO {qualified} SELECT * FROM {qualified} LIMIT 1")
        literal = f"'{value}'" if isinstance(value, str) else str(value)
        warehouse.query(f'DELETE FROM "{parent.namespace}"."{parent.name}" WHERE "{fk.references}" = {literal}')
        check = validate_warehouse(warehouse, generated.scenario)
    failed = {r.rule: r.detail for r in check.results if not r.ok}
    assert LOADED_ONCE in failed and failed[LOADED_ONCE].startswith(f"{doubled.id} 1")
    assert f"fk {child.id}.{fk.column} -> {parent.id}.{fk.references}" in failed, failed
