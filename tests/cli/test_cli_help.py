from __future__ import annotations

import subprocess
import sys

import pytest
from typer.testing import CliRunner

from emitter import __version__
from emitter.cli.app import app

COMMANDS = [c.name or c.callback.__name__ for c in app.registered_commands if c.callback is not None]


def test_the_main_commands_are_registered() -> None:
    assert {"backfill", "tables", "validate", "version"} <= set(COMMANDS)


@pytest.mark.parametrize("command", [[], *([name] for name in COMMANDS)])
def test_every_command_has_help(runner: CliRunner, command: list[str]) -> None:
    result = runner.invoke(app, [*command, "--help"])

    assert result.exit_code == 0, result.output
    assert "Usage" in result.stdout


def test_backfill_help_names_every_option(runner: CliRunner) -> None:
    result = runner.invoke(app, ["backfill", "--help"], env={"COLUMNS": "200"})

    for option in ("--start", "--end", "--days", "--out", "--format", "--seed", "--scenario", "--tables"):
        assert option in result.stdout
    for option in ("--workers", "--force", "--quiet", "--config"):
        assert option in result.stdout


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
