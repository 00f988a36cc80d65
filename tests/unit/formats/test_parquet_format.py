from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from emitter.formats import writer_for
from emitter.formats.parquet import DICTIONARY_MIN_ROWS


def test_parquet_round_trip_keeps_types_and_values(mixed_table: pa.Table, tmp_path: Path) -> None:
    path = tmp_path / "t.parquet"
    writer_for("parquet").write(mixed_table, path)

    read = pq.read_table(path)
    assert read.schema.equals(mixed_table.schema)
    assert read.equals(mixed_table)


def test_parquet_uses_zstd(mixed_table: pa.Table, tmp_path: Path) -> None:
    path = tmp_path / "t.parquet"
    writer_for("parquet").write(mixed_table, path)

    metadata = pq.ParquetFile(path).metadata
    codecs = {metadata.row_group(0).column(i).compression for i in range(metadata.num_columns)}
    assert codecs == {"ZSTD"}


def test_parquet_bytes_depend_only_on_the_table(mixed_table: pa.Table, tmp_path: Path) -> None:
    fmt = writer_for("parquet")
    first = fmt.write(mixed_table, tmp_path / "a.parquet")
    rechunked = pa.concat_tables([mixed_table.slice(0, 3), mixed_table.slice(3)])
    second = fmt.write(rechunked, tmp_path / "b.parquet")

    assert (tmp_path / "a.parquet").read_bytes() == (tmp_path / "b.parquet").read_bytes()
    assert first.sha256 == second.sha256


def test_empty_table_writes_a_readable_file(mixed_table: pa.Table, tmp_path: Path) -> None:
    path = tmp_path / "empty.parquet"
    written = writer_for("parquet").write(mixed_table.slice(0, 0), path)

    assert written.bytes > 0
    read = pq.read_table(path)
    assert read.num_rows == 0
    assert read.schema.equals(mixed_table.schema)


def _dictionary_encoded(path: Path) -> set[str]:
    metadata = pq.ParquetFile(path).metadata
    columns = [metadata.row_group(0).column(i) for i in range(metadata.num_columns)]
    return {c.path_in_schema for c in columns if "RLE_DICTIONARY" in c.encodings}


def test_only_tables_of_many_rows_get_dictionary_pages(mixed_table: pa.Table, tmp_path: Path) -> None:
    fmt = writer_for("parquet")
    small = mixed_table.slice(0, 5)
    large = pa.concat_tables([mixed_table] * (DICTIONARY_MIN_ROWS // mixed_table.num_rows + 1))
    fmt.write(small, tmp_path / "small.parquet")
    fmt.write(large, tmp_path / "large.parquet")

    assert _dictionary_encoded(tmp_path / "small.parquet") == set()
    plain = {f.name for f in mixed_table.schema if pa.types.is_timestamp(f.type) or pa.types.is_boolean(f.type)}
    assert plain and _dictionary_encoded(tmp_path / "large.parquet") == set(mixed_table.column_names) - plain
    assert pq.read_table(tmp_path / "large.parquet").equals(large)
