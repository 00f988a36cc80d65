"""``run_backfill``: plan the partitions, generate day by day, write atomically, keep the manifest."""

from __future__ import annotations

import contextlib
import signal
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from pathlib import Path
from types import FrameType
from typing import Any

from emitter.backfill.chunk import DEFAULT_BARRIER, Barrier, ChunkJob, DayDone, run_chunk, write_chunk
from emitter.backfill.errors import BackfillInterrupted
from emitter.backfill.layout import FACTS_DIR, MASTER_DIR, master_file
from emitter.backfill.manifest import Manifest, manifest_path, open_manifest, write_manifest
from emitter.backfill.output_dir import claimed_output_dir
from emitter.backfill.partitions import PartitionWriter, WrittenPartition
from emitter.backfill.plan import BackfillPlan, plan_backfill, split_contiguous
from emitter.backfill.progress import BackfillProgress
from emitter.backfill.summary import BackfillSummary
from emitter.config import Config
from emitter.core.clock import date_range
from emitter.errors import ConfigError
from emitter.formats import DEFAULT_FORMAT, FileFormat, writer_for
from emitter.formats.atomic import remove_temp_files
from emitter.scenarios import open_scenario, reference_of
from emitter.scenarios.contract import Scenario
from emitter.workers import WorkerProcesses


def run_backfill(
    config: Config,
    start: date,
    end: date,
    out_dir: Path,
    fmt: str = DEFAULT_FORMAT,
    tables: Sequence[str] | None = None,
    workers: int = 1,
    force: bool = False,
    progress: BackfillProgress | None = None,
    barrier: Barrier = DEFAULT_BARRIER,
) -> BackfillSummary:
    """Write ``start``..``end`` (inclusive) of the configured scenario under ``out_dir``; resumable.

    Args:
        config: the effective configuration; its fingerprint guards the output directory.
        start: first day.
        end: last day, included.
        out_dir: output root: ``master/``, ``facts/<table>/dt=YYYY-MM-DD/`` and ``_manifest.json``.
        fmt: a name from ``emitter.formats.FORMATS``.
        tables: tables to write (master or fact); None writes all of them.
        workers: processes; the days are split into this many contiguous chunks.
        force: rewrite partitions even when the manifest shows them complete, and accept an
            output directory made under another configuration or in another format (its files are removed).
        progress: receives a call per written partition, once it is durable.
        barrier: when the staged days are made durable together and recorded (see ``chunk.Barrier``).

    Raises:
        ConfigError: bad dates, format, table names or worker count.
        OutputError: ``out_dir`` can't be written or is in use by another backfill.
        ManifestMismatch: ``out_dir`` holds data from another configuration or in another format, and
            ``force`` is off.
        BackfillInterrupted: Ctrl-C or SIGTERM; every completed day is kept and a re-run resumes.
    """
    started = time.perf_counter()
    if end < start:
        raise ConfigError(f"end: {end} is before start {start}; pass an end on or after the start")
    if workers < 1:
        raise ConfigError(f"workers: {workers} is not a worker count; pass 1 or more")
    file_format = writer_for(fmt)
    scenario = open_scenario(config)
    master_tables, fact_tables = select_tables(scenario, tables)
    with claimed_output_dir(out_dir):
        for sub in (MASTER_DIR, FACTS_DIR):
            remove_temp_files(out_dir / sub)  # left by a run that was killed outright
        manifest = open_manifest(out_dir, config, file_format.name, force)
        # Claim the directory for this config before any file changes (matters after --force).
        write_manifest(out_dir, manifest)
        plan = plan_backfill(
            manifest,
            out_dir,
            file_format.extension,
            scenario.catalog(),
            master_tables,
            fact_tables,
            date_range(start, end),
            force,
        )
        summary = BackfillSummary(
            out_dir=out_dir, format=file_format.name, skipped=plan.skipped, damaged=list(plan.damaged)
        )
        recorder = _Recorder(out_dir, manifest, summary, progress)
        if progress is not None:
            progress.begin(plan.partitions_per_table())
        try:
            with _sigterm_as_interrupt():
                _execute(plan, config, scenario, file_format, out_dir, workers, recorder, barrier)
        except KeyboardInterrupt:
            recorder.save()
            for sub in (MASTER_DIR, FACTS_DIR):
                remove_temp_files(out_dir / sub)
            raise BackfillInterrupted(
                f"interrupted: {summary.days_written} of {len(plan.days)} days finished this run and are "
                f"recorded in {manifest_path(out_dir)}; run the same command again to resume"
            ) from None
        finally:
            if progress is not None:
                progress.end()
    summary.wall_seconds = time.perf_counter() - started
    return summary


