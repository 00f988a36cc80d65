"""One place that turns EmitterError and usage mistakes into one readable stderr line and an exit code."""

from __future__ import annotations

from typing import Any

import typer
from typer.core import TyperGroup

from emitter.backfill.errors import BackfillInterrupted
from emitter.errors import EmitterError
from emitter.urls import mask_secrets


def print_error(message: str) -> None:
    """Print each line of ``message`` to stderr prefixed with ``error:``, with any secret in it masked."""
    for line in mask_secrets(message).splitlines() or [""]:
        typer.echo(f"error: {line}", err=True)


class EmitterGroup(TyperGroup):
    """The root command group: catches errors from every subcommand, so no command repeats it."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except BackfillInterrupted as exc:
            typer.echo(str(exc), err=True)
            raise typer.Exit(exc.exit_code) from None
        except EmitterError as exc:
            print_error(str(exc))
            raise typer.Exit(1) from None
        except typer.TyperException as exc:
            # Usage mistakes typer itself detects (missing option, not a number, unknown command).
            command = getattr(getattr(exc, "ctx", None), "command_path", ctx.command_path)
            print_error(f"{exc.format_message()} (see '{command} --help')")
            raise typer.Exit(1) from None
