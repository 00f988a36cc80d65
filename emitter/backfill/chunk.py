"""Generate and write a contiguous run of days with one scenario instance, one day at a time."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from emitter.backfill.layout import fact_file
from emitter.backfill.partitions import WrittenPartition, write_partition
from emitter.backfill.plan import DayWork
from emitter.config import Config
from emitter.formats import writer_for
from emitter.scenarios.contract import Scenario


@dataclass(frozen=True)
class ChunkJob:
    """Everything a worker process needs: it rebuilds the scenario from the config itself."""

    config: Config
    out_dir: Path
    format: str
    days: tuple[DayWork, ...]
    scenario: str  # import reference of the scenario class (registry.reference_of)


@dataclass(frozen=True)
class DayDone:
    """All partitions still needed for ``day`` are on disk."""

    day: date
    partitions: tuple[WrittenPartition, ...]
    generate_seconds: float


def run_chunk(job: ChunkJob, scenario: Scenario[Any]) -> Iterator[DayDone]:
    """Yield after each day is fully written; only the current day's batches are ever held."""
    fmt = writer_for(job.format)
    needed = {work.day: work.tables for work in job.days}
    wanted = {table for work in job.days for table in work.tables}
    catalog = scenario.catalog()
    tables = [t.id for t in catalog.per_day if t.id in wanted]
    days = [work.day for work in job.days]
    batches_by_day = scenario.days(days, tables)
    while True:
        started = time.perf_counter()
        try:
            day, batches = next(batches_by_day)
        except StopIteration:
            return
        generate_seconds = time.perf_counter() - started
        written = []
        for table in needed.get(day, ()):
            if table not in batches:
                raise RuntimeError(f"scenario {scenario.name} returned no {table} batch for {day}")
            key = fact_file(catalog.path(catalog.get(table)), day, fmt.extension)
            written.append(write_partition(fmt, catalog, table, batches[table], job.out_dir, key, day))
        del batches
        yield DayDone(day=day, partitions=tuple(written), generate_seconds=generate_seconds)


def write_chunk(job: ChunkJob, report: Callable[[DayDone], None]) -> None:
    """A worker process's whole job: rebuild the scenario from the job, write its days, report each one."""
    from emitter.scenarios import open_scenario

    for done in run_chunk(job, open_scenario(job.config, job.scenario)):
        report(done)
