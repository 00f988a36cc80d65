"""``load_backfill`` over a real ``run_backfill`` output: every table, every row, once."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from emitter.backfill import run_backfill
from emitter.backfill.manifest import Manifest, read_manifest
from emitter.config import Config
from emitter.errors import ConfigError, OutputError
from emitter.sink.destinations import Destination, TableName
from emitter.sink.load import FileLoad, load_backfill


@pytest.fixture(scope="module")
def backfill_out(tmp_path_factory: pytest.TempPathFactory, small_config: Config) -> Path:
    out = tmp_path_factory.mktemp("backfill")
    run_backfill(small_config, date(2024, 3, 14), date(2024, 3, 15), out, "parquet")
    return out


def _manifest(out: Path) -> Manifest:
    manifest = read_manifest(out)
    assert manifest is not None
    return manifest


def _expected_rows(manifest: Manifest) -> dict[str, int]:
    rows: dict[str, int] = {}
    for record in manifest.partitions.values():
        rows[record.table] = rows.get(record.table, 0) + record.rows
    return rows


def _counts(destination: Destination) -> dict[str, int]:
    """Rows per table of the retail warehouse schema, by table id (retail's ids are its table names)."""
    return {
        table.name: int(destination.query(f'SELECT count(*) AS n FROM retail."{table.name}"').column("n")[0].as_py())
        for table in destination.data_tables(["retail"])
    }


def test_every_table_loads_with_the_manifests_row_counts(backfill_out: Path, destination: Destination) -> None:
    manifest = _manifest(backfill_out)
    seen: list[FileLoad] = []

    summary = load_backfill(backfill_out, destination, on_file=seen.append)

    assert _counts(destination) == _expected_rows(manifest)
    assert summary.files_loaded == len(manifest.partitions) == len(seen)
    assert summary.files == seen and all(load.loaded for load in seen)
    assert summary.files_skipped == 0
    assert summary.rows_by_table == _expected_rows(manifest)
    assert [load.source for load in seen][:6] == sorted(k for k, r in manifest.partitions.items() if r.dt is None)
    assert destination.loaded_files() == {key: record.sha256 for key, record in manifest.partitions.items()}
    assert destination.table_names() == [], "only bookkeeping in the destination's own schema"


def test_loading_twice_adds_nothing(backfill_out: Path, destination: Destination) -> None:
    load_backfill(backfill_out, destination)
    first = _counts(destination)

    again = load_backfill(backfill_out, destination)

    assert _counts(destination) == first
    assert again.files_loaded == 0 and again.rows_loaded == 0
    assert again.files_skipped == len(_manifest(backfill_out).partitions)
    assert not any(load.loaded for load in again.files)


def test_rows_carry_their_files_relative_path(backfill_out: Path, destination: Destination) -> None:
    load_backfill(backfill_out, destination, tables=["receipts"])

    got = destination.query("SELECT _source, count(*) AS n FROM retail.receipts GROUP BY _source ORDER BY _source")

    expected = sorted((k, r.rows) for k, r in _manifest(backfill_out).partitions.items() if r.table == "receipts")
    assert list(zip(got.column("_source").to_pylist(), got.column("n").to_pylist(), strict=True)) == expected
    assert destination.data_tables(["retail"]) == [TableName("retail", "receipts")]


def test_an_unknown_table_is_refused_before_loading(backfill_out: Path, destination: Destination) -> None:
    with pytest.raises(ConfigError, match="no_such_table"):
        load_backfill(backfill_out, destination, tables=["receipts", "no_such_table"])

    assert destination.data_tables(["retail"]) == []


def test_a_changed_file_is_refused(backfill_out: Path, tmp_path: Path, destination: Destination) -> None:
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(backfill_out, copy)
    key = next(k for k, r in _manifest(copy).partitions.items() if r.table == "stores")
    with (copy / key).open("ab") as fh:
        fh.write(b"tampered")

    with pytest.raises(OutputError, match="changed since"):
        load_backfill(copy, destination, tables=["stores"])


def test_a_directory_without_a_manifest_is_refused(tmp_path: Path, destination: Destination) -> None:
    with pytest.raises(OutputError, match=r"no _manifest\.json"):
        load_backfill(tmp_path, destination)
