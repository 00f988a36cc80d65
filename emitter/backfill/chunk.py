"""Generate and write a contiguous run of days with one scenario instance, one day at a time.

Files are made durable in batches of days (see :class:`Barrier`): a full-scale day of a small scenario
is a few thousand rows in several files, and one fsync per file cost more than generating them.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from emitter.backfill.layout import fact_file
from emitter.backfill.partitions import PartitionWriter, WrittenPartition
from emitter.backfill.plan import DayWork
from emitter.config import Config
from emitter.formats import writer_for
from emitter.scenarios.contract import Scenario


@dataclass(frozen=True)
class Barrier:
    """When to make the staged days durable and report them: whichever limit is reached first.

    Time bounds what a crash costs and how stale progress and the manifest get (a quarter of a second: about
    twenty barriers in a full-scale fitness year); files and bytes bound open temp files and unsynced data.
    """

    max_seconds: float = 0.25
    max_files: int = 256
    max_bytes: int = 256 << 20

    def due(self, writer: PartitionWriter, since: float) -> bool:
        return (
            writer.pending_files >= self.max_files
            or writer.pending_bytes >= self.max_bytes
            or time.perf_counter() - since >= self.max_seconds
        )


DEFAULT_BARRIER = Barrier()


@dataclass(frozen=True)
class ChunkJob:
    """Everything a worker process needs: it rebuilds the scenario from the config itself."""

    config: Config
    out_dir: Path
    format: str
    days: tuple[DayWork, ...]
    scenario: str  # import reference of the scenario class (registry.reference_of)
    barrier: Barrier = DEFAULT_BARRIER


@dataclass(frozen=True)
class DayDone:
    """All partitions still needed for ``day`` are durable on disk."""

    day: date
    partitions: tuple[WrittenPartition, ...]
    generate_seconds: float


def run_chunk(job: ChunkJob, scenario: Scenario[Any]) -> Iterator[tuple[DayDone, ...]]:
    """Yield the days made durable by each barrier, in order; only the current day's batches are ever held.

    Staged files not yet committed when the generator stops (an error, Ctrl-C, closed early) are removed.
    """
    fmt = writer_for(job.format)
    needed = {work.day: work.tables for work in job.days}
    wanted = {table for work in job.days for table in work.tables}
    catalog = scenario.catalog()
    tables = [t.id for t in catalog.per_day if t.id in wanted]
    days = [work.day for work in job.days]
    batches_by_day = scenario.days(days, tables)
    with PartitionWriter(fmt, catalog, job.out_dir) as writer:
        staged: list[DayDone] = []
        since = time.perf_counter()
        while True:
            started = time.perf_counter()
            try:
                day, batches = next(batches_by_day)
            except StopIteration:
                break
            generate_seconds = time.perf_counter() - started
            written = []
            for table in needed.get(day, ()):
                if table not in batches:
                    raise RuntimeError(f"scenario {scenario.name} returned no {table} batch for {day}")
                key = fact_file(catalog.path(catalog.get(table)), day, fmt.extension)
                written.append(writer.stage(table, batches[table], key, day))
            del batches
            staged.append(DayDone(day=day, partitions=tuple(written), generate_seconds=generate_seconds))
            if job.barrier.due(writer, since):
                writer.commit()
                yield tuple(staged)
                staged, since = [], time.perf_counter()
        if staged:
            writer.commit()
            yield tuple(staged)


def write_chunk(job: ChunkJob, report: Callable[[tuple[DayDone, ...]], None]) -> None:
    """A worker process's whole job: rebuild the scenario from the job, write its days, report each barrier."""
    from emitter.scenarios import open_scenario

    for done in run_chunk(job, open_scenario(job.config, job.scenario)):
        report(done)
