"""``emitter stream``: the model's events, paced by a clock, Avro-encoded to Kafka or Event Hubs."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from emitter.cli.options import (
    ConfigPathOption,
    HttpOption,
    HttpTokenOption,
    PresetOption,
    ScaleOption,
    ScenarioOption,
    SeedOption,
    SetOption,
    build_config,
    ensure_memory,
    parse_moment,
    parse_speed,
    split_names,
)
from emitter.cli.output import command_console
from emitter.cli.stream_display import StatusLine, print_stream_summary
from emitter.errors import ConfigError
from emitter.ops.run_ops import serve_run
from emitter.scenarios import scenario_class
from emitter.stream.fault_spec import faults_by_table
from emitter.stream.rate_profile import parse_duration, parse_rate_profile
from emitter.stream.runner import DEFAULT_FLUSH_GRACE_S, StreamSettings
from emitter.stream.session import VALUE_FORMATS, Delivery, StreamIncomplete, StreamResult, stream
from emitter.stream.targets import TARGET_KINDS, TargetOptions
from emitter.stream.targets.kafka import parse_producer_properties
from emitter.stream.timeline import to_micros


def stream_command(
    ctx: typer.Context,
    tables: Annotated[
        str | None,
        typer.Option(
            "--tables",
            help=(
                "Comma-separated tables to stream (default: every per-day table, except those "
                "`emitter tables` marks as streamed only when named)."
            ),
        ),
    ] = None,
    emit_interval_ms: Annotated[
        int | None, typer.Option("--emit-interval-ms", help="Tick length. Default: realtime.emit_interval_ms (500).")
    ] = None,
    burst: Annotated[
        int | None,
        typer.Option("--burst", help="Events per tick in live mode. Default: realtime.burst (100)."),
    ] = None,
    target: Annotated[
        str | None,
        typer.Option("--target", help=f"Where events go: {', '.join(TARGET_KINDS)}.", envvar="EMITTER_TARGET"),
    ] = None,
    bootstrap_servers: Annotated[
        str | None,
        typer.Option("--bootstrap-servers", help="Kafka brokers HOST:PORT[,...].", envvar="EMITTER_BOOTSTRAP_SERVERS"),
    ] = None,
    schema_registry: Annotated[
        str | None,
        typer.Option(
            "--schema-registry",
            help="Schema Registry URL: Confluent wire format. Without it, Avro single-object encoding.",
            envvar="EMITTER_SCHEMA_REGISTRY",
        ),
    ] = None,
    topic_prefix: Annotated[
        str | None,
        typer.Option(
            "--topic-prefix", help="Topic = prefix + table id. Default: stream.topic_prefix or '<scenario>.'."
        ),
    ] = None,
    partitions: Annotated[
        int | None, typer.Option("--partitions", help="Partitions for topics that don't exist yet.")
    ] = None,
    duration: Annotated[str | None, typer.Option("--duration", help="Stop after this long, e.g. 30s or 10m.")] = None,
    max_events: Annotated[int | None, typer.Option("--max-events", help="Stop after this many events.")] = None,
    speed: Annotated[
        str,
        typer.Option("--speed", help="With --start: simulated seconds per real second, or 'max' for no pacing."),
    ] = "1",
    start: Annotated[
        str,
        typer.Option("--start", help="'now' (live timestamps) or a model time to replay from, e.g. 2024-01-01T00:00."),
    ] = "now",
    end: Annotated[
        str | None, typer.Option("--end", help="With --start: stop before this model time, e.g. 2024-01-02T00:00.")
    ] = None,
    rate_profile: Annotated[
        str | None,
        typer.Option(
            "--rate-profile",
            help="Live mode load shape instead of --burst: constant:R, ramp:A:B:30s, steps:R1,R2:30s, "
            "spike:BASE:PEAK:60s:5s, diurnal:LOW:HIGH[:PERIOD].",
        ),
    ] = None,
    value_format: Annotated[
        str, typer.Option("--format", help=f"Message values: {', '.join(VALUE_FORMATS)} (json is for debugging).")
    ] = "avro",
    producer_property: Annotated[
        list[str] | None,
        typer.Option("--producer-property", help="librdkafka property k=v (repeatable), e.g. linger.ms=50."),
    ] = None,
    compression: Annotated[
        str | None, typer.Option("--compression", help="Producer compression (default lz4; gzip on Event Hubs).")
    ] = None,
    connection_string: Annotated[
        str | None,
        typer.Option(
            "--connection-string",
            help="Event Hubs connection string (or EVENTHUBS_CONNECTION_STRING).",
            envvar="EVENTHUBS_CONNECTION_STRING",
            show_envvar=True,
        ),
    ] = None,
    flush_grace: Annotated[
        str | None,
        typer.Option(
            "--flush-grace",
            help=f"At the end, wait this long for deliveries (default {DEFAULT_FLUSH_GRACE_S:g}s; after a stop "
            "signal or --duration in all, else without progress), then report what is undelivered.",
        ),
    ] = None,
    faults: Annotated[
        str | None,
        typer.Option(
            "--faults",
            help="Inject faults into every streamed table, e.g. late=0.02:30s,out_of_order=0.01:100,duplicate=0.005,"
            "malformed=0.001 (shares of each table's events; per table: stream.faults in the config). Default: none.",
        ),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", help="No live status or summary.")] = False,
    http: HttpOption = None,
    http_token: HttpTokenOption = None,
    seed: SeedOption = None,
    scenario: ScenarioOption = None,
    preset: PresetOption = None,
    scale: ScaleOption = None,
    sets: SetOption = None,
    config_path: ConfigPathOption = None,
) -> None:
    """Emit the model's events to Kafka or Event Hubs, paced by a clock.

    Live (default): every --emit-interval-ms, --burst events leave, stamped with the wall clock.
    Replay (--start T): the timeline from T at --speed times real time, timestamps as simulated;
    the events of a day then equal that day's backfill rows.
    """
    config = build_config(
        config_path,
        {
            "seed": seed,
            "realtime": {"emit_interval_ms": emit_interval_ms, "burst": burst},
            "stream": {
                "target": target,
                "bootstrap_servers": bootstrap_servers,
                "topic_prefix": topic_prefix,
                "partitions": partitions,
            },
        },
        scenario,
        preset,
        scale,
        sets,
        ctx,
    )
    ensure_memory(config)
    catalog = scenario_class(config.scenario).catalog()
    replay = start.strip().lower() != "now"
    streamed = tuple(t.id for t in catalog.select(split_names(tables), stream=True))
    settings = StreamSettings(
        tables=streamed,
        topic_prefix=config.topic_prefix,
        interval_ms=config.realtime.emit_interval_ms,
        burst=config.realtime.burst,
        start=parse_moment(start, "--start") if replay else None,
        speed=parse_speed(speed),
        end=parse_moment(end, "--end") if end else None,
        duration_s=parse_duration(duration, "--duration") if duration else None,
        max_events=max_events,
        rate_profile=parse_rate_profile(rate_profile) if rate_profile else None,
        flush_grace_s=parse_duration(flush_grace, "--flush-grace") if flush_grace else DEFAULT_FLUSH_GRACE_S,
        faults=faults_by_table(config.stream.faults, faults, streamed),
    )
    if not replay and (end or parse_speed(speed) != 1.0):
        raise ConfigError("--end and --speed replay a model timeline: give --start too (e.g. --start 2024-01-01T00:00)")
    if settings.start is not None and settings.end is not None and to_micros(settings.end) <= to_micros(settings.start):
        raise ConfigError(f"--end: {end} is not after --start {start}; pass an --end later than --start")
    if replay and rate_profile:
        raise ConfigError("--rate-profile shapes live streams: drop --start, or drop --rate-profile")
    delivery = Delivery(
        target=config.stream.target,
        options=TargetOptions(
            bootstrap_servers=config.stream.bootstrap_servers,
            connection_string=connection_string,
            producer_properties=parse_producer_properties(producer_property or []),
            compression=compression,
        ),
        value_format=value_format,
        schema_registry=schema_registry,
        partitions=config.stream.partitions,
    )
    show = not quiet and sys.stderr.isatty()
    status = StatusLine(command_console(stderr=True)) if show else None
    incomplete: StreamIncomplete | None = None
    try:
        with serve_run(http, http_token, stream=True, announce=None if quiet else _announce) as ops:
            result: StreamResult = stream(
                config,
                settings,
                delivery,
                on_status=status.update if status else None,
                control=ops.control,
                metrics=ops.stream,
            )
    except StreamIncomplete as exc:
        result, incomplete = exc.result, exc
    finally:
        if status:
            status.close()
    if not quiet:
        print_stream_summary(result, command_console())
    if incomplete is not None:
        raise incomplete  # one line, exit 1 (see error_reporting)


def _announce(line: str) -> None:
    typer.echo(line, err=True)
