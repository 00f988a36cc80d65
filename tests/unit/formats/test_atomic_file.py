from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

import pyarrow as pa
import pytest

from emitter.avro.schemas import AvroSchema
from emitter.formats import FileFormat
from emitter.formats.atomic import describe_file, is_temp_file, remove_temp_files
from emitter.formats.staged import atomic_file


class _Boom(Exception):
    pass


def _half_then_fail(table: pa.Table, sink: BinaryIO, avro_schema: AvroSchema | None) -> None:
    sink.write(b"half a file")
    raise _Boom


def test_a_failed_write_leaves_neither_temp_file_nor_target(tmp_path: Path) -> None:
    fmt = FileFormat("broken", "bin", _half_then_fail)
    with pytest.raises(_Boom):
        fmt.write(pa.table({"x": [1]}), tmp_path / "part" / "t.bin")

    assert list((tmp_path / "part").iterdir()) == []


def test_a_failed_write_keeps_the_previous_file(tmp_path: Path) -> None:
    target = tmp_path / "t.bin"
    target.write_bytes(b"complete old file")
    with pytest.raises(KeyboardInterrupt), atomic_file(target) as sink:
        sink.write(b"partial")
        raise KeyboardInterrupt

    assert target.read_bytes() == b"complete old file"
    assert [p.name for p in tmp_path.iterdir()] == ["t.bin"]


def test_temp_file_is_hidden_and_beside_the_target(tmp_path: Path) -> None:
    target = tmp_path / "dt=2024-01-01" / "t.parquet"
    with atomic_file(target) as sink:
        sink.write(b"data")
        (temp,) = [p for p in target.parent.iterdir()]
        assert temp.name.startswith(".t.parquet.")
        assert is_temp_file(temp)
    assert describe_file(target).bytes == 4
    assert [p.name for p in target.parent.iterdir()] == ["t.parquet"]


def test_remove_temp_files_only_removes_temp_files(tmp_path: Path) -> None:
    day = tmp_path / "facts" / "receipts" / "dt=2024-01-01"
    day.mkdir(parents=True)
    (day / ".receipts_20240101.parquet.abc123.tmp").write_bytes(b"x")
    (day / "receipts_20240101.parquet").write_bytes(b"y")

    assert remove_temp_files(tmp_path) == 1
    assert [p.name for p in day.iterdir()] == ["receipts_20240101.parquet"]
    assert remove_temp_files(tmp_path / "missing") == 0
