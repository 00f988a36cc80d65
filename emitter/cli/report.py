"""``emitter report``: one self-contained HTML page of charts and rule results over backfill output."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from emitter.cli.options import ManifestScenarioOption


def report(
    out: Annotated[
        Path, typer.Argument(help="A directory written by `emitter backfill`.", metavar="DIR", show_default=False)
    ],
    output: Annotated[
        Path,
        typer.Option("--output", "-o", help="Where to write the HTML page (replaced if it exists)."),
    ] = Path("report.html"),
    scenario: ManifestScenarioOption = None,
) -> None:
    """Write one HTML page (opens offline) of volume by hour, weekday and day, the domain's charts and rules.

    The scenario, seed and settings are read from the output's manifest (--scenario, if given, must match).
    Rule breaches are shown on the page; the command fails only when the page can't be made.
    """
    # Altair and vl-convert load in a second: only this command pays for them.
    from emitter.report.build import build_report, write_report
    from emitter.report.source import from_backfill

    chosen, tables = from_backfill(out, scenario)
    results = chosen.rules(tables)
    write_report(output, build_report(chosen, tables, results))
    failed = sum(not r.ok for r in results)
    verdict = f"{failed} of {len(results)} rules fail" if failed else f"all {len(results)} rules hold"
    typer.echo(f"wrote {output} ({chosen.name}, {verdict})")
