"""Every command takes --scenario, for every registered scenario; mistakes are one line and exit 1."""

from __future__ import annotations

import pytest
from support import fails_with
from typer.testing import CliRunner

from emitter.cli.app import app
from emitter.scenarios import scenario_class

from .conftest import SCENARIOS, first_day


def test_scenarios_lists_every_registered_scenario_with_its_tables(isolated_runner: CliRunner) -> None:
    result = isolated_runner.invoke(app, ["scenarios"])
    assert result.exit_code == 0, result.output
    for name in SCENARIOS:
        assert f"{name}: " in result.output
        for spec in scenario_class(name).catalog().tables:
            assert spec.id in result.output
    assert result.output.rstrip().endswith(f"{len(SCENARIOS)} scenarios: {', '.join(SCENARIOS)}")


def test_backfill_validate_tables_and_load_take_the_scenario(isolated_runner: CliRunner, scenario_name: str) -> None:
    day = first_day(scenario_name).isoformat()
    flags = ["--scenario", scenario_name]
    result = isolated_runner.invoke(
        app, ["backfill", "--start", day, "--preset", "small", "--out", "out", "--quiet", *flags]
    )
    assert result.exit_code == 0, result.output
    result = isolated_runner.invoke(app, ["validate", "out", *flags])
    assert result.exit_code == 0, result.output
    assert "rules hold" in result.output
    result = isolated_runner.invoke(app, ["tables", *flags])
    assert result.exit_code == 0, result.output
    for spec in scenario_class(scenario_name).catalog().tables:
        assert spec.id in result.output
    result = isolated_runner.invoke(app, ["load", "out", "--warehouse", "duckdb:///w.duckdb", "--quiet", *flags])
    assert result.exit_code == 0, result.output


@pytest.mark.slow
def test_the_demo_runs_every_scenario(isolated_runner: CliRunner, scenario_name: str) -> None:
    result = isolated_runner.invoke(app, ["demo", "--scenario", scenario_name, "--preset", "small", "--duration", "2s"])
    assert result.exit_code == 0, result.output
    assert f"replaying the {scenario_name} model" in result.output
    assert "rows in warehouse.duckdb" in result.output


@pytest.mark.parametrize(
    "args",
    [
        ["backfill", "--start", "2024-01-01"],
        ["stream", "--max-events", "1"],
        ["sink", "--max-events", "1"],
        ["reconcile"],
        ["tables"],
        ["demo", "--duration", "1s"],
        ["status", "--warehouse", "duckdb:///w.duckdb"],
        ["clear", "--warehouse", "duckdb:///w.duckdb"],
    ],
)
def test_an_unknown_scenario_is_one_line_naming_the_choices(isolated_runner: CliRunner, args: list[str]) -> None:
    fails_with(isolated_runner, [*args, "--scenario", "nope"], "unknown scenario 'nope'", *SCENARIOS)


@pytest.mark.parametrize("command", ["backfill", "demo", "stream"])
def test_an_unknown_preset_is_one_line(isolated_runner: CliRunner, command: str) -> None:
    extra = ["--start", "2024-01-01"] if command == "backfill" else []
    fails_with(isolated_runner, [command, *extra, "--preset", "nope"], "unknown preset 'nope'")


def test_an_unknown_table_is_one_line(isolated_runner: CliRunner, scenario_name: str) -> None:
    day = first_day(scenario_name).isoformat()
    args = ["backfill", "--start", day, "--preset", "small", "--scenario", scenario_name, "--tables", "nope"]
    fails_with(isolated_runner, args, "unknown table nope", scenario_class(scenario_name).catalog().ids[0])


def test_validate_and_load_refuse_another_scenario_than_the_manifest(isolated_runner: CliRunner) -> None:
    day = first_day("retail").isoformat()
    result = isolated_runner.invoke(app, ["backfill", "--start", day, "--preset", "small", "--out", "out", "--quiet"])
    assert result.exit_code == 0, result.output
    other = next(name for name in SCENARIOS if name != "retail")
    fails_with(isolated_runner, ["validate", "out", "--scenario", other], "written by scenario retail")
    fails_with(isolated_runner, ["load", "out", "--scenario", other], "written by scenario retail")
    fails_with(isolated_runner, ["validate", "out", "--scenario", "nope"], "unknown scenario 'nope'")
