"""The console commands print their results on: piped or redirected, lines keep every character."""

from __future__ import annotations

from typing import Any

from rich.cells import cell_len
from rich.console import Console
from rich.table import Table

# Not a terminal: no width to fit, so tables take what their cells need rather than being cut to 80 columns
_UNBOUNDED_WIDTH = 1_000_000


def command_console(stderr: bool = False) -> Console:
    """A console on stdout (or stderr), as wide as the terminal, or unbounded on a pipe or a file."""
    console = Console(stderr=stderr)
    return console if console.is_terminal else Console(stderr=stderr, width=_UNBOUNDED_WIDTH)


def result_table(title: str, **options: Any) -> Table:
    """A table with its title on one line: at least as wide as the title, so it never wraps mid-path or mid-URL."""
    return Table(title=title, title_justify="left", min_width=cell_len(title), **options)
