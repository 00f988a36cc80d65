"""``emitter backfill``: date-partitioned history files, resumable and identical however it is chunked."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from emitter.backfill import run_backfill
from emitter.cli.backfill_display import RichBackfillProgress, damaged_note, print_summary
from emitter.cli.options import (
    ConfigPathOption,
    DaysOption,
    EndDayOption,
    PresetOption,
    ScaleOption,
    ScenarioOption,
    SeedOption,
    SetOption,
    StartDayOption,
    build_config,
    ensure_memory,
    parse_day,
    resolve_end,
    split_names,
)
from emitter.cli.output import command_console
from emitter.formats import DEFAULT_FORMAT, FORMATS


def backfill(
    ctx: typer.Context,
    start: StartDayOption,
    end: EndDayOption = None,
    days: DaysOption = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Output directory. Default: paths.out from the config (./data).",
            envvar="EMITTER_OUT",
        ),
    ] = None,
    fmt: Annotated[
        str,
        typer.Option("--format", help=f"File format: {', '.join(FORMATS)}.", envvar="EMITTER_FORMAT"),
    ] = DEFAULT_FORMAT,
    seed: SeedOption = None,
    scenario: ScenarioOption = None,
    preset: PresetOption = None,
    scale: ScaleOption = None,
    sets: SetOption = None,
    tables: Annotated[
        str | None,
        typer.Option("--tables", help="Comma-separated tables to write (default: all).", envvar="EMITTER_TABLES"),
    ] = None,
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            help="Worker processes; days are split into contiguous chunks.",
            envvar="EMITTER_WORKERS",
        ),
    ] = 1,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Rewrite complete partitions; accept an --out made with another config or --format, "
            "removing the files that no longer match.",
        ),
    ] = False,
    quiet: Annotated[
        bool,
        typer.Option(
            "--quiet",
            help="No progress or summary. Without it, progress shows on a terminal and the summary is always printed.",
            envvar="EMITTER_QUIET",
        ),
    ] = False,
    config_path: ConfigPathOption = None,
) -> None:
    """Write history: reference tables as master/<table>, the rest as facts/<table>/dt=YYYY-MM-DD/, plus _manifest.json.

    Re-running the same command skips what is complete, so an interrupted run resumes, and rewrites any
    file whose content no longer matches its checksum in _manifest.json.
    """
    first = parse_day(start, "--start")
    last = resolve_end(first, end, days)
    config = build_config(config_path, {"seed": seed, "paths": {"out": out}}, scenario, preset, scale, sets, ctx)
    ensure_memory(config, workers)
    show = not quiet and sys.stdout.isatty()
    console = command_console()
    summary = run_backfill(
        config,
        first,
        last,
        config.paths.out,
        fmt=fmt,
        tables=split_names(tables),
        workers=workers,
        force=force,
        progress=RichBackfillProgress(console) if show else None,
    )
    if not quiet:  # scripted runs' logs want the summary too
        print_summary(summary, console)
    if summary.damaged and not quiet:
        typer.echo(damaged_note(summary.damaged), err=True)
