"""Write generated batches as partition files, durable in batches, and describe them for the manifest."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pyarrow as pa

from emitter.backfill.manifest import PartitionRecord
from emitter.errors import OutputError, SchemaError
from emitter.formats import FileFormat, StagedFiles
from emitter.scenarios.tables import Catalog


@dataclass(frozen=True)
class WrittenPartition:
    """A partition file (complete on disk once its batch is committed); ``key`` is its path under the output."""

    key: str
    record: PartitionRecord
    seconds: float


class PartitionWriter:
    """Checks batches against their schemas and stages them as files; :meth:`commit` makes them durable.

    A partition returned by :meth:`stage` may be recorded in the manifest only after the next
    :meth:`commit` returns. Use as a context manager: files not committed when it ends are removed.
    """

    def __init__(self, fmt: FileFormat, catalog: Catalog, out_dir: Path) -> None:
        self.fmt, self.catalog, self.out_dir = fmt, catalog, out_dir
        self._staged = StagedFiles()

    def __enter__(self) -> PartitionWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self._staged.close()

    @property
    def pending_files(self) -> int:
        return self._staged.pending_files

    @property
    def pending_bytes(self) -> int:
        return self._staged.pending_bytes

    def stage(self, table: str, batch: pa.Table, key: str, day: date | None) -> WrittenPartition:
        """Check ``batch`` against the table's schema, then encode it to ``out_dir / key`` under a temp name."""
        spec = self.catalog.get(table)
        expected = self.catalog.arrow(spec)
        if not batch.schema.equals(expected, check_metadata=False):
            diff = _schema_diff(expected, batch.schema)
            raise SchemaError(
                f"{self.catalog.scenario}.{table}: generated batch doesn't match "
                f"schemas/{self.catalog.path(spec)}.avsc: {diff}"
            )
        started = time.perf_counter()
        path = self.out_dir / key
        try:
            written = self.fmt.stage(batch, path, self._staged, self.catalog.avro(spec))
        except OSError as exc:
            raise _write_problem(exc, path) from exc
        record = PartitionRecord(
            table=table,
            dt=None if day is None else day.isoformat(),
            format=self.fmt.name,
            rows=batch.num_rows,
            bytes=written.bytes,
            sha256=written.sha256,
        )
        return WrittenPartition(key=key, record=record, seconds=time.perf_counter() - started)

    def commit(self) -> None:
        """Make every staged file durable under its name; only then may the caller record them."""
        try:
            self._staged.commit()
        except OSError as exc:
            raise _write_problem(exc, Path(exc.filename) if exc.filename else self.out_dir) from exc


def _write_problem(exc: OSError, path: Path) -> OutputError:
    return OutputError(
        f"{path}: can't write ({exc.strerror or exc}); check free space and permissions, or choose another --out"
    )


def _schema_diff(expected: pa.Schema, actual: pa.Schema) -> str:
    problems = []
    actual_fields = {field.name: field for field in actual}
    for field in expected:
        got = actual_fields.get(field.name)
        if got is None:
            problems.append(f"missing {field.name}")
        elif not got.equals(field):
            problems.append(f"{field.name} is {_describe(got)}, expected {_describe(field)}")
    problems += [f"unexpected {name}" for name in actual.names if name not in expected.names]
    if not problems and actual.names != expected.names:
        problems.append(f"column order {actual.names}, expected {expected.names}")
    return "; ".join(problems)


def _describe(field: pa.Field) -> str:
    return f"{field.type}{'' if field.nullable else ' not null'}"
