"""``status`` and ``clear`` of a backfill output directory, read from (and only trusting) its manifest.

Clearing removes what the manifest lists, then the manifest itself, and never anything else the user
keeps beside it: files are deleted first and the manifest last, so a clear cut short leaves a directory a
second clear (or a backfill) still recognises.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path, PurePosixPath

from emitter.backfill.layout import FACTS_DIR, LOCK_NAME, MASTER_DIR
from emitter.backfill.manifest import Manifest, discard_partitions, manifest_path, write_manifest
from emitter.backfill.output_dir import claimed_output_dir
from emitter.backfill.validate import manifest_of
from emitter.errors import OutputError
from emitter.formats.atomic import remove_temp_files
from emitter.scenarios import scenario_class
from emitter.scenarios.holdings import Holdings, TableHolding, all_namespaces, chosen_tables


@dataclass(frozen=True)
class BackfillHoldings:
    """What an output directory holds, and the manifest facts a status line names."""

    out_dir: Path
    holdings: Holdings
    format: str
    seed: int


@dataclass(frozen=True)
class ClearedBackfill:
    """What ``clear_backfill`` removed; ``kept`` counts files it found beside the output and left alone."""

    removed: Holdings
    manifest_removed: bool
    directory_removed: bool
    kept: int


def backfill_holdings(out_dir: Path, namespaces: Iterable[str] | None = None) -> BackfillHoldings:
    """Rows, files, bytes and days per declared table (of ``namespaces``, or all), as the manifest records them."""
    manifest = manifest_of(out_dir)
    return BackfillHoldings(out_dir, _holdings(manifest, namespaces), manifest.format, manifest.seed)


def clear_backfill(out_dir: Path, namespaces: Iterable[str] | None = None) -> ClearedBackfill:
    """Delete the output's files (of ``namespaces``, or all of it with its manifest), holding the backfill lock.

    Raises:
        OutputError: ``out_dir`` is no backfill output, a backfill is writing it, or its manifest names a
            file outside the output's own folders (then nothing is deleted).
    """
    manifest = manifest_of(out_dir)  # refuses a directory without a manifest before the lock creates anything
    selected = list(namespaces) if namespaces is not None else None
    everything = all_namespaces(scenario_class(manifest.scenario).catalog(), selected)
    with claimed_output_dir(out_dir):
        manifest = manifest_of(out_dir)  # re-read under the lock: a backfill may have finished meanwhile
        removed = _holdings(manifest, selected)
        ids = {t.spec.id for t in removed.tables}
        keys = [key for key, record in manifest.partitions.items() if record.table in ids]
        for key in keys:
            _check_inside(out_dir, key)
        discard_partitions(out_dir, manifest, keys)
        if not everything:
            write_manifest(out_dir, manifest)
            return ClearedBackfill(removed, manifest_removed=False, directory_removed=False, kept=0)
        for sub in (MASTER_DIR, FACTS_DIR):
            remove_temp_files(out_dir / sub)  # a killed backfill's leftovers
            _remove_empty_folders(out_dir / sub)
        manifest_path(out_dir).unlink()
        (out_dir / LOCK_NAME).unlink(missing_ok=True)
    kept = sum(1 for p in out_dir.rglob("*") if p.is_symlink() or not p.is_dir())
    if kept == 0:
        _remove_empty_folders(out_dir)
    return ClearedBackfill(removed, manifest_removed=True, directory_removed=not out_dir.exists(), kept=kept)


def _holdings(manifest: Manifest, namespaces: Iterable[str] | None) -> Holdings:
    catalog = scenario_class(manifest.scenario).catalog()
    per_table: dict[str, list[tuple[int, int, str | None]]] = {}
    for record in manifest.partitions.values():
        per_table.setdefault(record.table, []).append((record.rows, record.bytes, record.dt))
    tables = []
    for spec in chosen_tables(catalog, namespaces):
        records = per_table.get(spec.id)
        if not records:
            tables.append(TableHolding(spec, None))
            continue
        days = sorted({date.fromisoformat(dt) for _, _, dt in records if dt is not None})
        tables.append(
            TableHolding(
                spec,
                rows=sum(rows for rows, _, _ in records),
                first_day=days[0] if days else None,
                last_day=days[-1] if days else None,
                days=len(days),
                files=len(records),
                bytes=sum(size for _, size, _ in records),
            )
        )
    return Holdings(manifest.scenario, tuple(tables))


def _check_inside(out_dir: Path, key: str) -> None:
    """A manifest key is a relative path under master/ or facts/: a clear deletes nothing outside them."""
    parts = PurePosixPath(key).parts
    if PurePosixPath(key).is_absolute() or ".." in parts or len(parts) < 2 or parts[0] not in (MASTER_DIR, FACTS_DIR):
        raise OutputError(
            f"{out_dir}: its manifest lists {key!r}, outside {MASTER_DIR}/ and {FACTS_DIR}/; not clearing a "
            "directory whose manifest was edited by hand (delete it yourself if it is yours)"
        )


def _remove_empty_folders(root: Path) -> None:
    """Remove ``root`` and the folders under it that hold nothing (deepest first); keep any that hold a file."""
    if not root.is_dir():
        return
    for folder in sorted(
        (p for p in root.rglob("*") if p.is_dir() and not p.is_symlink()), key=lambda p: len(p.parts), reverse=True
    ):
        if not any(folder.iterdir()):
            folder.rmdir()
    if not any(root.iterdir()):
        root.rmdir()
