"""How a backfill reports progress; the CLI plugs in a rich display, library callers may pass None."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol


class BackfillProgress(Protocol):
    """Receives one call per written partition, so a display can show rows/s and ETA per table."""

    def begin(self, partitions_per_table: Mapping[str, int]) -> None:
        """Called once with how many partitions each table will write in this run."""

    def advance(self, table: str, rows: int, nbytes: int) -> None:
        """Called after each partition of ``table`` is written."""

    def end(self) -> None:
        """Called once at the end, also after an interruption or failure."""
