"""``emitter load``: put a backfill output directory into a warehouse, each file once.

Files are loaded one transaction each, keyed by their path relative to the output directory and their
manifest checksum, so an interrupted load resumes and a second load adds nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from emitter.backfill.integrity import PartitionState, partition_problem, partition_state
from emitter.backfill.manifest import Manifest
from emitter.backfill.validate import manifest_of, scenario_of
from emitter.errors import ConfigError
from emitter.formats.readers import read_table
from emitter.scenarios import scenario_class
from emitter.sink.destinations import Destination, TableName
from emitter.sink.destinations.tables import with_sort_key


@dataclass(frozen=True)
class FileLoad:
    """What happened to one file: loaded (with ``rows`` rows) or skipped as already loaded."""

    source: str
    table: str
    rows: int
    loaded: bool


@dataclass
class LoadSummary:
    """Files loaded and skipped by one ``load_backfill`` call, and the rows it added per table."""

    files_loaded: int = 0
    files_skipped: int = 0
    rows_by_table: dict[str, int] = field(default_factory=dict)
    files: list[FileLoad] = field(default_factory=list)  # every file, in load order

    @property
    def rows_loaded(self) -> int:
        return sum(self.rows_by_table.values())

    def add(self, outcome: FileLoad) -> None:
        self.files.append(outcome)
        if outcome.loaded:
            self.files_loaded += 1
            self.rows_by_table[outcome.table] = self.rows_by_table.get(outcome.table, 0) + outcome.rows
        else:
            self.files_skipped += 1


def load_backfill(
    out_dir: Path,
    destination: Destination,
    tables: Sequence[str] | None = None,
    on_file: Callable[[FileLoad], None] | None = None,
) -> LoadSummary:
    """Load every file ``out_dir``'s manifest records (master tables first, then facts by day).

    Args:
        out_dir: a directory written by ``emitter backfill``.
        destination: where the tables go, each into the warehouse schema of its namespace; rows get
            ``_source`` = the file's path relative to ``out_dir``.
        tables: only these tables; None loads all of them.
        on_file: called after each file, loaded or skipped (for progress display).

    Raises:
        OutputError: no manifest, or a recorded file is missing or changed since the backfill wrote it.
        ConfigError: ``tables`` names a table the manifest doesn't hold.
        DestinationError: the warehouse refused a load; files loaded before it stay loaded.
    """
    manifest = manifest_of(out_dir)
    catalog = scenario_class(manifest.scenario).catalog()
    keys = _selected(manifest, tables, out_dir)
    done = destination.loaded_files()
    origin = scenario_of(manifest)  # recorded first: even a partial load is judged by its own settings
    destination.record_origin(origin.name, origin.seed, origin.settings.model_dump_json())
    summary = LoadSummary()
    for key in keys:
        record = manifest.partitions[key]
        if done.get(key) == record.sha256:
            outcome = FileLoad(key, record.table, record.rows, loaded=False)
        else:
            spec = catalog.get(record.table)
            rows = read_table(_verified(out_dir, key, manifest), record.format, catalog.avro(spec))
            rows = with_sort_key(rows, spec.sort_key)
            loaded = destination.load_file(TableName(spec.namespace, spec.name), rows, key, record.sha256)
            outcome = FileLoad(key, record.table, rows.num_rows, loaded)
        summary.add(outcome)
        if on_file is not None:
            on_file(outcome)
    return summary


def _selected(manifest: Manifest, tables: Sequence[str] | None, out_dir: Path) -> list[str]:
    """Manifest keys to load, master tables (no day) first, then by day and path."""
    recorded = {record.table for record in manifest.partitions.values()}
    if tables is not None:
        unknown = sorted(set(tables) - recorded)
        if unknown:
            raise ConfigError(
                f"{out_dir} holds no {', '.join(unknown)}; its manifest has {', '.join(sorted(recorded)) or 'nothing'}"
            )
    keys = [key for key, record in manifest.partitions.items() if tables is None or record.table in tables]
    return sorted(keys, key=lambda k: (manifest.partitions[k].dt or "", k))


def _verified(out_dir: Path, key: str, manifest: Manifest) -> Path:
    """The file's path, once its bytes are shown to be the ones the backfill recorded."""
    state = partition_state(out_dir, key, manifest.partitions[key])
    if state is not PartitionState.INTACT:
        raise partition_problem(out_dir / key, state)
    return out_dir / key
