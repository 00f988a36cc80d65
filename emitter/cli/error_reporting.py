"""One place that turns EmitterError and usage mistakes into one readable stderr line and an exit code."""

from __future__ import annotations

import logging
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


CONTROL_LOG = "emitter.control"


class _StderrLines(logging.Handler):
    """emitter's log records as ``warning: ...`` (or ``info: ...``) lines like the ``error:`` ones."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            typer.echo(f"{record.levelname.lower()}: {mask_secrets(record.getMessage())}", err=True)
        except Exception:  # a log line must never end the command
            self.handleError(record)


def report_warnings() -> None:
    """Print emitter's warnings on stderr unless the embedding program set up logging itself."""
    logger = logging.getLogger("emitter")
    if not logger.handlers and not logging.getLogger().handlers:
        handler = _StderrLines(logging.INFO)
        # and what /control changed: the one INFO a terminal user needs to see
        handler.addFilter(lambda r: r.levelno >= logging.WARNING or r.name == CONTROL_LOG)
        logger.addHandler(handler)
        logger.propagate = False
        logging.getLogger(CONTROL_LOG).setLevel(logging.INFO)


class EmitterGroup(TyperGroup):
    """The root command group: catches errors from every subcommand, so no command repeats it."""

    def invoke(self, ctx: Any) -> Any:
        report_warnings()
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
