"""``emitter report``: one self-contained HTML page of charts and rule results over backfill output or a warehouse."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from emitter.cli.options import ConfigPathOption, PresetOption, ScaleOption, ScenarioOption, SeedOption, SetOption
from emitter.cli.warehouse_source import WarehouseURLOption, judged_scenario, one_source, settings_flags_given
from emitter.sink.validate import warehouse_tables
from emitter.sink.warehouse_scope import open_warehouse


def report(
    ctx: typer.Context,
    out: Annotated[
        Path | None,
        typer.Argument(
            help="A directory written by `emitter backfill` (or give --warehouse).", metavar="DIR", show_default=False
        ),
    ] = None,
    output: Annotated[
        Path,
        typer.Option("--output", "-o", help="Where to write the HTML page (replaced if it exists)."),
    ] = Path("report.html"),
    warehouse: WarehouseURLOption = None,
    scenario: ScenarioOption = None,
    seed: SeedOption = None,
    preset: PresetOption = None,
    scale: ScaleOption = None,
    sets: SetOption = None,
    config_path: ConfigPathOption = None,
) -> None:
    """Write one HTML page (opens offline) of volume by hour, weekday and day, the domain's charts and rules.

    DIR: the scenario, seed and settings are read from the output's manifest (--scenario, if given, must match).
    --warehouse: as `emitter validate --warehouse` reads it (the run `load` or `demo` recorded, or the
    stream's own settings flags for rows from `emitter sink`).
    Rule breaches are shown on the page; the command fails only when the page can't be made.
    """
    one_source(out, warehouse, settings_flags_given(ctx, seed, preset, scale, sets, config_path), "report")
    # Altair and vl-convert load in a second: only this command pays for them.
    from emitter.report.build import build_report, write_report
    from emitter.report.source import from_backfill

    if out is not None:
        chosen, tables = from_backfill(out, scenario)
    else:
        assert warehouse is not None
        with open_warehouse(warehouse) as destination:
            chosen, _ = judged_scenario(ctx, destination, scenario, seed, preset, scale, sets, config_path)
            tables = warehouse_tables(destination, chosen).tables
    results = chosen.rules(tables)
    write_report(output, build_report(chosen, tables, results))
    failed = sum(not r.ok for r in results)
    verdict = f"{failed} of {len(results)} rules fail" if failed else f"all {len(results)} rules hold"
    typer.echo(f"wrote {output} ({chosen.name}, {verdict})")
