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
