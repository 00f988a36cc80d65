"""``emitter validate``: check backfill output, or a loaded warehouse, against the scenario's business rules."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from emitter.backfill.validate import expect_scenario, validate_output
from emitter.cli.options import (
    ConfigPathOption,
    PresetOption,
    ScaleOption,
    ScenarioOption,
    SeedOption,
    SetOption,
    build_config,
)
from emitter.cli.output import command_console, result_table
from emitter.errors import ConfigError
from emitter.scenarios import RuleResult, open_scenario
from emitter.sink.destinations import open_destination, shown
from emitter.sink.validate import recorded_scenario, same_run, validate_warehouse

WarehouseURLOption = Annotated[
    str | None,
    typer.Option(
        "--warehouse",
        help="Validate loaded tables instead of files: duckdb:///warehouse.duckdb or postgresql://user@host/db.",
        show_default=False,
    ),
]


def validate(
    ctx: typer.Context,
    out: Annotated[
        Path | None,
        typer.Argument(help="A directory written by `emitter backfill` (or give --warehouse).", show_default=False),
    ] = None,
    warehouse: WarehouseURLOption = None,
    scenario: ScenarioOption = None,
    seed: SeedOption = None,
    preset: PresetOption = None,
    scale: ScaleOption = None,
    sets: SetOption = None,
    config_path: ConfigPathOption = None,
) -> None:
    """Check declared foreign keys and every business rule over backfill output or a warehouse; exit 1 on a breach.

    DIR: the scenario, seed and settings are read from the output's manifest (--scenario, if given, must
    match), and every file is checked against its checksum.

    --warehouse: tables loaded by `emitter load` or `emitter demo` are judged by the settings they
    recorded; rows from `emitter sink` by the stream's own --scenario, --config, --seed, --preset, --scale,
    --set and scenario flags. Reference tables the warehouse lacks are rebuilt from that seed.
    """
    flags = {"--seed": seed, "--preset": preset, "--scale": scale, "--set": sets, "--config": config_path}
    given = [flag for flag, value in flags.items() if value] + list(ctx.args[:1])
    if (out is None) == (warehouse is None):
        raise ConfigError("validate: give a backfill directory or --warehouse URL, one of them")
    if out is not None:
        if given:
            raise ConfigError(
                f"{given[0]}: {out}'s manifest records its settings; settings flags apply with --warehouse only"
            )
        expect_scenario(out, scenario)
        _report(f"business rules over {out}", validate_output(out))
        return
    assert warehouse is not None
    with open_destination(warehouse) as destination:
        recorded = recorded_scenario(destination)
        if recorded is not None and not given and scenario in (None, recorded.name):
            judged, origin = recorded, "as recorded by the load"
        else:
            config = build_config(config_path, {"seed": seed}, scenario, preset, scale, sets, ctx)
            judged, origin = open_scenario(config), "from the config and flags"
            if recorded is not None and not same_run(recorded, judged):
                settings = "the same" if recorded.settings == judged.settings else "other"
                settings = f" with {settings} settings" if recorded.name == judged.name else ""
                raise ConfigError(
                    f"{shown(warehouse)} was loaded from scenario {recorded.name} seed {recorded.seed}, but the flags "
                    f"give scenario {judged.name} seed {judged.seed}{settings}; drop --scenario and "
                    "the settings flags to validate what was loaded"
                )
        check = validate_warehouse(destination, judged)
    rows = sum(check.rows.values())
    typer.echo(
        f"{shown(warehouse)}: {rows:,} rows of {len(check.rows)} {judged.name} tables, "
        f"seed {judged.seed}, settings {origin}"
    )
    if check.span is not None:
        first, last = (f"{moment:%Y-%m-%d %H:%M:%S}" for moment in check.span)
        typer.echo(f"events from {first} to {last}")
    if check.rebuilt:
        typer.echo(f"not in the warehouse, rebuilt from the seed: {', '.join(check.rebuilt)}")
    hint = (
        "the rules judge whole days: rows cut off mid-day (a stream started or stopped inside a day) have partners "
        "outside the warehouse, which count as breaches; stream whole days with --start DAY --end NEXT-DAY"
    )
    _report(f"business rules over {shown(warehouse)}", check.results, hint)


def _report(title: str, results: list[RuleResult], hint: str = "") -> None:
    listing = result_table(title)
    listing.add_column("rule")
    listing.add_column("result")
    listing.add_column("detail")
    for r in results:
        listing.add_row(r.rule, "[green]ok[/green]" if r.ok else "[red]FAILED[/red]", r.detail)
    command_console().print(listing)
    failed = [r for r in results if not r.ok]
    if failed:
        typer.echo(f"{len(failed)} of {len(results)} rules failed", err=True)
        if hint:
            typer.echo(hint, err=True)
        raise typer.Exit(1)
    typer.echo(f"all {len(results)} rules hold")
