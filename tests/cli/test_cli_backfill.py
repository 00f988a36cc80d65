from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from emitter.cli.app import app


def _manifest(out: Path) -> dict[str, object]:
    body: dict[str, object] = json.loads((out / "_manifest.json").read_text())
    return body


def test_backfill_writes_the_range_and_prints_the_summary_without_progress_when_not_a_terminal(
    runner: CliRunner, retail: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    args = [
        "backfill",
        "--start",
        "2024-01-30",
        "--end",
        "2024-02-01",
        "--out",
        str(out),
        "--config",
        str(retail),
    ]
    result = runner.invoke(app, [*args, "--tables", "stores,receipts", "--format", "csv"])

    assert result.exit_code == 0, result.output
    # a scripted run's log gets the summary (one row per table), and no progress bar
    rows = {line.split("│")[1].strip() for line in result.output.splitlines() if line.count("│") > 2}
    assert {"stores", "receipts", "total"} <= rows, result.output
    assert "%" not in result.output and "ETA" not in result.output
    quiet = runner.invoke(app, [*args, "--tables", "stores,receipts", "--format", "csv", "--quiet"])
    assert quiet.exit_code == 0 and quiet.output == ""
    assert sorted(str(p.relative_to(out)) for p in out.rglob("*.csv")) == [
        "facts/receipts/dt=2024-01-30/receipts_20240130.csv",
        "facts/receipts/dt=2024-01-31/receipts_20240131.csv",
        "facts/receipts/dt=2024-02-01/receipts_20240201.csv",
        "master/stores.csv",
    ]
    assert _manifest(out)["format"] == "csv"


def test_days_counts_from_start(runner: CliRunner, retail: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    args = ["backfill", "--start", "2024-02-28", "--days", "2", "--tables", "marketing", "--out", str(out)]
    assert runner.invoke(app, [*args, "--config", str(retail)]).exit_code == 0

    assert sorted(p.name for p in (out / "facts" / "marketing").iterdir()) == [
        "dt=2024-02-28",
        "dt=2024-02-29",
    ]


def test_out_defaults_to_the_config_and_flags_override_it(runner: CliRunner, retail: Path, tmp_path: Path) -> None:
    args = [
        "backfill",
        "--start",
        "2024-01-01",
        "--tables",
        "marketing",
        "--seed",
        "5",
        "--config",
        str(retail),
    ]
    assert runner.invoke(app, args).exit_code == 0

    manifest = _manifest(tmp_path / "from-config")
    assert manifest["seed"] == 5


def test_environment_variables_set_options(runner: CliRunner, retail: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    args = ["backfill", "--start", "2024-01-01", "--out", str(out), "--config", str(retail)]
    result = runner.invoke(app, args, env={"EMITTER_FORMAT": "jsonl", "EMITTER_TABLES": "products"})

    assert result.exit_code == 0, result.output
    assert [p.name for p in (out / "master").iterdir()] == ["products.jsonl"]


def test_tables_lists_tables_and_columns(runner: CliRunner, retail: Path) -> None:
    result = runner.invoke(app, ["tables", "--config", str(retail)], env={"COLUMNS": "200"})

    assert result.exit_code == 0, result.output
    assert "receipts (event, namespace retail)" in result.stdout
    assert "stores (reference, namespace retail)" in result.stdout
    assert "decimal(12,2)" in result.stdout and "timestamp-micros" in result.stdout


def test_tables_can_show_one_table(runner: CliRunner, retail: Path) -> None:
    result = runner.invoke(app, ["tables", "--table", "online_orders", "--config", str(retail)], env={"COLUMNS": "200"})

    assert result.exit_code == 0, result.output
    assert "online_orders (event, namespace retail)" in result.stdout and "receipts" not in result.stdout
    assert "int | null" in result.stdout
