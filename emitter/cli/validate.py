"""``emitter validate``: check backfill output against the scenario's business rules."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from emitter.backfill.validate import expect_scenario, validate_output
from emitter.cli.options import ManifestScenarioOption
from emitter.cli.output import command_console, result_table


def validate(
    out: Annotated[Path, typer.Argument(help="A directory written by `emitter backfill`.", show_default=False)],
    scenario: ManifestScenarioOption = None,
) -> None:
    """Check file checksums, declared foreign keys and every business rule over backfill output; exit 1 on a breach.

    The scenario, seed and settings are read from the output's manifest (--scenario, if given, must match).
    """
    expect_scenario(out, scenario)
    results = validate_output(out)
    listing = result_table(f"business rules over {out}")
    listing.add_column("rule")
    listing.add_column("result")
    listing.add_column("detail")
    for r in results:
        listing.add_row(r.rule, "[green]ok[/green]" if r.ok else "[red]FAILED[/red]", r.detail)
    command_console().print(listing)
    failed = [r for r in results if not r.ok]
    if failed:
        typer.echo(f"{len(failed)} of {len(results)} rules failed", err=True)
        raise typer.Exit(1)
    typer.echo(f"all {len(results)} rules hold")
