from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from support import fails_with
from typer.testing import CliRunner

from emitter.cli.app import app


def _backfill(runner: CliRunner, config: Path, out: Path) -> None:
    result = runner.invoke(
        app, ["backfill", "--start", "2024-03-01", "--days", "3", "--out", str(out), "--config", str(config)]
    )
    assert result.exit_code == 0, result.output


def test_validate_passes_on_fresh_output(runner: CliRunner, retail: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    _backfill(runner, retail, out)
    result = runner.invoke(app, ["validate", str(out)])
    assert result.exit_code == 0, result.output
    assert "rules hold" in result.output
    assert "receipts.total = subtotal + tax" in result.output


def test_validate_fails_when_a_receipt_total_is_tampered(runner: CliRunner, retail: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    _backfill(runner, retail, out)
    path = next((out / "facts" / "receipts").glob("dt=2024-03-02/*.parquet"))
    table = pq.read_table(path)
    total = table.column("total")
    bumped = pc.add(total, pa.scalar(1, pa.decimal128(12, 2))).cast(total.type)
    pq.write_table(table.set_column(table.schema.get_field_index("total"), "total", bumped), path)

    result = runner.invoke(app, ["validate", str(out)])
    assert result.exit_code == 1
    assert "FAILED" in result.output
    assert "rules failed" in result.output


def test_validate_checks_a_given_scenario_against_the_manifest(runner: CliRunner, retail: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    _backfill(runner, retail, out)
    result = runner.invoke(app, ["validate", str(out), "--scenario", "retail"])
    assert result.exit_code == 0, result.output
    fails_with(runner, ["validate", str(out), "--scenario", "bakery"], "unknown scenario 'bakery'", "retail")


def test_validate_refuses_a_directory_without_manifest(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["validate", str(tmp_path)])
    assert result.exit_code == 1
    assert "no _manifest.json" in result.output


def test_validate_a_loaded_warehouse_by_the_settings_the_load_recorded(
    runner: CliRunner, retail: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    _backfill(runner, retail, out)
    url = f"duckdb:///{tmp_path / 'wh.duckdb'}"
    loaded = runner.invoke(app, ["load", str(out), "--warehouse", url, "--quiet"])
    assert loaded.exit_code == 0, loaded.output
    files = runner.invoke(app, ["validate", str(out)])

    result = runner.invoke(app, ["validate", "--warehouse", url])  # no flags: the small preset comes from the load

    assert result.exit_code == 0, result.output
    assert "seed 42, settings as recorded by the load" in result.output
    # the files' rules, less the checksum check, plus "each event is loaded once"
    assert files.output.splitlines()[-1] in result.output
    assert "each event is loaded once" in result.output


def test_validate_a_warehouse_fails_on_a_row_loaded_twice(runner: CliRunner, retail: Path, tmp_path: Path) -> None:
    import duckdb

    out = tmp_path / "out"
    _backfill(runner, retail, out)
    path = tmp_path / "wh.duckdb"
    assert runner.invoke(app, ["load", str(out), "--warehouse", f"duckdb:///{path}", "--quiet"]).exit_code == 0
    with duckdb.connect(str(path)) as con:
        con.execute("INSERT INTO retail.receipts SELECT * FROM retail.receipts LIMIT 1")

    result = runner.invoke(app, ["validate", "--warehouse", f"duckdb:///{path}"])

    assert result.exit_code == 1
    assert "FAILED" in result.output and "receipts 1" in result.output


def test_validate_refuses_settings_other_than_the_loaded_ones(runner: CliRunner, retail: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    _backfill(runner, retail, out)
    url = f"duckdb:///{tmp_path / 'wh.duckdb'}"
    assert runner.invoke(app, ["load", str(out), "--warehouse", url, "--quiet"]).exit_code == 0
    fails_with(runner, ["validate", "--warehouse", url, "--seed", "7"], "loaded from scenario retail seed 42", "seed 7")
    fails_with(runner, ["validate", str(out), "--seed", "7"], "--seed:", "manifest records its settings")
    fails_with(runner, ["validate"], "give a backfill directory or --warehouse")
    fails_with(runner, ["validate", str(out), "--warehouse", url], "one of them")


def test_validate_a_sink_warehouse_takes_the_scenario_from_the_flags(runner: CliRunner, tmp_path: Path) -> None:
    url = f"duckdb:///{tmp_path / 'empty.duckdb'}"
    fails_with(runner, ["validate", "--warehouse", url, "--scenario", "fitness"], "holds no table of scenario fitness")
