"""Every generated table matches its Avro contract (the retail package's schemas/, read through its catalog)."""

from __future__ import annotations

from importlib import resources

import fastavro
import pyarrow as pa
import pytest
from fastavro.validation import validate

from emitter.avro.schemas import record_full_name

from .retail_data import CATALOG, PER_DAY_TABLES, REFERENCE_TABLES, THANKSGIVING_WEEK, RetailRun


def sample_rows(table: pa.Table, n: int = 200) -> list[dict[str, object]]:
    """The first n rows plus n spread over the rest, so rows with optional values show up too."""
    head = table.slice(0, n).to_pylist()
    step = max(1, table.num_rows // n)
    rest = pa.array(range(n, table.num_rows, step), type=pa.int64())
    spread = table.take(rest).to_pylist()
    return head + spread


def check_table(name: str, table: pa.Table) -> None:
    assert table.num_rows > 0, f"{name} is empty"
    assert table.schema.equals(CATALOG.arrow(CATALOG.get(name))), f"{name}: {table.schema} != contract"
    parsed = fastavro.parse_schema(CATALOG.avro(CATALOG.get(name)))
    for row in sample_rows(table):
        assert validate(row, parsed, raise_errors=True), f"{name}: {row}"


@pytest.mark.parametrize("name", REFERENCE_TABLES)
def test_master_tables_match_their_schema(retail: RetailRun, name: str) -> None:
    check_table(name, retail.master[name])


@pytest.mark.parametrize("name", PER_DAY_TABLES)
def test_fact_tables_match_their_schema(retail: RetailRun, name: str) -> None:
    window = retail.window(*THANKSGIVING_WEEK)
    check_table(name, window[name])
    for _, tables in retail.days(*THANKSGIVING_WEEK):
        assert tables[name].schema.equals(CATALOG.arrow(CATALOG.get(name))), name


def test_every_schema_has_a_table() -> None:
    folder = resources.files("emitter.scenarios.retail").joinpath("schemas")
    files = {entry.name.removesuffix(".avsc") for entry in folder.iterdir() if entry.name.endswith(".avsc")}
    assert files == set(REFERENCE_TABLES) | set(PER_DAY_TABLES) == set(CATALOG.ids)


def test_every_record_is_named_in_the_retail_namespace() -> None:
    for spec in CATALOG.tables:
        assert record_full_name(CATALOG.avro(spec)) == f"emitter.retail.{spec.name}"
        assert spec.namespace == "retail" and spec.id == spec.name
        assert CATALOG.for_record(f"emitter.retail.{spec.name}") == spec


def test_optional_columns_hold_both_nulls_and_values(retail: RetailRun) -> None:
    window = retail.window(*THANKSGIVING_WEEK)
    for table, column in (("receipt_lines", "promo_code"), ("online_orders", "store_id")):
        col = window[table].column(column)
        assert 0 < col.null_count < len(col), f"{table}.{column}"
