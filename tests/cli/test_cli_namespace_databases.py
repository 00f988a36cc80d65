"""A database per namespace from the command line: help names the template; a bad one, or no server, is one line."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from support import fails_with
from typer.testing import CliRunner

from emitter.cli.app import app

TEMPLATED = ["sink", "load", "reconcile", "validate", "report", "status", "clear"]


@pytest.mark.parametrize("command", TEMPLATED)
def test_help_names_the_database_per_namespace_template(runner: CliRunner, command: str) -> None:
    result = runner.invoke(app, [command, "--help"], env={"COLUMNS": "250"})

    assert result.exit_code == 0, result.output
    assert "{namespace}" in result.stdout


@pytest.fixture
def backfill_dir(tmp_path: Path, isolated_runner: CliRunner) -> Path:
    out = tmp_path / "out"
    done = isolated_runner.invoke(
        app, ["backfill", "--preset", "small", "--start", "2024-03-04", "--days", "1", "--out", str(out), "--quiet"]
    )
    assert done.exit_code == 0, done.output
    return out


@pytest.mark.parametrize(
    ("template", "fragment"),
    [
        ("postgresql://u@127.0.0.1:5432/{namespace}/x", "once in its database name"),
        ("postgresql://u@127.0.0.1:5432/{namespace}_{namespace}", "once in its database name"),
        ("postgresql://u@127.0.0.1:5432/{schema}", "once in its database name"),
        ("postgresql://{namespace}@127.0.0.1:5432/db_{namespace}", "once in its database name"),
        ("postgresql://u@127.0.0.1:5432/db_{namespace}?schema={namespace}", "once in its database name"),
        ("duckdb:///warehouse_{namespace}.duckdb", "for PostgreSQL URLs only"),
    ],
)
def test_a_malformed_template_is_one_line(
    isolated_runner: CliRunner, backfill_dir: Path, template: str, fragment: str
) -> None:
    fails_with(isolated_runner, ["load", str(backfill_dir), "--warehouse", template], fragment, "{namespace}")


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.parametrize("command", ["load", "status", "validate"])
def test_an_unreachable_server_is_one_line(isolated_runner: CliRunner, backfill_dir: Path, command: str) -> None:
    template = f"postgresql://u@127.0.0.1:{_closed_port()}/db_{{namespace}}"
    args = [command, str(backfill_dir)] if command == "load" else [command]

    fails_with(isolated_runner, [*args, "--warehouse", template], "can't connect to PostgreSQL", "Connection refused")
