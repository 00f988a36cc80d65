"""Scenario flags (``ScenarioSettings.FLAGS``) on backfill, stream and demo, shown with the test-only ledger.

The ledger declares ``--accounts`` (its ``accounts``) and ``--postings`` (its ``postings_per_day``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from contract.domains.ledger.scenario import LedgerScenario
from support import fails_with
from typer.testing import CliRunner

from emitter.cli.app import app
from emitter.cli.options import scenario_flag_sets
from emitter.scenarios import register

LEDGER = register(LedgerScenario)
DAY = "2024-03-04"
COMMANDS = {  # each command with what it needs to get as far as reading its settings
    "backfill": ["backfill", "--start", DAY, "--quiet"],
    "stream": ["stream", "--max-events", "1", "--quiet"],
    "demo": ["demo", "--duration", "1s"],
}


def _backfill(isolated_runner: CliRunner, out: str, *args: str) -> dict[str, Any]:
    """Backfill one ledger day into ``out`` and return its manifest (settings and fingerprint)."""
    result = isolated_runner.invoke(app, [*COMMANDS["backfill"], "--scenario", LEDGER, "--out", out, *args])
    assert result.exit_code == 0, (result.output, result.exception)
    manifest: dict[str, Any] = json.loads(Path(out, "_manifest.json").read_text())
    return manifest


@pytest.mark.parametrize("flags", [["--accounts", "7"], ["--accounts=7"]])
def test_a_flag_sets_its_setting_in_either_form(isolated_runner: CliRunner, flags: list[str]) -> None:
    manifest = _backfill(isolated_runner, "out", "--preset", "small", *flags)

    assert manifest["settings"]["accounts"] == 7
    assert pq.read_table("out/master/core/accounts.parquet").num_rows == 7


def test_a_flag_is_exactly_a_set_and_wins_over_the_preset(isolated_runner: CliRunner) -> None:
    flagged = _backfill(isolated_runner, "flags", "--preset", "large", "--accounts", "7", "--postings", "50")
    by_set = _backfill(
        isolated_runner, "sets", "--preset", "large", "--set", "ledger.accounts=7", "--set=ledger.postings_per_day=50"
    )

    assert flagged["settings"]["accounts"] == 7 and flagged["settings"]["postings_per_day"] == 50
    assert flagged["fingerprint"] == by_set["fingerprint"]


def test_a_flag_wins_over_scale_as_a_set_does(isolated_runner: CliRunner) -> None:
    """``--scale 2 --accounts 7``: 7 accounts, the other scalable counts doubled (the seed's override rule)."""
    flagged = _backfill(isolated_runner, "flags", "--preset", "small", "--accounts", "7", "--scale", "2")
    by_set = _backfill(isolated_runner, "sets", "--preset", "small", "--set", "ledger.accounts=7", "--scale", "2")
    small = _backfill(isolated_runner, "small", "--preset", "small")

    assert flagged["settings"]["accounts"] == by_set["settings"]["accounts"] == 7
    assert flagged["settings"]["postings_per_day"] == 2 * small["settings"]["postings_per_day"]


def test_the_config_file_can_select_the_scenario_whose_flags_apply(isolated_runner: CliRunner) -> None:
    Path("config.json").write_text(json.dumps({"scenario": LEDGER, "preset": "small"}))
    result = isolated_runner.invoke(app, [*COMMANDS["backfill"], "--out", "out", "--accounts", "5"])

    assert result.exit_code == 0, (result.output, result.exception)
    assert json.loads(Path("out/_manifest.json").read_text())["settings"]["accounts"] == 5


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_hands_the_flag_to_the_scenario_settings(isolated_runner: CliRunner, command: str) -> None:
    # 0 accounts is refused by the ledger's settings model: the flag got there, before any broker is needed
    fails_with(isolated_runner, [*COMMANDS[command], "--scenario", LEDGER, "--accounts", "0"], "ledger.accounts", "1")


@pytest.mark.parametrize("command", COMMANDS)
def test_an_unknown_option_is_one_line_naming_the_scenario_flags(isolated_runner: CliRunner, command: str) -> None:
    args = [*COMMANDS[command], "--scenario", LEDGER, "--acounts", "7"]
    line = fails_with(
        isolated_runner, args, "--acounts: no such option for scenario ledger", "did you mean --accounts?"
    )
    assert line.endswith("its flags are --accounts, --postings")


@pytest.mark.parametrize("command", COMMANDS)
def test_another_scenarios_flag_is_refused(isolated_runner: CliRunner, command: str) -> None:
    args = [*COMMANDS[command], "--scenario", "retail", "--accounts", "7"]
    fails_with(isolated_runner, args, "--accounts: no such option", "scenario retail takes no scenario flags")


@pytest.mark.parametrize("args", [["--accounts"], ["--accounts", "--seed", "3"], ["--accounts="]])
def test_a_flag_without_a_value_says_so(isolated_runner: CliRunner, args: list[str]) -> None:
    fails_with(isolated_runner, [*COMMANDS["backfill"], "--scenario", LEDGER, *args], "--accounts: needs a value")


def test_a_typo_of_a_command_option_suggests_it(isolated_runner: CliRunner) -> None:
    fails_with(isolated_runner, [*COMMANDS["backfill"], "--sed", "3"], "--sed: no such option", "did you mean --seed?")


def test_a_stray_argument_is_one_line(isolated_runner: CliRunner) -> None:
    fails_with(isolated_runner, [*COMMANDS["backfill"], "--scenario", LEDGER, "7"], "unexpected argument '7'")


def test_flags_become_set_items_of_the_selected_scenario() -> None:
    args = ["--accounts", "7", "--postings=9", "--accounts", "8"]

    assert scenario_flag_sets(LEDGER, args) == ["ledger.accounts=7", "ledger.postings_per_day=9", "ledger.accounts=8"]
    assert scenario_flag_sets(LEDGER, []) == []


@pytest.mark.parametrize("command", COMMANDS)
def test_help_lists_the_scenario_flags(isolated_runner: CliRunner, command: str) -> None:
    result = isolated_runner.invoke(app, [command, "--help"], env={"COLUMNS": "200"})

    assert result.exit_code == 0, result.output
    assert "Scenario flags" in result.stdout
    assert f"{LEDGER}: --accounts, --postings" in result.stdout


def test_scenarios_lists_each_flag_with_the_setting_it_sets(isolated_runner: CliRunner) -> None:
    result = isolated_runner.invoke(app, ["scenarios"], env={"COLUMNS": "200"})

    assert result.exit_code == 0, result.output
    assert "--accounts sets accounts, --postings sets postings_per_day" in result.stdout
    assert "flags (backfill, stream, demo): none" in result.stdout  # retail declares none
