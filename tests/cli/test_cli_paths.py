"""Backfill output on the command line: damaged files, mixed formats, paths of the wrong kind, a full disk."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pytest
from support import ManifestDiskFull, fails_with
from typer.testing import CliRunner

from emitter.backfill import read_manifest
from emitter.backfill.manifest import write_manifest
from emitter.cli.app import app

DAMAGED = "facts/receipts/dt=2024-03-02/receipts_20240302.parquet"


def _backfill(runner: CliRunner, config: Path, out: Path, *extra: str) -> str:
    args = ["backfill", "--start", "2024-03-01", "--days", "2", "--tables", "stores,receipts", "--out", str(out)]
    result = runner.invoke(app, [*args, "--config", str(config), *extra])
    assert result.exit_code == 0, result.output
    return result.stderr


def _load(config: Path, out: Path, warehouse: Path) -> list[str]:
    return ["load", str(out), "--warehouse", f"duckdb:///{warehouse}", "--quiet", "--config", str(config)]


def test_a_rerun_says_it_rewrote_a_damaged_partition(runner: CliRunner, retail: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    _backfill(runner, retail, out)
    data = bytearray((out / DAMAGED).read_bytes())
    data[len(data) // 2] ^= 0xFF
    (out / DAMAGED).write_bytes(bytes(data))
    assert runner.invoke(app, ["validate", str(out)]).exit_code == 1

    said = _backfill(runner, retail, out)
    assert "rewrote 1 damaged partition" in said and DAMAGED in said
    result = runner.invoke(app, ["validate", str(out)])
    assert result.exit_code == 0, result.output


def test_validate_calls_a_truncated_partition_damaged(runner: CliRunner, retail: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    _backfill(runner, retail, out)
    with (out / DAMAGED).open("r+b") as file:
        file.truncate(file.seek(0, os.SEEK_END) // 2)

    line = fails_with(runner, ["validate", str(out)], str(out / DAMAGED), "damaged", "re-run")
    assert "does not match" not in line


def test_validate_names_a_missing_partition(runner: CliRunner, retail: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    _backfill(runner, retail, out)
    (out / DAMAGED).unlink()

    fails_with(runner, ["validate", str(out)], str(out / DAMAGED), "missing", "re-run")


def test_a_second_format_is_one_line_and_force_replaces_the_first(
    runner: CliRunner, retail: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    _backfill(runner, retail, out)
    args = ["backfill", "--start", "2024-03-01", "--days", "2", "--tables", "stores,receipts", "--out", str(out)]
    fails_with(runner, [*args, "--format", "csv", "--config", str(retail)], str(out), "parquet", "csv", "--force")

    _backfill(runner, retail, out, "--format", "csv", "--force")
    assert list(out.rglob("*.parquet")) == []
    result = runner.invoke(app, ["validate", str(out)])
    assert result.exit_code == 0, result.output

    manifest = read_manifest(out)
    assert manifest is not None
    warehouse = tmp_path / "w.duckdb"
    result = runner.invoke(app, _load(retail, out, warehouse))
    assert result.exit_code == 0, result.output
    with duckdb.connect(str(warehouse)) as db:
        loaded = db.execute("select count(*) from retail.receipts").fetchone()
    assert loaded == (sum(r.rows for r in manifest.partitions.values() if r.table == "receipts"),)


def test_a_manifest_that_is_a_directory_is_one_line(runner: CliRunner, retail: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "_manifest.json").mkdir(parents=True)
    args = ["backfill", "--start", "2024-03-01", "--tables", "stores", "--out", str(out), "--config", str(retail)]

    fails_with(runner, args, str(out / "_manifest.json"), "is a directory")
    fails_with(runner, [*args, "--force"], str(out / "_manifest.json"), "is a directory")
    fails_with(runner, ["validate", str(out)], str(out / "_manifest.json"), "is a directory")
    fails_with(runner, _load(retail, out, tmp_path / "w.duckdb"), str(out / "_manifest.json"), "is a directory")


@pytest.mark.parametrize("command", ["validate", "load"])
def test_a_file_where_the_output_directory_belongs_is_one_line(
    runner: CliRunner, retail: Path, tmp_path: Path, command: str
) -> None:
    out = tmp_path / "out"
    _backfill(runner, retail, out)
    given = out / "_manifest.json"
    args = ["validate", str(given)] if command == "validate" else _load(retail, given, tmp_path / "w.duckdb")

    fails_with(runner, args, str(given), "not a directory", "emitter backfill")


def test_a_full_disk_while_the_manifest_is_written_is_one_line(
    runner: CliRunner, retail: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    monkeypatch.setattr(os, "open", ManifestDiskFull())
    args = ["backfill", "--start", "2024-03-01", "--tables", "stores", "--out", str(out), "--config", str(retail)]

    fails_with(runner, args, str(out / "_manifest.json"), "No space left on device", "free")


def test_a_file_given_as_the_backfill_output_is_one_line(runner: CliRunner, retail: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.write_text("")
    args = ["backfill", "--start", "2024-03-01", "--tables", "stores", "--out", str(out), "--config", str(retail)]

    fails_with(runner, args, str(out), "a file is in the way", "--out")


def test_validate_and_load_refuse_a_directory_holding_two_formats(
    runner: CliRunner, retail: Path, tmp_path: Path
) -> None:
    """A directory an older emitter let a second format into: reading it would count every row twice."""
    out, csv = tmp_path / "out", tmp_path / "csv"
    _backfill(runner, retail, out)
    _backfill(runner, retail, csv, "--format", "csv")
    both, from_csv = read_manifest(out), read_manifest(csv)
    assert both is not None and from_csv is not None
    for key in from_csv.partitions:
        (out / key).parent.mkdir(parents=True, exist_ok=True)
        (out / key).write_bytes((csv / key).read_bytes())
    both.partitions.update(from_csv.partitions)
    write_manifest(out, both)

    fails_with(runner, ["validate", str(out)], str(out), "csv and parquet", "--force")
    fails_with(runner, _load(retail, out, tmp_path / "w.duckdb"), str(out), "csv and parquet", "--force")
