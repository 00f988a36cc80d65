from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pa_csv

from emitter.formats import writer_for


def _read_back(path: Path, schema: pa.Schema) -> pa.Table:
    options = pa_csv.ConvertOptions(column_types=schema, strings_can_be_null=True, quoted_strings_can_be_null=False)
    return pa_csv.read_csv(path, convert_options=options)


def test_csv_round_trip_keeps_values_nulls_and_empty_strings(mixed_table: pa.Table, tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    writer_for("csv").write(mixed_table, path)

    read = _read_back(path, mixed_table.schema)
    assert read.column_names == mixed_table.column_names
    assert read.to_pylist() == mixed_table.to_pylist()


def test_csv_has_a_header_and_utc_timestamps(mixed_table: pa.Table, tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    writer_for("csv").write(mixed_table, path)

    text = path.read_text(encoding="utf-8")
    assert text.splitlines()[0] == ",".join(f'"{name}"' for name in mixed_table.column_names)
    assert "2024-01-01 09:30:15.123456Z" in text
    assert "-12.34" in text and "0.0825" in text


def test_csv_is_deterministic(mixed_table: pa.Table, tmp_path: Path) -> None:
    fmt = writer_for("csv")
    first = fmt.write(mixed_table, tmp_path / "a.csv")
    second = fmt.write(mixed_table, tmp_path / "b.csv")

    assert first.sha256 == second.sha256
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()
