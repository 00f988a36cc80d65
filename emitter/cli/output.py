"""The console commands print their results on: piped or redirected, lines keep every character."""

from __future__ import annotations

from rich.console import Console

# Not a terminal: no width to fit, so tables take what their cells need rather than being cut to 80 columns
_UNBOUNDED_WIDTH = 1_000_000


def command_console(stderr: bool = False) -> Console:
    """A console on stdout (or stderr), as wide as the terminal, or unbounded on a pipe or a file."""
    console = Console(stderr=stderr)
    return console if console.is_terminal else Console(stderr=stderr, width=_UNBOUNDED_WIDTH)
