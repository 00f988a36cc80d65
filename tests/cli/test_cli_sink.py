"""``emitter sink``, ``load``, ``reconcile``, ``demo``, ``broker``: help, and user mistakes as one ``error:`` line."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from support import fails_with
from typer.testing import CliRunner

from emitter.backfill.manifest import Manifest, write_manifest
from emitter.cli.app import app

NO_BROKER = "127.0.0.1:1"  # a mistake must be reported before anything connects
NO_POSTGRES = "postgresql://nobody@127.0.0.1:1/db"

HELP_OPTIONS = {
    "sink": (
        "--bootstrap-servers", "--topics", "--group", "--warehouse", "--schema-registry", "--batch-size",
        "--max-latency-ms", "--until-idle", "--max-events", "--consumer-property", "--quiet", "--scenario", "--config",
    ),
    "load": (
        "out", "A directory written by `emitter backfill`", "--warehouse", "--tables", "--quiet", "--scenario",
        "--config",
    ),
    "reconcile": ("--bootstrap-servers", "--topics", "--warehouse", "--schema-registry", "--scenario", "--config"),
    "demo": (
        "--duration", "--warehouse", "--start", "--speed", "--seed", "--scenario", "--preset", "--scale", "--config",
    ),
    "broker": ("--port",),
}  # fmt: skip


@pytest.mark.parametrize("command", sorted(HELP_OPTIONS))
def test_help_lists_the_main_options(runner: CliRunner, command: str) -> None:
    result = runner.invoke(app, [command, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "Usage" in result.stdout
    for option in HELP_OPTIONS[command]:
        assert option in result.stdout, option


# --- the warehouse URL -----------------------------------------------------------------------------------------


def test_sink_unknown_warehouse_scheme(runner: CliRunner, config_file: Path) -> None:
    args = ["sink", "--warehouse", "mysql://x", "--bootstrap-servers", NO_BROKER, "--config", str(config_file)]
    fails_with(runner, args, "mysql://x", "not a destination URL", "duckdb:///", "postgresql://")


def test_load_unknown_warehouse_scheme(runner: CliRunner, config_file: Path, tmp_path: Path) -> None:
    fails_with(
        runner,
        ["load", str(tmp_path), "--warehouse", "mysql://x", "--config", str(config_file)],
        "mysql://x",
        "not a destination URL",
    )


def test_sink_unreachable_postgres(runner: CliRunner, config_file: Path) -> None:
    args = ["sink", "--warehouse", NO_POSTGRES, "--bootstrap-servers", NO_BROKER, "--config", str(config_file)]
    fails_with(runner, args, NO_POSTGRES, "can't connect to PostgreSQL")


def test_load_unreachable_postgres(runner: CliRunner, config_file: Path, tmp_path: Path) -> None:
    fails_with(
        runner,
        ["load", str(tmp_path), "--warehouse", NO_POSTGRES, "--config", str(config_file)],
        "can't connect to PostgreSQL",
    )


def test_postgres_password_is_not_printed(runner: CliRunner, config_file: Path) -> None:
    url = "postgresql://nobody:s3cret-pw@127.0.0.1:1/db"
    args = ["sink", "--warehouse", url, "--bootstrap-servers", NO_BROKER, "--config", str(config_file)]
    line = fails_with(runner, args, "can't connect to PostgreSQL")
    assert "s3cret-pw" not in line


# --- load ------------------------------------------------------------------------------------------------------


def test_load_directory_without_manifest(runner: CliRunner, config_file: Path, tmp_path: Path) -> None:
    empty = tmp_path / "not-a-backfill"
    empty.mkdir()
    args = ["load", str(empty), "--warehouse", f"duckdb:///{tmp_path / 'w.duckdb'}", "--config", str(config_file)]
    fails_with(runner, args, str(empty), "_manifest.json", "emitter backfill")


def test_load_missing_directory(runner: CliRunner, config_file: Path, tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    args = ["load", str(missing), "--warehouse", f"duckdb:///{tmp_path / 'w.duckdb'}", "--config", str(config_file)]
    fails_with(runner, args, str(missing), "_manifest.json")


def test_load_checks_a_given_scenario_against_the_manifest(
    runner: CliRunner, config_file: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    write_manifest(out, Manifest(scenario="retail", seed=42, fingerprint="f", format="parquet"))
    args = ["load", str(out), "--warehouse", f"duckdb:///{tmp_path / 'w.duckdb'}", "--config", str(config_file)]
    fails_with(runner, [*args, "--scenario", "bakery"], "unknown scenario 'bakery'", "retail")
    assert not (tmp_path / "w.duckdb").exists(), "refused before the warehouse is opened"


# --- sink options ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["soon", "-1s", "10 parsecs"])
def test_sink_bad_until_idle(runner: CliRunner, config_file: Path, tmp_path: Path, value: str) -> None:
    args = ["sink", f"--until-idle={value}", "--bootstrap-servers", NO_BROKER, "--config", str(config_file)]
    fails_with(runner, [*args, "--warehouse", f"duckdb:///{tmp_path / 'w.duckdb'}"], "--until-idle", repr(value))


@pytest.mark.parametrize("topics", ["", " , "])
def test_sink_empty_topics(runner: CliRunner, config_file: Path, tmp_path: Path, topics: str) -> None:
    args = ["sink", "--topics", topics, "--until-idle", "1s", "--bootstrap-servers", NO_BROKER]
    args += ["--warehouse", f"duckdb:///{tmp_path / 'w.duckdb'}", "--config", str(config_file)]
    fails_with(runner, args, "topics", "at least one topic")


def test_sink_batch_size_must_be_positive(runner: CliRunner, config_file: Path, tmp_path: Path) -> None:
    args = ["sink", "--batch-size", "0", "--bootstrap-servers", NO_BROKER, "--config", str(config_file)]
    fails_with(runner, [*args, "--warehouse", f"duckdb:///{tmp_path / 'w.duckdb'}"], "batch_size")


def test_sink_negative_max_events_is_refused(runner: CliRunner, config_file: Path, tmp_path: Path) -> None:
    """Today ``--max-events -5`` is accepted: the sink subscribes, then stops at once ("max-events") and exits 0."""
    args = ["sink", "--max-events", "-5", "--until-idle", "1s", "--bootstrap-servers", NO_BROKER, "--quiet"]
    fails_with(runner, [*args, "--warehouse", f"duckdb:///{tmp_path / 'w.duckdb'}", "--config", str(config_file)])


# --- reconcile -------------------------------------------------------------------------------------------------


def test_reconcile_when_no_topic_matches(
    runner: CliRunner, config_file: Path, tmp_path: Path, kafka_bootstrap: str
) -> None:
    pattern = f"nothing-{uuid.uuid4().hex[:8]}.*"
    args = ["reconcile", "--bootstrap-servers", kafka_bootstrap, "--topics", pattern]
    args += ["--warehouse", f"duckdb:///{tmp_path / 'w.duckdb'}", "--config", str(config_file)]
    fails_with(runner, args, "topics", "nothing on", kafka_bootstrap, repr(pattern))


def test_reconcile_empty_topics(runner: CliRunner, config_file: Path, tmp_path: Path, kafka_bootstrap: str) -> None:
    args = ["reconcile", "--bootstrap-servers", kafka_bootstrap, "--topics", ""]
    args += ["--warehouse", f"duckdb:///{tmp_path / 'w.duckdb'}", "--config", str(config_file)]
    fails_with(runner, args, "topics", "at least one topic")


@pytest.mark.slow  # librdkafka gives up on the metadata request after 10 s
def test_reconcile_unreachable_broker(runner: CliRunner, config_file: Path, tmp_path: Path) -> None:
    """A wrong --bootstrap-servers is a user mistake: today it ends in a KafkaException traceback after 10 s."""
    args = ["reconcile", "--bootstrap-servers", NO_BROKER, "--topics", "retail.*"]
    args += ["--warehouse", f"duckdb:///{tmp_path / 'w.duckdb'}", "--config", str(config_file)]
    fails_with(runner, args, NO_BROKER)
