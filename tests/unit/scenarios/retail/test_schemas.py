"""Every generated table matches its Avro contract in schemas/retail/."""

from __future__ import annotations

import fastavro
import pyarrow as pa
import pytest
from fastavro.validation import validate

from emitter.avro.schemas import arrow_schema, load_schema
from emitter.scenarios.retail import FACT_TABLES, MASTER_TABLES

from .retail_data import THANKSGIVING_WEEK, RetailRun


def sample_rows(table: pa.Table, n: int = 200) -> list[dict[str, object]]:
    """The first n rows plus n spread over the rest, so rows with optional values show up too."""
    head = table.slice(0, n).to_pylist()
    step = max(1, table.num_rows // n)
    rest = pa.array(range(n, table.num_rows, step), type=pa.int64())
    spread = table.take(rest).to_pylist()
    return head + spread


def check_table(name: str, table: pa.Table) -> None:
    assert table.num_rows > 0, f"{name} is empty"
    assert table.schema.equals(arrow_schema("retail", name)), f"{name}: {table.schema} != contract"
    parsed = fastavro.parse_schema(load_schema("retail", name))
    for row in sample_rows(table):
        assert validate(row, parsed, raise_errors=True), f"{name}: {row}"


@pytest.mark.parametrize("name", MASTER_TABLES)
def test_master_tables_match_their_schema(retail: RetailRun, name: str) -> None:
    check_table(name, retail.master[name])


@pytest.mark.parametrize("name", FACT_TABLES)
def test_fact_tables_match_their_schema(retail: RetailRun, name: str) -> None:
    window = retail.window(*THANKSGIVING_WEEK)
    check_table(name, window[name])
    for _, tables in retail.days(*THANKSGIVING_WEEK):
        assert tables[name].schema.equals(arrow_schema("retail", name)), name


def test_every_schema_has_a_table() -> None:
    from emitter.avro.schemas import schemas_root

    files = {p.stem for p in (schemas_root() / "retail").glob("*.avsc")}
    assert files == set(MASTER_TABLES) | set(FACT_TABLES)


def test_optional_columns_hold_both_nulls_and_values(retail: RetailRun) -> None:
    window = retail.window(*THANKSGIVING_WEEK)
    for table, column in (("receipt_lines", "promo_code"), ("online_orders", "store_id")):
        col = window[table].column(column)
        assert 0 < col.null_count < len(col), f"{table}.{column}"
