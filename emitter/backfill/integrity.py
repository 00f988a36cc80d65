"""Whether a recorded partition file is still what the backfill wrote, and one message for when it isn't.

Resume, ``validate`` and ``load`` all ask this question; the manifest's size and sha256 are the answer.
"""

from __future__ import annotations

import enum
from pathlib import Path

import pyarrow as pa

from emitter.avro.schemas import AvroSchema
from emitter.backfill.layout import MANIFEST_NAME
from emitter.backfill.manifest import PartitionRecord
from emitter.errors import EmitterError, OutputError
from emitter.formats.atomic import describe_file
from emitter.formats.readers import read_table


class PartitionState(enum.Enum):
    """A partition as found on disk, compared with its manifest record."""

    INTACT = "intact"
    MISSING = "missing"  # not recorded, or recorded and gone
    DAMAGED = "damaged"  # present, but its size or content differs from the record


def partition_state(out_dir: Path, key: str, record: PartitionRecord | None) -> PartitionState:
    """Compare the file at ``out_dir / key`` with ``record``: the size first (free), then the sha256."""
    if record is None:
        return PartitionState.MISSING
    path = out_dir / key
    try:
        if path.stat().st_size != record.bytes:
            return PartitionState.DAMAGED
        return PartitionState.INTACT if describe_file(path).sha256 == record.sha256 else PartitionState.DAMAGED
    except FileNotFoundError:
        return PartitionState.MISSING
    except OSError:
        return PartitionState.DAMAGED  # unreadable where a file should be: rewriting it is the repair


def partition_problem(path: Path, state: PartitionState, unreadable: bool = False) -> OutputError:
    """The one-line error for a recorded file that is gone or no longer what the backfill wrote."""
    fix = "re-run the same `emitter backfill`, which rewrites it"
    if state is PartitionState.MISSING:
        return OutputError(f"{path}: listed in {MANIFEST_NAME} but missing; {fix}")
    if unreadable:
        return OutputError(
            f"{path}: damaged, can't be read (truncated or corrupt: its content differs from {MANIFEST_NAME}); {fix}"
        )
    return OutputError(
        f"{path}: changed since `emitter backfill` wrote it (its content differs from {MANIFEST_NAME}); {fix}"
    )


def read_partition(out_dir: Path, key: str, record: PartitionRecord, avro: AvroSchema) -> pa.Table:
    """Read a recorded file; when it is gone or damaged, say so rather than blame the schema."""
    path = out_dir / key
    try:
        return read_table(path, record.format, avro)
    except (EmitterError, OSError) as exc:
        state = partition_state(out_dir, key, record)
        if state is PartitionState.INTACT:
            raise  # the bytes are the ones written: the schema really differs
        raise partition_problem(path, state, unreadable=True) from exc
