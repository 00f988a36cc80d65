from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import fastavro
import pyarrow as pa
import pytest

from emitter.errors import SchemaError
from emitter.formats import writer_for
from emitter.formats.avro import avro_schema_from_arrow
from emitter.scenarios.retail import RetailScenario

CATALOG = RetailScenario.catalog()
RETAIL_TABLES = sorted(CATALOG.ids)


def _schema(table: str) -> dict[str, object]:
    return CATALOG.avro(CATALOG.get(table))


def _read_back(path: Path) -> tuple[dict[str, object], list[dict[str, object]]]:
    with path.open("rb") as source:
        reader = fastavro.reader(source)
        return reader.writer_schema or {}, list(reader)


@pytest.mark.parametrize("table", RETAIL_TABLES)
def test_avro_round_trip_under_the_retail_schema(
    table: str, schema_table: Callable[[str, str, int], pa.Table], tmp_path: Path
) -> None:
    batch = schema_table("retail", table, 50)
    path = tmp_path / f"{table}.avro"
    writer_for("avro").write(batch, path, _schema(table))

    writer_schema, records = _read_back(path)
    assert writer_schema["name"] == "emitter.retail." + table
    assert records == batch.to_pylist()


def test_avro_without_a_schema_derives_one_from_arrow(mixed_table: pa.Table, tmp_path: Path) -> None:
    path = tmp_path / "t.avro"
    writer_for("avro").write(mixed_table, path)

    _, records = _read_back(path)
    assert records == mixed_table.to_pylist()


def test_avro_is_deterministic(schema_table: Callable[[str, str, int], pa.Table], tmp_path: Path) -> None:
    batch = schema_table("retail", "receipts", 200)
    fmt = writer_for("avro")
    schema = _schema("receipts")
    first = fmt.write(batch, tmp_path / "a.avro", schema)
    second = fmt.write(batch, tmp_path / "b.avro", schema)

    assert first.sha256 == second.sha256
    assert (tmp_path / "a.avro").read_bytes() == (tmp_path / "b.avro").read_bytes()


def test_avro_uses_deflate(mixed_table: pa.Table, tmp_path: Path) -> None:
    path = tmp_path / "t.avro"
    writer_for("avro").write(mixed_table, path)

    with path.open("rb") as source:
        assert fastavro.reader(source).codec == "deflate"


def test_columns_that_do_not_match_the_schema_are_refused(mixed_table: pa.Table, tmp_path: Path) -> None:
    path = tmp_path / "t.avro"
    with pytest.raises(SchemaError, match="don't match the Avro schema"):
        writer_for("avro").write(mixed_table, path, _schema("receipts"))
    assert not path.exists()
    assert list(tmp_path.iterdir()) == []


def test_derived_schema_maps_logical_types(mixed_table: pa.Table) -> None:
    fields = {field["name"]: field["type"] for field in avro_schema_from_arrow(mixed_table.schema)["fields"]}

    assert fields["money"] == [
        "null",
        {"type": "bytes", "logicalType": "decimal", "precision": 12, "scale": 2},
    ]
    assert fields["event_ts"] == ["null", {"type": "long", "logicalType": "timestamp-micros"}]
    assert fields["day"] == ["null", {"type": "int", "logicalType": "date"}]
