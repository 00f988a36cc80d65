"""The ``emitter`` command: a typer app whose root group reports every user mistake as one line."""

from __future__ import annotations

from typing import Annotated

import typer

from emitter import __version__
from emitter.cli.backfill import backfill
from emitter.cli.broker import broker
from emitter.cli.demo import demo
from emitter.cli.error_reporting import EmitterGroup
from emitter.cli.options import HttpOptionCommand, ScenarioFlagsCommand
from emitter.cli.plan import plan_command
from emitter.cli.report import report
from emitter.cli.scenarios import scenarios
from emitter.cli.sink import load_command, reconcile_command, sink_command
from emitter.cli.status import clear, status
from emitter.cli.stream import stream_command
from emitter.cli.tables import tables
from emitter.cli.validate import validate

app = typer.Typer(
    name="emitter",
    cls=EmitterGroup,
    help="Realistic synthetic business data: partitioned history files and live event streams.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
    rich_markup_mode=None,  # help is plain text: `ramp:A:B:30s` must not turn into an emoji, [x] must stay
)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"emitter {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[
        bool,
        typer.Option("--version", help="Print the version and exit.", callback=_print_version, is_eager=True),
    ] = False,
) -> None:
    """Realistic synthetic business data: partitioned history files and live event streams."""


@app.command("version")
def version() -> None:
    """Print the version."""
    typer.echo(f"emitter {__version__}")


app.command("backfill", cls=ScenarioFlagsCommand)(backfill)
app.command("stream", cls=ScenarioFlagsCommand)(stream_command)
app.command("broker")(broker)
app.command("sink", cls=HttpOptionCommand)(sink_command)
app.command("load")(load_command)
app.command("reconcile")(reconcile_command)
app.command("demo", cls=ScenarioFlagsCommand)(demo)
app.command("plan", cls=ScenarioFlagsCommand)(plan_command)
app.command("tables")(tables)
app.command("scenarios")(scenarios)
app.command("validate", cls=ScenarioFlagsCommand)(validate)
app.command("report", cls=ScenarioFlagsCommand)(report)
app.command("status")(status)
app.command("clear")(clear)


def main() -> None:
    """Console-script entry point (``emitter``) and ``python -m emitter``."""
    app()
