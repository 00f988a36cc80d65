"""Write one generated batch as one partition file and describe it for the manifest."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pyarrow as pa

from emitter.backfill.manifest import PartitionRecord
from emitter.errors import OutputError, SchemaError
from emitter.formats import FileFormat
from emitter.scenarios.tables import Catalog


@dataclass(frozen=True)
class WrittenPartition:
    """A partition file now complete on disk; ``key`` is its path relative to the output directory."""

    key: str
    record: PartitionRecord
    seconds: float


def write_partition(
    fmt: FileFormat, catalog: Catalog, table: str, batch: pa.Table, out_dir: Path, key: str, day: date | None
) -> WrittenPartition:
    """Check ``batch`` against the table's schema, then write it atomically to ``out_dir / key``."""
    spec = catalog.get(table)
    expected = catalog.arrow(spec)
    if not batch.schema.equals(expected, check_metadata=False):
        diff = _schema_diff(expected, batch.schema)
        raise SchemaError(
            f"{catalog.scenario}.{table}: generated batch doesn't match schemas/{catalog.path(spec)}.avsc: {diff}"
        )
    started = time.perf_counter()
    path = out_dir / key
    try:
        written = fmt.write(batch, path, catalog.avro(spec))
    except OSError as exc:
        raise OutputError(
            f"{path}: can't write ({exc.strerror or exc}); check free space and permissions, or choose another --out"
        ) from exc
    record = PartitionRecord(
        table=table,
        dt=None if day is None else day.isoformat(),
        format=fmt.name,
        rows=batch.num_rows,
        bytes=written.bytes,
        sha256=written.sha256,
    )
    return WrittenPartition(key=key, record=record, seconds=time.perf_counter() - started)


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
