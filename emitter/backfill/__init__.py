"""Backfill: date-partitioned history on disk, resumable, identical however the range is chunked."""

from __future__ import annotations

from emitter.backfill.errors import BackfillInterrupted, ManifestMismatch, ManifestUnreadable
from emitter.backfill.manifest import Manifest, PartitionRecord, read_manifest
from emitter.backfill.progress import BackfillProgress
from emitter.backfill.runner import run_backfill, select_tables
from emitter.backfill.summary import BackfillSummary, TableSummary

__all__ = [
    "BackfillInterrupted",
    "BackfillProgress",
    "BackfillSummary",
    "Manifest",
    "ManifestMismatch",
    "ManifestUnreadable",
    "PartitionRecord",
    "TableSummary",
    "read_manifest",
    "run_backfill",
    "select_tables",
]
