"""``status`` and ``clear`` for every scenario: each table per namespace, and a clear that leaves a clean start.

Expected figures come from the scenario's own generation (``Generated``), never from the manifest or the
warehouse the code under test reads.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest
from support import fails_with
from typer.testing import CliRunner

from emitter.backfill import read_manifest, run_backfill
from emitter.backfill.status import backfill_holdings, clear_backfill
from emitter.cli.app import app
from emitter.scenarios.holdings import Holdings
from emitter.sink.destinations import Destination, TableName, open_destination
from emitter.sink.load import load_backfill
from emitter.sink.status import clear_warehouse, warehouse_holdings

from .conftest import Generated

pytestmark = pytest.mark.slow  # writes days of files per scenario and loads warehouses

FOREIGN_TOPIC = "elsewhere.no_table_of_any_scenario"


def _rows_by_namespace(generated: Generated) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for spec in generated.catalog.tables:
        out.setdefault(spec.namespace, {})[spec.name] = generated.tables()[spec.id].num_rows
    return out


def _shown_by_namespace(holdings: Holdings) -> dict[str, dict[str, int | None]]:
    return {ns: {t.spec.name: t.rows for t in tables} for ns, tables in holdings.by_namespace().items()}


def _backfilled(generated: Generated, out: Path) -> Path:
    run_backfill(generated.config, generated.days[0], generated.days[-1], out)
    return out


def test_status_of_a_backfill_shows_every_table_per_namespace_with_its_days(
    generated: Generated, tmp_path: Path
) -> None:
    out = _backfilled(generated, tmp_path / "out")
    found = backfill_holdings(out)

    assert _shown_by_namespace(found.holdings) == _rows_by_namespace(generated)
    assert list(found.holdings.by_namespace()) == list(generated.catalog.namespaces)
    assert found.holdings.rows == sum(t.num_rows for t in generated.tables().values())
    for table in found.holdings.tables:
        if table.spec.per_day:
            assert (table.first_day, table.last_day, table.days) == (generated.days[0], generated.days[-1], 3)
        else:
            assert table.days == 0 and table.first_day is None
    only = generated.catalog.namespaces[-1]
    assert {t.spec.namespace for t in backfill_holdings(out, [only]).holdings.tables} == {only}


def test_a_table_the_backfill_did_not_write_shows_as_absent(generated: Generated, tmp_path: Path) -> None:
    first = generated.catalog.tables[0]
    out = tmp_path / "out"
    run_backfill(generated.config, generated.days[0], generated.days[0], out, tables=[first.id])

    found = backfill_holdings(out).holdings

    assert [t.spec.id for t in found.present] == [first.id]
    assert len(found.tables) == len(generated.catalog.tables)
    day = generated.by_day[generated.days[0]]
    assert found.rows == (day[first.id] if first.per_day else generated.reference[first.id]).num_rows


def test_clearing_one_namespace_keeps_the_others_and_a_full_clear_removes_the_output(
    generated: Generated, tmp_path: Path
) -> None:
    out = _backfilled(generated, tmp_path / "out")
    namespaces = generated.catalog.namespaces
    if len(namespaces) > 1:
        cleared = clear_backfill(out, [namespaces[0]])
        manifest = read_manifest(out)
        assert manifest is not None and not cleared.manifest_removed
        kept = {generated.catalog.get(r.table).namespace for r in manifest.partitions.values()}
        assert kept == set(namespaces[1:])
        assert not (out / "master" / namespaces[0]).exists() and not (out / "facts" / namespaces[0]).exists()
    cleared = clear_backfill(out)

    assert cleared.manifest_removed and cleared.directory_removed and not out.exists()


def test_a_full_clear_leaves_files_the_backfill_did_not_write(generated: Generated, tmp_path: Path) -> None:
    out = _backfilled(generated, tmp_path / "out")
    (out / "notes.txt").write_text("mine")

    cleared = clear_backfill(out)

    assert cleared.kept == 1 and not cleared.directory_removed
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt"]


def _sink_like_batch(generated: Generated, warehouse: Destination) -> str:
    """Write what a sink writes: one streamed table's rows, a dead letter and stored offsets; return the topic."""
    spec = next(t for t in generated.catalog.streamed if generated.tables()[t.id].num_rows)
    topic = generated.catalog.topic(generated.config.topic_prefix, spec)
    rows = generated.by_day[generated.days[0]][spec.id]
    dead = pa.table(
        {"topic": [topic], "partition": [0], "offset": [rows.num_rows], "reason": ["undecodable"], "raw": [b"\x00"]}
    )
    warehouse.write({TableName(spec.namespace, spec.name): rows}, dead, {(topic, 0): rows.num_rows + 1})
    warehouse.write({}, None, {(FOREIGN_TOPIC, 0): 7})  # another stream's offset: not the scenario's
    return topic


