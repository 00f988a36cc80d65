"""``emitter validate``: check backfill output, or a loaded warehouse, against the scenario's business rules."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from emitter.backfill.validate import expect_scenario, validate_output
from emitter.cli.options import ConfigPathOption, PresetOption, ScaleOption, ScenarioOption, SeedOption, SetOption
from emitter.cli.output import command_console, result_table
from emitter.cli.warehouse_source import WarehouseURLOption, judged_scenario, one_source, settings_flags_given
from emitter.scenarios import RuleResult
from emitter.sink.destinations import shown
from emitter.sink.validate import validate_warehouse
from emitter.sink.warehouse_scope import open_warehouse


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
    one_source(out, warehouse, settings_flags_given(ctx, seed, preset, scale, sets, config_path), "validate")
    if out is not None:
        expect_scenario(out, scenario)
        _report(f"business rules over {out}", validate_output(out))
        return
    assert warehouse is not None
    with open_warehouse(warehouse) as destination:
        judged, origin = judged_scenario(ctx, destination, scenario, seed, preset, scale, sets, config_path)
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