def select_tables(scenario: Scenario[Any], tables: Sequence[str] | None) -> tuple[list[str], list[str]]:
    """Split the requested tables into reference and per-day table ids, in the scenario's order."""
    chosen = scenario.catalog().select(tables)
    return [t.id for t in chosen if not t.per_day], [t.id for t in chosen if t.per_day]


def _execute(
    plan: BackfillPlan,
    config: Config,
    scenario: Scenario[Any],
    file_format: FileFormat,
    out_dir: Path,
    workers: int,
    recorder: _Recorder,
    barrier: Barrier,
) -> None:
    jobs = [
        ChunkJob(config, out_dir, file_format.name, tuple(chunk), reference_of(config), barrier)
        for chunk in split_contiguous(plan.days, workers)
    ]
    if len(jobs) <= 1:
        _write_master(scenario, plan.master, file_format, out_dir, recorder)
        for job in jobs:
            for done in run_chunk(job, scenario):
                recorder.days_done(done)
        return
    pool = WorkerProcesses(write_chunk, jobs, "emitter-backfill").start()
    try:
        # The parent writes reference tables while the workers generate days.
        _write_master(scenario, plan.master, file_format, out_dir, recorder)
        for finished in pool.items():
            recorder.days_done(_flat(finished))
    except BaseException:
        recorder.days_done(_flat(pool.stop()))
        raise
    pool.stop()


def _flat(reports: Iterable[Sequence[DayDone]]) -> list[DayDone]:
    """The days of the barriers the workers reported (each report is one barrier's days)."""
    return [done for report in reports for done in report]


def _write_master(
    scenario: Scenario[Any], tables: Sequence[str], file_format: FileFormat, out_dir: Path, recorder: _Recorder
) -> None:
    if not tables:
        return
    batches = scenario.reference()
    catalog = scenario.catalog()
    with PartitionWriter(file_format, catalog, out_dir) as writer:
        written = [
            writer.stage(
                table, batches[table], master_file(catalog.path(catalog.get(table)), file_format.extension), None
            )
            for table in tables
        ]
        writer.commit()
    recorder.record(written)
    recorder.save()


class _Recorder:
    """Applies finished partitions to the manifest, the summary and the progress display."""

    def __init__(
        self, out_dir: Path, manifest: Manifest, summary: BackfillSummary, progress: BackfillProgress | None
    ) -> None:
        self.out_dir = out_dir
        self.manifest = manifest
        self.summary = summary
        self.progress = progress

    def record(self, partitions: Iterable[WrittenPartition]) -> None:
        for partition in partitions:
            record = partition.record
            self.manifest.partitions[partition.key] = record
            self.summary.add(record.table, record.rows, record.bytes, partition.seconds)
            if self.progress is not None:
                self.progress.advance(record.table, record.rows, record.bytes)

    def days_done(self, days: Sequence[DayDone]) -> None:
        """Record days whose files are durable, then rewrite the manifest once for all of them."""
        if not days:
            return
        for done in days:
            self.record(done.partitions)
            self.summary.days_written += 1
            self.summary.generate_seconds += done.generate_seconds
        self.save()

    def save(self) -> None:
        write_manifest(self.out_dir, self.manifest)


@contextlib.contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """Treat SIGTERM like Ctrl-C, so ``kill`` also stops workers and leaves no partial files."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
