"""Every user mistake: one ``error:`` line on stderr naming what is wrong and how to fix it, exit code 1."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support import fails_with
from typer.testing import CliRunner

from emitter.cli.app import app


def test_end_before_start(runner: CliRunner, config_file: Path) -> None:
    fails_with(
        runner,
        ["backfill", "--start", "2024-01-05", "--end", "2024-01-01", "--config", str(config_file)],
        "--end: 2024-01-01 is before --start 2024-01-05",
    )


def test_end_and_days_together(runner: CliRunner, config_file: Path) -> None:
    args = [
        "backfill",
        "--start",
        "2024-01-01",
        "--end",
        "2024-01-02",
        "--days",
        "2",
        "--config",
        str(config_file),
    ]
    fails_with(runner, args, "--end and --days", "not both")


def test_days_must_be_positive(runner: CliRunner, config_file: Path) -> None:
    fails_with(runner, ["backfill", "--start", "2024-01-01", "--days", "0", "--config", str(config_file)], "--days")


def test_not_a_date(runner: CliRunner, config_file: Path) -> None:
    fails_with(runner, ["backfill", "--start", "2024-13-01", "--config", str(config_file)], "--start", "YYYY-MM-DD")


def test_unknown_format(runner: CliRunner, config_file: Path) -> None:
    fails_with(
        runner,
        ["backfill", "--start", "2024-01-01", "--format", "xml", "--config", str(config_file)],
        "unknown format 'xml'",
        "parquet, csv, jsonl, avro",
    )


def test_unknown_table_lists_the_valid_ones(runner: CliRunner, retail: Path, tmp_path: Path) -> None:
    args = ["backfill", "--start", "2024-01-01", "--tables", "receipts,nope", "--config", str(retail)]
    args += ["--out", str(tmp_path / "out")]
    fails_with(runner, args, "unknown table nope", "valid tables:", "receipts", "customers")


def test_output_dir_not_writable(runner: CliRunner, retail: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "plain-file"
    blocker.write_text("")
    args = ["backfill", "--start", "2024-01-01", "--out", str(blocker / "out"), "--config", str(retail)]
    fails_with(runner, args, "not writable", "--out")


def test_workers_must_be_positive(runner: CliRunner, retail: Path, tmp_path: Path) -> None:
    args = ["backfill", "--start", "2024-01-01", "--workers", "0", "--config", str(retail)]
    fails_with(runner, [*args, "--out", str(tmp_path / "out")], "workers")


def test_unknown_scenario(runner: CliRunner, config_file: Path) -> None:
    args = ["backfill", "--start", "2024-01-01", "--scenario", "bakery", "--config", str(config_file)]
    fails_with(runner, args, "unknown scenario 'bakery'", "retail")


def test_config_file_with_invalid_json(runner: CliRunner, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"seed": ')
    fails_with(runner, ["backfill", "--start", "2024-01-01", "--config", str(bad)], str(bad), "invalid JSON")


def test_config_file_missing(runner: CliRunner, tmp_path: Path) -> None:
    missing = tmp_path / "missing.json"
    fails_with(runner, ["backfill", "--start", "2024-01-01", "--config", str(missing)], "can't be read")


def test_config_value_out_of_range(runner: CliRunner, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"retail": {"volume": {"stores": 0}}}))
    fails_with(runner, ["backfill", "--start", "2024-01-01", "--config", str(bad)], "retail.volume.stores:")


def test_each_config_problem_gets_its_own_line(runner: CliRunner, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"retail": {"volume": {"stores": 0, "colour": "red"}}}))
    result = runner.invoke(app, ["backfill", "--start", "2024-01-01", "--config", str(bad)])

    assert result.exit_code == 1
    assert sorted(result.stderr.splitlines()) == [
        "error: retail.volume.colour: Extra inputs are not permitted",
        "error: retail.volume.stores: Input should be greater than or equal to 1",
    ]


def test_a_section_that_is_no_scenario(runner: CliRunner, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"colour": "red"}))
    fails_with(
        runner, ["backfill", "--start", "2024-01-01", "--config", str(bad)], "unknown section 'colour'", "retail"
    )


def test_unknown_preset(runner: CliRunner, config_file: Path) -> None:
    args = ["backfill", "--start", "2024-01-01", "--preset", "tiny", "--config", str(config_file)]
    fails_with(runner, args, "unknown preset 'tiny'", "small", "full-scale")


def test_scale_must_be_positive(runner: CliRunner, config_file: Path) -> None:
    fails_with(runner, ["backfill", "--start", "2024-01-01", "--scale", "0", "--config", str(config_file)], "scale")


def test_a_scale_that_shrinks_a_count_below_its_minimum_names_the_scale(runner: CliRunner, config_file: Path) -> None:
    args = ["backfill", "--start", "2024-01-01", "--scale", "0.0001", "--config", str(config_file)]
    fails_with(runner, args, "retail.volume.customers", "greater than or equal to", "(after --scale 0.0001)")


def test_output_made_with_another_config(runner: CliRunner, retail: Path, tmp_path: Path) -> None:
    out = str(tmp_path / "out")
    base = [
        "backfill",
        "--start",
        "2024-01-01",
        "--tables",
        "receipts",
        "--out",
        out,
        "--config",
        str(retail),
    ]
    assert runner.invoke(app, base).exit_code == 0

    fails_with(runner, [*base, "--seed", "7"], "another configuration", "--force", "another --out")
    assert runner.invoke(app, [*base, "--seed", "7", "--force"]).exit_code == 0


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["backfill"], "Missing option '--start'"),
        (["backfill", "--start", "2024-01-01", "--workers", "many"], "--workers"),
        (["no-such-command"], "No such command"),
    ],
)
def test_usage_mistakes_are_one_line_too(runner: CliRunner, args: list[str], fragment: str) -> None:
    fails_with(runner, args, fragment, "--help")


def test_set_overrides_one_setting_over_a_preset(runner: CliRunner, tmp_path: Path) -> None:
    from emitter.backfill import read_manifest

    out = tmp_path / "set"
    args = ["backfill", "--start", "2024-03-01", "--preset", "small", "--out", str(out), "--quiet"]
    result = runner.invoke(app, [*args, "--set", "retail.volume.stores=5", "--set", "seed=7"])
    assert result.exit_code == 0, result.output
    manifest = read_manifest(out)
    assert manifest is not None
    assert (manifest.seed, manifest.settings["volume"]["stores"], manifest.settings["volume"]["dcs"]) == (7, 5, 2)


def test_a_bad_set_is_one_line(runner: CliRunner) -> None:
    fails_with(runner, ["backfill", "--start", "2024-03-01", "--set", "stores"], "--set: 'stores' is not KEY=VALUE")
    fails_with(
        runner, ["backfill", "--start", "2024-03-01", "--set", "retail.volume.stores=-1"], "retail.volume.stores"
    )


@pytest.mark.parametrize(
    "args",
    [
        ["backfill", "--start", "0001-01-01"],
        ["backfill", "--start", "9999-12-31", "--days", "2"],
        ["backfill", "--start", "2999-12-31", "--days", "2"],
        ["backfill", "--start", "2024-01-01", "--end", "9999-12-31"],
        ["stream", "--start", "0001-01-01T00:00", "--speed", "max"],
        ["stream", "--start", "2024-01-01", "--end", "9999-12-31T23:59"],
        ["demo", "--start", "9999-12-31T00:00"],
    ],
    ids=lambda a: " ".join(a),
)
def test_days_outside_the_model_calendar_are_one_line(runner: CliRunner, config_file: Path, args: list[str]) -> None:
    fails_with(runner, [*args, "--config", str(config_file)], "the model's", "2999-12-31")


def test_the_calendar_edges_themselves_generate(runner: CliRunner, retail: Path, tmp_path: Path) -> None:
    for day in ("1900-01-01", "2999-12-31"):
        out = tmp_path / day
        result = runner.invoke(app, ["backfill", "--start", day, "--config", str(retail), "--out", str(out)])
        assert result.exit_code == 0, (result.output, result.exception)
        assert any((out / "facts").rglob(f"dt={day}/*")), day


@pytest.mark.parametrize("command", ["backfill", "stream", "load", "tables"])
def test_an_empty_table_list_is_a_mistake_everywhere(
    runner: CliRunner, retail: Path, tmp_path: Path, command: str
) -> None:
    flag = "--table" if command == "tables" else "--tables"
    args = {
        "backfill": ["backfill", "--start", "2024-01-01", "--out", str(tmp_path / "out")],
        "stream": ["stream", "--start", "2024-01-01", "--speed", "max", "--bootstrap-servers", "127.0.0.1:1"],
        "load": ["load", str(tmp_path), "--warehouse", f"duckdb:///{tmp_path / 'w.duckdb'}"],
        "tables": ["tables"],
    }[command]
    fails_with(runner, [*args, flag, " , ", "--config", str(retail)], f"{flag}:", "names no table")


@pytest.mark.parametrize("url", ["notaurl", "ftp://x"])
@pytest.mark.parametrize("command", ["stream", "sink", "reconcile"])
def test_a_schema_registry_that_is_no_url_is_one_line(
    runner: CliRunner, config_file: Path, tmp_path: Path, command: str, url: str
) -> None:
    args = [command, "--schema-registry", url, "--bootstrap-servers", "127.0.0.1:1", "--config", str(config_file)]
    if command == "stream":
        args += ["--start", "2024-01-01", "--speed", "max"]
    else:
        args += ["--warehouse", f"duckdb:///{tmp_path / 'w.duckdb'}"]
    fails_with(runner, args, repr(url), "is not a registry URL", "http://host:8081")
