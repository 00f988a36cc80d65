"""``emitter stream``: its help, every user mistake as one ``error:`` line, and one replay to a real broker."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from pathlib import Path

import pytest
from support import ReadTopic, decode_single_object, fails_with
from typer.testing import CliRunner

from emitter.cli.app import app
from emitter.config import load_config
from emitter.scenarios import open_scenario
from emitter.stream.timeline import to_micros

ROOT = Path(__file__).resolve().parents[2]
NO_BROKER = "127.0.0.1:1"  # a mistake must be reported before anything connects


def test_stream_help_lists_the_main_options(runner: CliRunner) -> None:
    result = runner.invoke(app, ["stream", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "Usage" in result.stdout
    for option in (
        "--tables",
        "--emit-interval-ms",
        "--burst",
        "--target",
        "--bootstrap-servers",
        "--schema-registry",
        "--topic-prefix",
        "--duration",
        "--max-events",
        "--speed",
        "--start",
        "--end",
        "--rate-profile",
        "--format",
        "--producer-property",
        "--quiet",
        "--scenario",
        "--preset",
        "--scale",
        "--config",
    ):
        assert option in result.stdout, option


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (["--start", "2024-01-02", "--speed", "fast"], ("--speed", "'fast'", "max")),
        (["--start", "2024-01-02", "--speed", "0"], ("--speed", "above 0")),
        (["--start", "2024-01-02", "--speed", "-3"], ("--speed", "above 0")),
        (["--end", "2024-01-03"], ("--end", "--start")),
        (["--speed", "60"], ("--speed", "--start")),
        (["--start", "2024-01-02", "--rate-profile", "constant:10"], ("--rate-profile", "--start")),
        (["--duration", "soon"], ("--duration", "'soon'", "30s")),
        (["--duration", "10x"], ("--duration", "'10x'")),
        (["--tables", "receipts,nope"], ("nope", "receipts", "marketing")),
        (["--tables", "customers"], ("customers", "can't be streamed")),
        (["--target", "pigeon"], ("unknown target 'pigeon'", "kafka", "eventhubs")),
        (["--format", "xml"], ("'xml'", "avro", "json")),
        (["--producer-property", "linger.ms"], ("linger.ms", "key=value")),
        (["--producer-property", "=5"], ("key=value",)),
        (["--start", "yesterday"], ("--start", "'yesterday'", "2024-01-01")),
        (["--start", "2024-01-02", "--end", "2024-13-01"], ("--end", "'2024-13-01'")),
        (["--rate-profile", "ramp:1:2"], ("ramp:A:B:DURATION",)),
        (["--emit-interval-ms", "0"], ("emit_interval_ms",)),
    ],
    ids=lambda v: " ".join(v) if isinstance(v, list) else None,
)
def test_user_mistakes_exit_1_with_one_error_line(
    runner: CliRunner, config_file: Path, args: list[str], fragments: tuple[str, ...]
) -> None:
    command = ["stream", *args, "--bootstrap-servers", NO_BROKER, "--config", str(config_file)]
    fails_with(runner, command, *fragments)


@pytest.mark.parametrize(
    "end",
    [
        "2024-01-01T10:00",
        "2024-01-02T10:00",
        "2024-01-02T10:00+02:00",  # 08:00 UTC: a time with an offset is compared as the instant it names
    ],
)
def test_end_not_after_start_is_a_mistake(runner: CliRunner, retail: Path, kafka_bootstrap: str, end: str) -> None:
    # backfill refuses this too; the stream should not quietly send nothing (the broker is real in case it tries)
    command = ["stream", "--start", "2024-01-02T10:00", "--end", end, "--speed", "max"]
    command += ["--tables", "receipts", "--quiet", "--bootstrap-servers", kafka_bootstrap]
    command += ["--topic-prefix", f"cli{uuid.uuid4().hex[:8]}.", "--config", str(retail)]
    fails_with(runner, command, "--end", "--start")


def test_a_non_finite_rate_profile_is_a_mistake(runner: CliRunner, retail: Path, kafka_bootstrap: str) -> None:
    command = ["stream", "--rate-profile", "constant:nan", "--duration", "1s", "--tables", "receipts"]
    command += ["--quiet", "--bootstrap-servers", kafka_bootstrap, "--topic-prefix", f"cli{uuid.uuid4().hex[:8]}."]
    command += ["--config", str(retail)]
    fails_with(runner, command, "rate-profile", "nan")


def test_replay_an_hour_to_the_broker(
    runner: CliRunner, retail: Path, kafka_bootstrap: str, topic_records: ReadTopic
) -> None:
    prefix = f"cli{uuid.uuid4().hex[:8]}."
    command = ["stream", "--start", "2024-01-02T10:00", "--end", "2024-01-02T11:00", "--speed", "max"]
    command += ["--tables", "receipts", "--quiet", "--bootstrap-servers", kafka_bootstrap, "--partitions", "2"]
    command += ["--topic-prefix", prefix, "--config", str(retail)]
    result = runner.invoke(app, command)
    assert result.exit_code == 0, (result.output, result.exception)
    assert result.stdout == ""

    config = load_config(retail, None, {})
    ((_, tables),) = open_scenario(config).days([date(2024, 1, 2)], ["receipts"])
    receipts = tables["receipts"]
    start, end = to_micros(datetime(2024, 1, 2, 10)), to_micros(datetime(2024, 1, 2, 11))
    expected = {
        trace
        for trace, ts in zip(
            receipts.column("trace_id").to_pylist(),
            receipts.column("event_ts").cast("int64").to_pylist(),
            strict=True,
        )
        if start <= ts < end
    }
    assert expected
    records = topic_records(prefix + "receipts")
    decoded = [decode_single_object(value, "receipts")[1] for _, _, _, value in records]
    assert len(decoded) == len(expected)
    assert {r["trace_id"] for r in decoded} == expected
    assert {key for _, _, key, _ in records} == {str(r["store_id"]).encode() for r in decoded}


def test_a_table_declared_not_streamed_stays_out_unless_named(
    runner: CliRunner, config_file: Path, kafka_bootstrap: str, topic_records: ReadTopic
) -> None:
    from confluent_kafka.admin import AdminClient

    window = ["--start", "2024-03-05T10:00", "--end", "2024-03-05T10:20", "--speed", "max"]
    common = ["--scenario", "ecommerce", "--preset", "small", "--quiet", "--bootstrap-servers", kafka_bootstrap]
    default, named = f"cli{uuid.uuid4().hex[:8]}.", f"cli{uuid.uuid4().hex[:8]}."
    for prefix, tables in ((default, []), (named, ["--tables", "sessions,session_labels"])):
        command = ["stream", *window, *common, *tables, "--topic-prefix", prefix, "--config", str(config_file)]
        result = runner.invoke(app, command)
        assert result.exit_code == 0, (result.output, result.exception)

    topics = set(AdminClient({"bootstrap.servers": kafka_bootstrap}).list_topics(timeout=10).topics)
    assert {default + "sessions", default + "clickstream", default + "orders"} <= topics
    assert default + "session_labels" not in topics
    labels = topic_records(named + "session_labels")
    sessions = topic_records(named + "sessions")
    assert labels and len(labels) == len(sessions)  # one label per session of the window
