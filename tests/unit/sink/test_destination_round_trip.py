"""Contract: every Arrow type the retail schemas use comes back exactly as it was written."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pyarrow as pa
import pyarrow.compute as pc

from emitter.sink.destinations import Destination, TableName

SCHEMA = "retail"

NON_ASCII = [
    "José Núñez",
    "Zoë 🚚 Straße",
    "東京都 渋谷区",
    'quote " comma , newline \n end',
    "back\\slash \\N NULL",
    "",
]


def _with_non_ascii(customers: pa.Table) -> pa.Table:
    """The generated names are ASCII; give a few customers names that test the text path."""
    for column in ("last_name", "address"):
        values = customers.column(column).to_pylist()
        values[: len(NON_ASCII)] = NON_ASCII
        customers = customers.set_column(customers.schema.get_field_index(column), column, pa.array(values))
    return customers


def _numbered(rows: pa.Table) -> pa.Table:
    """Rows as the sink writes them, with lineage; ``_offset`` doubles as the order to read them back in."""
    n = rows.num_rows
    return rows.append_column("_offset", pa.array(range(n), pa.int64()))


def _read_back(destination: Destination, table: str, like: pa.Table) -> pa.Table:
    got = destination.query(f'SELECT * FROM {SCHEMA}."{table}" ORDER BY _offset')
    return got.select(like.column_names)


def _assert_same(table: str, got: pa.Table, expected: pa.Table) -> None:
    assert got.num_rows == expected.num_rows, table
    for field in expected.schema:
        column = got.column(field.name).combine_chunks()
        assert column.type == field.type, f"{table}.{field.name}: {column.type} != {field.type}"
        want = expected.column(field.name).combine_chunks()
        assert column.equals(want), f"{table}.{field.name} differs"


def test_a_generated_retail_day_round_trips_exactly(destination: Destination, retail_day: dict[str, pa.Table]) -> None:
    tables = {**retail_day, "customers": _with_non_ascii(retail_day["customers"])}
    rows = {TableName(SCHEMA, name): _numbered(table) for name, table in tables.items()}

    destination.write(rows, None, {})

    assert destination.data_tables([SCHEMA]) == sorted(rows)
    for name, table in tables.items():
        _assert_same(name, _read_back(destination, name, table), table)


def test_the_retail_day_exercises_what_it_should(retail_day: dict[str, pa.Table]) -> None:
    """Guard the test above: cents, microseconds, dates and nulls are really in the data."""
    lines = retail_day["receipt_lines"]
    cents = pc.multiply(lines.column("unit_price").cast(pa.float64()), 100)
    assert pc.any(pc.not_equal(pc.round(pc.divide(cents, 100)), pc.divide(cents, 100))).as_py()
    micros = pc.microsecond(retail_day["ble_pings"].column("event_ts"))
    assert pc.any(pc.not_equal(micros, 0)).as_py()
    assert retail_day["receipt_lines"].column("promo_code").null_count > 0
    assert retail_day["online_orders"].column("store_id").null_count > 0
    assert retail_day["customers"].schema.field("member_since").type == pa.date32()
    assert retail_day["geographies"].schema.field("tax_rate").type == pa.decimal128(5, 4)


def test_edge_values_round_trip_exactly(destination: Destination) -> None:
    edges = pa.table(
        {
            "text": pa.array([*NON_ASCII, None]),
            "i32": pa.array([-(2**31), 2**31 - 1, 0, None, 1, -1, 7], pa.int32()),
            "i64": pa.array([-(2**63), 2**63 - 1, 0, None, 1, -1, 7], pa.int64()),
            "f64": pa.array([0.1, -1 / 3, 1e300, -2.5e-308, float("inf"), None, -0.0], pa.float64()),
            "flag": pa.array([True, False, None, True, False, True, False]),
            "money": pa.array(
                [
                    *(Decimal("-0.01"), Decimal("9999999999.99"), Decimal("-9999999999.99"), None),
                    *(Decimal("0.10"), Decimal("123.45"), Decimal("0.00")),
                ],
                pa.decimal128(12, 2),
            ),
            "rate": pa.array(
                [Decimal("0.0825"), Decimal("9.9999"), None, Decimal("0.0001"), Decimal("-9.9999"), Decimal(0), None],
                pa.decimal128(5, 4),
            ),
            "at": pa.array(
                [
                    datetime(2024, 3, 15, 23, 59, 59, 999999, tzinfo=UTC),
                    datetime(1969, 12, 31, 23, 59, 59, 1, tzinfo=UTC),
                    datetime(2000, 2, 29, 0, 0, 0, 0, tzinfo=UTC),
                    None,
                    datetime(2024, 11, 3, 6, 30, 0, 500000, tzinfo=UTC),  # a DST change day in the US
                    datetime(1900, 1, 1, 0, 0, 0, 7, tzinfo=UTC),
                    datetime(2262, 4, 11, 23, 47, 16, 854775, tzinfo=UTC),
                ],
                pa.timestamp("us", tz="UTC"),
            ),
            "day": pa.array(
                [
                    *(date(2024, 2, 29), date(1970, 1, 1), date(1, 1, 1), None),
                    *(date(9999, 12, 31), date(1969, 12, 31), date(2024, 3, 15)),
                ],
                pa.date32(),
            ),
        }
    )

    destination.write({TableName(SCHEMA, "edges"): _numbered(edges)}, None, {})

    _assert_same("edges", _read_back(destination, "edges", edges), edges)
