"""Decide what a run must write: the partitions not already complete, split into contiguous chunks."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TypeVar

from emitter.backfill.integrity import PartitionState, partition_state
from emitter.backfill.layout import fact_file, master_file
from emitter.backfill.manifest import Manifest
from emitter.scenarios.tables import Catalog

T = TypeVar("T")


@dataclass(frozen=True)
class DayWork:
    """One day and the fact tables still to write for it."""

    day: date
    tables: tuple[str, ...]


@dataclass(frozen=True)
class BackfillPlan:
    """Master tables and days left to write, how many partitions were already complete, and which were damaged."""

    master: tuple[str, ...]
    days: tuple[DayWork, ...]
    skipped: int
    damaged: tuple[str, ...] = ()  # recorded files whose content no longer matches the manifest: rewritten

    def partitions_per_table(self) -> dict[str, int]:
        counts = dict.fromkeys(self.master, 1)
        for work in self.days:
            for table in work.tables:
                counts[table] = counts.get(table, 0) + 1
        return counts

    @property
    def partition_count(self) -> int:
        return len(self.master) + sum(len(work.tables) for work in self.days)


def plan_backfill(
    manifest: Manifest,
    out_dir: Path,
    extension: str,
    catalog: Catalog,
    master_tables: Sequence[str],
    fact_tables: Sequence[str],
    days: Sequence[date],
    force: bool,
) -> BackfillPlan:
    """List the partitions to (re)write; without ``force``, files matching their manifest checksum are skipped.

    Checking the checksum, not only the size, is what lets a re-run repair a file damaged in place.
    """
    skipped = 0
    damaged: list[str] = []

    def needed(key: str) -> bool:
        nonlocal skipped
        if force:
            return True
        state = partition_state(out_dir, key, manifest.partitions.get(key))
        if state is PartitionState.INTACT:
            skipped += 1
            return False
        if state is PartitionState.DAMAGED:
            damaged.append(key)
        return True

    path = {table: catalog.path(catalog.get(table)) for table in [*master_tables, *fact_tables]}
    master = tuple(table for table in master_tables if needed(master_file(path[table], extension)))
    work: list[DayWork] = []
    for day in days:
        tables = tuple(table for table in fact_tables if needed(fact_file(path[table], day, extension)))
        if tables:
            work.append(DayWork(day, tables))
    return BackfillPlan(master=master, days=tuple(work), skipped=skipped, damaged=tuple(damaged))


def split_contiguous(items: Sequence[T], parts: int) -> list[list[T]]:
    """Split into at most ``parts`` runs of consecutive items whose sizes differ by at most one."""
    parts = max(1, min(parts, len(items)))
    size, extra = divmod(len(items), parts)
    chunks: list[list[T]] = []
    start = 0
    for index in range(parts):
        stop = start + size + (1 if index < extra else 0)
        chunks.append(list(items[start:stop]))
        start = stop
    return [chunk for chunk in chunks if chunk]
