"""``emitter sink``, ``emitter load`` and ``emitter reconcile``: the warehouse side."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from confluent_kafka import KafkaException
from rich.console import Console
from rich.live import Live
from rich.text import Text

from emitter.backfill.validate import expect_scenario, manifest_of
from emitter.cli.options import (
    ConfigPathOption,
    HttpOption,
    ManifestScenarioOption,
    ScenarioOption,
    build_config,
    split_names,
)
from emitter.cli.output import command_console, result_table
from emitter.errors import ConfigError, OutputError
from emitter.kafka_client_log import ClientLog
from emitter.ops.run_ops import serve_run
from emitter.scenarios import scenario_class
from emitter.scenarios.tables import Catalog
from emitter.sink.broker_watch import matching_topics, subscription
from emitter.sink.consumer import SinkSettings, SinkStatus, SinkStopped, SinkSummary
from emitter.sink.destinations import shown
from emitter.sink.load import load_backfill
from emitter.sink.reconcile import reconcile
from emitter.sink.session import make_decoder, sink
from emitter.sink.warehouse_scope import open_warehouse
from emitter.stream.rate_profile import parse_duration
from emitter.stream.targets.kafka import parse_producer_properties

WarehouseOption = Annotated[
    str | None,
    typer.Option(
        "--warehouse",
        help="duckdb:///warehouse.duckdb (default, from sink.warehouse), postgresql://user@host/db, "
        "postgresql://user@host/{namespace} for a database per namespace (bank_{namespace} too), each created "
        "when missing, clickhouse+local:///dir (chdb, in-process) or clickhouse://user@host:8123/db.",
        envvar="EMITTER_WAREHOUSE",
    ),
]
BootstrapOption = Annotated[
    str | None,
    typer.Option("--bootstrap-servers", help="Kafka brokers HOST:PORT[,...].", envvar="EMITTER_BOOTSTRAP_SERVERS"),
]
TopicsOption = Annotated[
    str | None,
    typer.Option("--topics", help="Topics, comma-separated; * matches within a name. Default: <topic prefix>*."),
]
RegistryOption = Annotated[
    str | None,
    typer.Option(
        "--schema-registry",
        help="Schema Registry URL for Confluent-framed messages (single-object ones need only the scenario's schemas).",
        envvar="EMITTER_SCHEMA_REGISTRY",
    ),
]


def sink_command(
    bootstrap_servers: BootstrapOption = None,
    topics: TopicsOption = None,
    group: Annotated[str | None, typer.Option("--group", help="Consumer group id.")] = None,
    warehouse: WarehouseOption = None,
    schema_registry: RegistryOption = None,
    batch_size: Annotated[int | None, typer.Option("--batch-size", help="Events per micro-batch (at most).")] = None,
    max_latency_ms: Annotated[
        int | None, typer.Option("--max-latency-ms", help="Load a partial batch after this long.")
    ] = None,
    until_idle: Annotated[
        str | None, typer.Option("--until-idle", help="Stop once caught up and idle this long, e.g. 10s.")
    ] = None,
    max_events: Annotated[int | None, typer.Option("--max-events", help="Stop after this many events.")] = None,
    consumer_property: Annotated[
        list[str] | None, typer.Option("--consumer-property", help="librdkafka consumer property k=v (repeatable).")
    ] = None,
    dedupe: Annotated[
        bool,
        typer.Option(
            "--dedupe", help="Skip events whose event id is already loaded (duplicates from retries or --faults)."
        ),
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", help="No live status or summary.")] = False,
    http: HttpOption = None,
    scenario: ScenarioOption = None,
    config_path: ConfigPathOption = None,
) -> None:
    """Consume topics into a warehouse, exactly once: rows and offsets commit in one transaction.

    Runs until Ctrl-C/SIGTERM (finishing and committing the current batch), or --until-idle/--max-events.
    Undecodable messages go to the _emitter_dead_letters table with their raw bytes.
    """
    config = build_config(
        config_path,
        {
            "stream": {"bootstrap_servers": bootstrap_servers},
            "sink": {
                "warehouse": warehouse,
                "topics": topics,
                "group": group,
                "batch_size": batch_size,
                "max_latency_ms": max_latency_ms,
            },
        },
        scenario,
    )
    subscription(config.sink_topics)  # refuse bad --topics before anything is opened
    if max_events is not None and max_events < 1:
        raise ConfigError(f"--max-events: {max_events} is not an event count; pass 1 or more")
    idle = parse_duration(until_idle, "--until-idle") if until_idle else None
    if idle is not None and idle <= 0:
        raise ConfigError("--until-idle: must be longer than zero, e.g. 10s")
    settings = SinkSettings(
        bootstrap_servers=config.stream.bootstrap_servers,
        topics=config.sink_topics,
        group=config.sink.group,
        batch_size=config.sink.batch_size,
        max_latency_ms=config.sink.max_latency_ms,
        consumer_properties=parse_producer_properties(consumer_property or []),
        idle_exit_s=idle,
        max_events=max_events,
        dedupe=dedupe,
    )
    show = not quiet and sys.stderr.isatty()
    console = Console(stderr=True)
    live = (
        Live(Text("waiting for partitions…"), console=console, refresh_per_second=4, transient=True) if show else None
    )
    last: list[tuple[float, int]] = []

    def status(s: SinkStatus) -> None:
        rate = (s.loaded - last[-1][1]) / max(s.elapsed_s - last[-1][0], 1e-6) if last else 0.0
        last.append((s.elapsed_s, s.loaded))
        worst = sorted(s.lag.items(), key=lambda kv: -kv[1])[:4]
        lags = " ".join(f"{t}[{p}] {n:,}" for (t, p), n in worst)
        assert live is not None
        live.update(
            Text(
                f"{rate:,.0f} ev/s | loaded {s.loaded:,} | dead letters {s.dead} | lag {lags or 0}",
                overflow="ellipsis",
                no_wrap=True,
            )
        )

    if live:
        live.start()
    try:
        catalog = scenario_class(config.scenario).catalog()
        announce = None if quiet else lambda line: typer.echo(line, err=True)
        with serve_run(http, sink=True, announce=announce) as ops:
            summary = sink(
                catalog,
                settings,
                config.sink.warehouse,
                schema_registry,
                on_status=status if live else None,
                metrics=ops.sink,
            )
    except SinkStopped as exc:
        if live:
            live.stop()
            live = None
        if not quiet and exc.summary.batches:
            _print_sink_summary(exc.summary, shown(config.sink.warehouse), command_console())
        raise
    finally:
        if live:
            live.stop()
    if not quiet:
        _print_sink_summary(summary, shown(config.sink.warehouse), command_console())


def _print_sink_summary(summary: SinkSummary, warehouse: str, console: Console) -> None:
    table = result_table(f"sink summary → {warehouse} (stopped by {summary.stopped_by})")
    table.add_column("table")
    table.add_column("rows loaded", justify="right")
    for name, rows in sorted(summary.loaded_by_table.items()):
        table.add_row(name, f"{rows:,}")
    table.add_row("dead letters", f"{summary.dead:,}")
    if summary.duplicates:
        table.add_row("duplicates skipped", f"{summary.duplicates:,}")
    console.print(table)
    console.print(
        f"{summary.loaded:,} rows in {summary.batches} batches; {summary.rate:,.0f} events/s while loading, "
        f"{summary.elapsed_s:.1f}s in all",
        style="dim",
    )
    if summary.fenced:
        console.print(
            f"{summary.fenced} batches not written: another consumer had already loaded them "
            "(a second sink on this warehouse?)",
            style="yellow",
        )


def load_command(
    out: Annotated[Path, typer.Argument(help="A directory written by `emitter backfill`.", show_default=False)],
    warehouse: WarehouseOption = None,
    tables: Annotated[str | None, typer.Option("--tables", help="Only these tables (comma-separated).")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", help="No summary.")] = False,
    scenario: ManifestScenarioOption = None,
    config_path: ConfigPathOption = None,
) -> None:
    """Load backfill output into the warehouse, one schema (or, with {namespace}, database) per namespace.

    A file loaded before is skipped.

    The scenario is read from the output's manifest (--scenario, if given, must match it).
    """
    config = build_config(config_path, {"sink": {"warehouse": warehouse}})
    expect_scenario(out, scenario)
    with open_warehouse(config.sink.warehouse, _written_catalog(out)) as destination:
        summary = load_backfill(out, destination, split_names(tables))
    if not quiet:
        listing = result_table(f"load {out} → {shown(config.sink.warehouse)}")
        listing.add_column("table")
        listing.add_column("files loaded", justify="right")
        listing.add_column("skipped", justify="right")
        listing.add_column("rows", justify="right")
        per: dict[str, list[int]] = {}
        for f in summary.files:
            entry = per.setdefault(f.table, [0, 0, 0])
            entry[0 if f.loaded else 1] += 1
            entry[2] += f.rows if f.loaded else 0
        for name, (loaded, skipped, rows) in sorted(per.items()):
            listing.add_row(name, str(loaded), str(skipped), f"{rows:,}")
        command_console().print(listing)


def _written_catalog(out: Path) -> Catalog | None:
    """The catalog of the scenario that wrote ``out``; None without a manifest (``load_backfill`` says so, after
    the warehouse URL and --tables are checked)."""
    try:
        return scenario_class(manifest_of(out).scenario).catalog()
    except OutputError:
        return None


def reconcile_command(
    bootstrap_servers: BootstrapOption = None,
    topics: TopicsOption = None,
    warehouse: WarehouseOption = None,
    schema_registry: RegistryOption = None,
    scenario: ScenarioOption = None,
    config_path: ConfigPathOption = None,
) -> None:
    """Compare each topic partition with the warehouse: counts, stored offsets, key checksums; exit 1 on a mismatch."""
    config = build_config(
        config_path,
        {
            "stream": {"bootstrap_servers": bootstrap_servers},
            "sink": {"warehouse": warehouse, "topics": topics},
        },
        scenario,
    )
    catalog = scenario_class(config.scenario).catalog()
    decode = make_decoder(catalog, schema_registry)  # a registry URL that is none fails before anything connects
    from confluent_kafka.admin import AdminClient

    conf: dict[str, Any] = {"bootstrap.servers": config.stream.bootstrap_servers, **ClientLog("Kafka admin").settings()}
    admin = AdminClient(conf)
    try:
        listed = admin.list_topics(timeout=10).topics
    except KafkaException as exc:
        raise ConfigError(
            f"--bootstrap-servers: no answer from {config.stream.bootstrap_servers} ({exc.args[0].str()}); "
            "is the broker running?"
        ) from exc
    names = matching_topics(listed, config.sink_topics)
    if not names:
        raise ConfigError(f"topics: nothing on {config.stream.bootstrap_servers} matches {config.sink_topics!r}")
    with open_warehouse(config.sink.warehouse, catalog) as destination:
        present = set(destination.data_tables(catalog.namespaces))
        carried = [t for t in names if catalog.for_topic(t)]
        checks = reconcile(
            config.stream.bootstrap_servers,
            carried,
            destination,
            decode,
            catalog,
            present,
        )
    # a topic whose table doesn't exist yet is not loaded, unless it is empty
    unloaded = {c.topic for c in checks if c.topic_messages and not c.table_exists}
    checks = [c for c in checks if c.topic not in unloaded]
    listing = result_table(f"reconcile {config.sink_topics} ↔ {shown(config.sink.warehouse)}")
    for column in ("topic", "partition", "messages", "rows", "dead", "next offset", "end", "checksum", "result"):
        listing.add_column(column, justify="left" if column in ("topic", "result") else "right")
    for c in checks:
        listing.add_row(
            c.topic,
            str(c.partition),
            f"{c.topic_messages:,}",
            f"{c.rows:,}",
            str(c.dead_letters),
            "-" if c.stored_next is None else f"{c.stored_next:,}",
            f"{c.end:,}",
            "match" if c.topic_checksum == c.warehouse_checksum else "DIFFERS",
            "[green]ok[/green]" if c.ok else "[red]MISMATCH[/red]",
        )
    command_console().print(listing)
    missing = sorted(set(names) - {c.topic for c in checks})
    for topic in missing:
        typer.echo(f"{topic}: no table in the warehouse yet", err=True)
    bad = [c for c in checks if not c.ok]
    if bad or missing:
        typer.echo(f"{len(bad)} partitions differ, {len(missing)} topics not loaded", err=True)
        raise typer.Exit(1)
    typer.echo(f"all {len(checks)} partitions match")
