from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from emitter import __version__
from emitter.cli.app import app
from emitter.scenarios import scenario_names

COMMANDS = [c.name or c.callback.__name__ for c in app.registered_commands if c.callback is not None]


def test_the_main_commands_are_registered() -> None:
    assert {"backfill", "tables", "scenarios", "validate", "version"} <= set(COMMANDS)


@pytest.mark.parametrize("command", [[], *([name] for name in COMMANDS)])
def test_every_command_has_help(runner: CliRunner, command: list[str]) -> None:
    result = runner.invoke(app, [*command, "--help"])

    assert result.exit_code == 0, result.output
    assert "Usage" in result.stdout


def test_backfill_help_names_every_option(runner: CliRunner) -> None:
    result = runner.invoke(app, ["backfill", "--help"], env={"COLUMNS": "200"})

    for option in ("--start", "--end", "--days", "--out", "--format", "--seed", "--scenario", "--preset", "--scale"):
        assert option in result.stdout
    for option in ("--tables", "--workers", "--force", "--quiet", "--config"):
        assert option in result.stdout


@pytest.mark.parametrize("command", ["tables", "validate", "load", "sink", "reconcile", "status", "clear"])
def test_every_data_command_takes_a_scenario(runner: CliRunner, command: str) -> None:
    result = runner.invoke(app, [command, "--help"], env={"COLUMNS": "200"})

    assert "--scenario" in result.stdout


def test_scenarios_lists_each_scenario_with_its_tables_and_presets(runner: CliRunner) -> None:
    result = runner.invoke(app, ["scenarios"], env={"COLUMNS": "200"})

    assert result.exit_code == 0, result.output
    assert "retail: Retail stores and their supply chain" in result.stdout
    for table in ("receipts", "receipt_lines", "stores", "geographies", "truck_moves"):
        assert table in result.stdout, table
    assert "reference" in result.stdout and "event" in result.stdout
    assert "presets: small, full-scale" in result.stdout
    assert "volume.stores" in result.stdout, "what --scale multiplies"
    names = scenario_names()
    assert result.stdout.rstrip().splitlines()[-1] == f"{len(names)} scenarios: {', '.join(names)}"


def test_version_command_and_flag(runner: CliRunner) -> None:
    assert runner.invoke(app, ["version"]).stdout.strip() == f"emitter {__version__}"
    assert runner.invoke(app, ["--version"]).stdout.strip() == f"emitter {__version__}"


def test_python_dash_m_emitter_works() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "emitter", "--version"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"emitter {__version__}"


def _help_texts(command: Any) -> list[str]:
    """The command's own help and each of its options' (arguments have none)."""
    return [command.help or "", *(getattr(p, "help", None) or "" for p in command.params)]


@pytest.mark.parametrize("command", [[], *([name] for name in COMMANDS)])
def test_help_shows_every_word_it_was_given(runner: CliRunner, command: list[str]) -> None:
    """Help text is plain: no word turns into an emoji (`ramp:A:B:30s`) or vanishes as markup (`[x]`)."""
    root: Any = typer.main.get_command(app)
    own = _help_texts(root.commands[command[0]] if command else root)
    shown = runner.invoke(app, [*command, "--help"], env={"COLUMNS": "1000"}).stdout
    flat = "".join(shown.split())  # wrapping may break a line at a hyphen
    missing = {word for text in own for word in text.split() if word not in flat}
    assert not missing, missing
