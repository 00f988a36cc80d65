"""What a backfill did, per table and overall, for the CLI's summary table and for callers."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class TableSummary:
    """Totals for one table over the files written in this run.

    ``seconds`` is time spent encoding and writing this table's files; generation is shared by
    all tables of a day and is reported once, in ``BackfillSummary.generate_seconds``.
    """

    rows: int = 0
    files: int = 0
    bytes: int = 0
    seconds: float = 0.0


@dataclass
class BackfillSummary:
    """Per-table totals, partitions skipped as already complete or rewritten as damaged, and wall-clock time."""

    out_dir: Path
    format: str
    tables: dict[str, TableSummary] = field(default_factory=dict)
    days_written: int = 0
    skipped: int = 0
    damaged: list[str] = field(default_factory=list)  # partitions rewritten because their content had changed
    generate_seconds: float = 0.0
    wall_seconds: float = 0.0

    def add(self, table: str, rows: int, nbytes: int, seconds: float) -> None:
        entry = self.tables.setdefault(table, TableSummary())
        entry.rows += rows
        entry.files += 1
        entry.bytes += nbytes
        entry.seconds += seconds

    @property
    def rows(self) -> int:
        return sum(entry.rows for entry in self.tables.values())

    @property
    def files(self) -> int:
        return sum(entry.files for entry in self.tables.values())

    @property
    def bytes(self) -> int:
        return sum(entry.bytes for entry in self.tables.values())
