"""``emitter plan``: rows, bytes, stream peaks, Kafka partitions and Event Hubs units, before anything runs."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.console import Console

from emitter.cli.options import (
    ConfigPathOption,
    DaysOption,
    EndDayOption,
    PresetOption,
    ScaleOption,
    ScenarioOption,
    SeedOption,
    SetOption,
    build_config,
    parse_day,
    parse_speed,
    resolve_end,
    split_names,
)
from emitter.cli.output import command_console, result_table
from emitter.core.clock import date_range
from emitter.errors import ConfigError
from emitter.plan import Plan, build_plan
from emitter.plan.capacity import DEFAULT_PARTITION_MB_S, TU_BYTES_PER_S, TU_EVENTS_PER_S, Capacity
from emitter.plan.report import SINGLE_OBJECT_HEADER, Rates
from emitter.scenarios import open_scenario
from emitter.stream.rate_profile import parse_duration, parse_rate_profile


def plan_command(
    ctx: typer.Context,
    start: Annotated[
        str | None, typer.Option("--start", help="First day, YYYY-MM-DD. Default: today (UTC).", show_default=False)
    ] = None,
    end: EndDayOption = None,
    days: DaysOption = None,
    tables: Annotated[
        str | None,
        typer.Option("--tables", help="Comma-separated tables a stream carries (default: those streamed by default)."),
    ] = None,
    emit_interval_ms: Annotated[
        int | None, typer.Option("--emit-interval-ms", help="Live tick length. Default: realtime.emit_interval_ms.")
    ] = None,
    burst: Annotated[int | None, typer.Option("--burst", help="Live events per tick. Default: realtime.burst.")] = None,
    rate_profile: Annotated[
        str | None,
        typer.Option("--rate-profile", help="Live load shape instead of --burst, as for `emitter stream`."),
    ] = None,
    duration: Annotated[
        str | None,
        typer.Option("--duration", help="With --rate-profile: the span its mean is taken over (default one period)."),
    ] = None,
    speed: Annotated[
        str, typer.Option("--speed", help="Replay speed (simulated seconds per real second) for the replay peak.")
    ] = "1",
    partition_mb_s: Annotated[
        float,
        typer.Option(
            "--partitions-throughput", help="MB/s one Kafka partition is assumed to take (1 MB = 10^6 bytes)."
        ),
    ] = DEFAULT_PARTITION_MB_S,
    seed: SeedOption = None,
    scenario: ScenarioOption = None,
    preset: PresetOption = None,
    scale: ScaleOption = None,
    sets: SetOption = None,
    config_path: ConfigPathOption = None,
) -> None:
    """Estimate a run before starting it: rows and Avro bytes per table, stream rates, partitions, TUs.

    Figures come from the scenario's own rate curves (season, holidays, weekday, hour of day), not from
    generating data. The replay peak is the busiest simulated hour of the range at --speed.
    """
    first = parse_day(start, "--start") if start else datetime.now(UTC).date()
    last = resolve_end(first, end, days)
    if partition_mb_s <= 0:
        raise ConfigError(f"--partitions-throughput: {partition_mb_s:g} must be above 0, e.g. 5")
    config = build_config(
        config_path,
        {"seed": seed, "realtime": {"emit_interval_ms": emit_interval_ms, "burst": burst}},
        scenario,
        preset,
        scale,
        sets,
        ctx,
    )
    model = open_scenario(config)
    streamed = [t.id for t in model.catalog().select(split_names(tables), stream=True)]
    span = date_range(first, last)
    plan = build_plan(
        config.scenario,
        span,
        model.plan_volumes(span),
        streamed,
        burst=config.realtime.burst,
        interval_ms=config.realtime.emit_interval_ms,
        profile=parse_rate_profile(rate_profile) if rate_profile else None,
        horizon_s=parse_duration(duration, "--duration") if duration else None,
        speed=parse_speed(speed),
        partition_mb_s=partition_mb_s,
    )
    print_plan(plan, command_console())


def print_plan(plan: Plan, console: Console) -> None:
    """The plan as a table of rows and bytes, then the live and replay stream figures."""
    listing = result_table(f"{plan.scenario}: {plan.start} to {plan.end} (estimates)")
    for column in ("table", "rows", "Avro bytes/row", "Avro MB", "streamed"):
        listing.add_column(column, justify="left" if column == "table" else "right")
    for line in plan.tables:
        rows = f"{line.rows:,.0f}" + ("" if line.per_day else " (reference)")
        streamed = "yes" if line.streamed else ""
        listing.add_row(line.table, rows, f"{line.row_bytes:,.1f}", f"{line.bytes / 1e6:,.2f}", streamed)
    total = sum(line.rows for line in plan.tables)
    listing.add_row("total", f"{total:,.0f}", "", f"{sum(line.bytes for line in plan.tables) / 1e6:,.2f}", "")
    console.print(listing)
    console.print(
        "Bytes are Avro-encoded message bodies as a stream sends them (files in parquet or csv differ); "
        f"a streamed event averages {plan.event_bytes:,.1f} bytes with the {SINGLE_OBJECT_HEADER}-byte "
        "single-object header.",
        soft_wrap=True,
    )
    console.print(f"Live stream ({plan.live_source}): {_rates(plan.live)}", soft_wrap=True, emoji=False, markup=False)
    console.print(f"  {_needs(plan.live.needs)}", soft_wrap=True)
    day, hour = plan.replay.peak_day, plan.replay.peak_hour
    console.print(
        f"Replay at --speed {plan.speed:g}: {_rates(plan.replay)}; busiest hour {day} {hour:02d}:00-{hour:02d}:59",
        soft_wrap=True,
    )
    console.print(f"  {_needs(plan.replay.needs)}", soft_wrap=True)


def _rates(rates: Rates) -> str:
    return f"mean {rates.mean:,.1f} events/s, peak {rates.peak:,.1f} events/s"


def _needs(c: Capacity) -> str:
    return (
        f"at the peak, {c.bytes_per_s / 1e6:,.3f} MB/s: {c.partitions} Kafka partition(s) at "
        f"{c.partition_mb_s:g} MB/s each; {c.throughput_units} Event Hubs throughput unit(s) "
        f"({TU_BYTES_PER_S // 1_000_000} MB/s or {TU_EVENTS_PER_S:,} events/s each; {c.tu_bound_by} bind)"
    )
