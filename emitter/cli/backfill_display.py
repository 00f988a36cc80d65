"""Rich progress bars per table (rows, rows/s, ETA) and the closing summary table for ``backfill``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from emitter.backfill.layout import MANIFEST_NAME
from emitter.backfill.summary import BackfillSummary
from emitter.cli.output import result_table

_MB = 1_000_000


class _RowsPerSecond(ProgressColumn):
    """Rows written per second since the table started (frozen once its last partition is written)."""

    def render(self, task: Task) -> Text:
        elapsed = (task.finished_time if task.finished else task.elapsed) or 0.0
        rows: int = task.fields.get("rows", 0)
        rate = rows / elapsed if elapsed > 0 else 0.0
        return Text(f"{rate:>9,.0f}/s", style="cyan", no_wrap=True)


class RichBackfillProgress:
    """A BackfillProgress showing one bar per table; partitions are the unit of the bar and the ETA."""

    def __init__(self, console: Console) -> None:
        self._progress = Progress(
            TextColumn("{task.description:<20}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rows]:>11,} rows"),
            _RowsPerSecond(),
            TimeRemainingColumn(),
            console=console,
            transient=False,
        )
        self._tasks: dict[str, TaskID] = {}
        self._rows: dict[str, int] = {}

    def begin(self, partitions_per_table: Mapping[str, int]) -> None:
        for table, total in partitions_per_table.items():
            self._tasks[table] = self._progress.add_task(table, total=total, rows=0)
            self._rows[table] = 0
        self._progress.start()

    def advance(self, table: str, rows: int, nbytes: int) -> None:
        if table not in self._tasks:
            self._tasks[table] = self._progress.add_task(table, total=None, rows=0)
            self._rows[table] = 0
        self._rows[table] += rows
        self._progress.update(self._tasks[table], advance=1, rows=self._rows[table])

    def end(self) -> None:
        self._progress.stop()


def print_summary(summary: BackfillSummary, console: Console) -> None:
    """Table, rows, files, MB and seconds per table, then totals and where the files are."""
    if not summary.tables:
        console.print(
            f"Nothing to write: all {summary.skipped} partitions in {summary.out_dir} are complete "
            "(use --force to rewrite them).",
            highlight=False,
        )
        return
    table = result_table(f"backfill → {summary.out_dir} ({summary.format})")
    for name in ("table", "rows", "files", "MB", "seconds"):
        table.add_column(name, justify="left" if name == "table" else "right")
    for name, entry in summary.tables.items():
        table.add_row(name, f"{entry.rows:,}", f"{entry.files:,}", f"{entry.bytes / _MB:,.1f}", f"{entry.seconds:,.1f}")
    table.add_section()
    table.add_row(
        "total",
        f"{summary.rows:,}",
        f"{summary.files:,}",
        f"{summary.bytes / _MB:,.1f}",
        f"{summary.wall_seconds:,.1f}",
        style="bold",
    )
    console.print(table)
    note = Text(
        f"Seconds per table are encoding and writing; generating took {summary.generate_seconds:,.1f}s; "
        "the total is wall time."
    )
    if summary.skipped:
        note += f" Skipped {summary.skipped:,} partitions already complete."
    console.print(note, style="dim", highlight=False)


def damaged_note(keys: Sequence[str], shown: int = 3) -> str:
    """One line naming the partitions a resume rewrote because their content no longer matched the manifest."""
    plural = "partition" if len(keys) == 1 else "partitions"
    listed = ", ".join(keys[:shown]) + (f" and {len(keys) - shown} more" if len(keys) > shown else "")
    return f"rewrote {len(keys)} damaged {plural} (content differed from {MANIFEST_NAME}): {listed}"