def test_a_cleared_warehouse_starts_a_load_and_a_sink_clean(
    generated: Generated, tmp_path: Path, destination_url: str
) -> None:
    out = _backfilled(generated, tmp_path / "out")
    files = len(generated.catalog.reference) + len(generated.catalog.per_day) * len(generated.days)
    with open_destination(destination_url) as warehouse:
        load_backfill(out, warehouse)
        topic = _sink_like_batch(generated, warehouse)
        before = warehouse_holdings(warehouse, generated.catalog)
        cleared = clear_warehouse(warehouse, generated.catalog)
        after = warehouse_holdings(warehouse, generated.catalog)
        left = warehouse.data_tables(generated.catalog.namespaces)
        offsets = warehouse.stored_offsets([topic, FOREIGN_TOPIC])
        origins = warehouse.origins()
        reloaded = load_backfill(out, warehouse)

    expected = _rows_by_namespace(generated)
    spec = generated.catalog.for_topic(topic)
    assert spec is not None
    expected[spec.namespace][spec.name] += generated.by_day[generated.days[0]][spec.id].num_rows
    assert _shown_by_namespace(before.holdings) == expected
    assert (before.bookkeeping.loaded_files, before.bookkeeping.offsets, before.bookkeeping.dead_letters) == (
        files,
        1,
        1,
    )
    assert before.bookkeeping.runs == ((generated.name, generated.config.seed),)
    assert cleared == before
    assert left == [] and after.holdings.present == () and after.holdings.rows == 0
    assert (after.bookkeeping.loaded_files, after.bookkeeping.offsets, after.bookkeeping.dead_letters) == (0, 0, 0)
    assert offsets == {(FOREIGN_TOPIC, 0): 7}
    assert origins == []
    assert reloaded.files_loaded == files and reloaded.files_skipped == 0


def test_clearing_one_namespace_of_a_warehouse_keeps_the_others(
    generated: Generated, tmp_path: Path, destination_url: str
) -> None:
    out = _backfilled(generated, tmp_path / "out")
    first, *others = generated.catalog.namespaces
    with open_destination(destination_url) as warehouse:
        load_backfill(out, warehouse)
        clear_warehouse(warehouse, generated.catalog, [first])
        left = warehouse_holdings(warehouse, generated.catalog).holdings
        origins = warehouse.origins()

    assert {t.spec.namespace for t in left.present} == set(others)
    assert left.rows == sum(n for ns in others for n in _rows_by_namespace(generated)[ns].values())
    assert len(origins) == (1 if others else 0)  # the run is forgotten only with the last of its namespaces


def test_the_commands_show_every_table_of_the_scenario_and_refuse_without_confirm(
    generated: Generated, tmp_path: Path, isolated_runner: CliRunner
) -> None:
    out = _backfilled(generated, tmp_path / "out")
    url = f"duckdb:///{tmp_path / 'w.duckdb'}"
    with open_destination(url) as warehouse:
        load_backfill(out, warehouse)
    rows = sum(t.num_rows for t in generated.tables().values())
    tables = len(generated.catalog.tables)
    for source in ([str(out)], ["--warehouse", url]):
        status = isolated_runner.invoke(app, ["status", *source])
        assert status.exit_code == 0, status.output
        for spec in generated.catalog.tables:
            assert spec.name in status.stdout and spec.namespace in status.stdout, spec.id
        fails_with(isolated_runner, ["clear", *source], f"would delete {rows:,} rows in {tables} tables", "--confirm")
        cleared = isolated_runner.invoke(app, ["clear", *source, "--confirm"])
        assert cleared.exit_code == 0, cleared.output
    assert not out.exists()
