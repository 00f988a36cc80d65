"""Tables for the format tests: every Arrow type the schemas use, nulls, and awkward strings."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal

import numpy as np
import pyarrow as pa
import pytest

from emitter.scenarios import scenario_class

AWKWARD_STRINGS = [
    "plain",
    'quote " and \\ backslash',
    "comma, semicolon;",
    "new\nline",
    "tab\tand \x01",
    "",
    "naïve ☕ 日本",
]


@pytest.fixture
def mixed_table() -> pa.Table:
    """Seven rows of strings, ints, doubles, booleans, decimals, dates and UTC timestamps, with nulls."""
    n = len(AWKWARD_STRINGS)
    return pa.table(
        {
            "name": pa.array(AWKWARD_STRINGS, pa.string()),
            "maybe_name": pa.array([None if i % 3 == 0 else s for i, s in enumerate(AWKWARD_STRINGS)], pa.string()),
            "small": pa.array(range(-3, n - 3), pa.int32()),
            "big": pa.array([2**62, -(2**62), 0, 1, -1, 7, 123456789012], pa.int64()),
            "maybe_int": pa.array([1, None, 3, None, 5, 6, None], pa.int32()),
            "ratio": pa.array([0.1, 1 / 3, -2.5, 1e20, 1e-7, 0.0, 123.456], pa.float64()),
            "flag": pa.array([True, False, True, True, False, False, True]),
            "money": pa.array(
                [Decimal(v) for v in ("0.00", "1.50", "-12.34", "9999999999.99", "0.01", "42.00", "-0.05")],
                pa.decimal128(12, 2),
            ),
            "rate": pa.array(
                [Decimal(v) for v in ("0.0825", "0.0000", "0.1000", "0.0700", "0.0625", "0.0400", "0.0001")],
                pa.decimal128(5, 4),
            ),
            "day": pa.array(
                [
                    date(1970, 1, 1),
                    date(2024, 2, 29),
                    date(1999, 12, 31),
                    date(2024, 1, 1),
                    date(2030, 6, 15),
                    date(2000, 1, 1),
                    date(2024, 12, 31),
                ],
                pa.date32(),
            ),
            "event_ts": pa.array(
                [
                    datetime(2024, 1, 1, 0, 0, tzinfo=UTC),
                    datetime(2024, 1, 1, 9, 30, 15, 123456, tzinfo=UTC),
                    datetime(2024, 2, 29, 23, 59, 59, 999999, tzinfo=UTC),
                    datetime(1970, 1, 1, tzinfo=UTC),
                    datetime(2024, 7, 4, 12, 0, 0, 1, tzinfo=UTC),
                    datetime(2024, 1, 1, 0, 0, 0, 500000, tzinfo=UTC),
                    datetime(2038, 1, 19, 3, 14, 8, tzinfo=UTC),
                ],
                pa.timestamp("us", tz="UTC"),
            ),
        }
    )


@pytest.fixture
def schema_table() -> Callable[[str, str, int], pa.Table]:
    """Build ``n`` random rows conforming to the Arrow schema of ``scenario``'s ``table``, with some nulls."""

    def build(scenario: str, table: str, n: int) -> pa.Table:
        rng = np.random.default_rng(7)
        catalog = scenario_class(scenario).catalog()
        schema = catalog.arrow(catalog.get(table))
        columns = []
        for field in schema:
            kind = field.type
            if pa.types.is_timestamp(kind):
                values = pa.array(np.sort(rng.integers(1_704_067_200_000_000, 1_704_153_600_000_000, n)), pa.int64())
                column = values.cast(kind)
            elif pa.types.is_string(kind):
                column = pa.array([f"{field.name}-{v}" for v in rng.integers(0, 10**6, n)], kind)
            elif pa.types.is_integer(kind):
                column = pa.array(rng.integers(-1000, 1000, n), pa.int64()).cast(kind)
            elif pa.types.is_floating(kind):
                column = pa.array(rng.normal(0, 100, n), kind)
            elif pa.types.is_boolean(kind):
                column = pa.array(rng.random(n) < 0.5)
            elif pa.types.is_decimal(kind):
                units = rng.integers(-(10 ** (kind.precision - 1)), 10 ** (kind.precision - 1), n)
                column = pa.array([Decimal(int(u)).scaleb(-kind.scale) for u in units], kind)
            elif pa.types.is_date32(kind):
                column = pa.array(rng.integers(0, 20_000, n).astype(np.int32), pa.int32()).cast(kind)
            else:
                raise AssertionError(f"no sample values for {kind}")
            if field.nullable:
                keep = rng.random(n) < 0.6
                column = pa.array([v if k else None for k, v in zip(keep, column.to_pylist(), strict=True)], kind)
            columns.append(column)
        return pa.Table.from_arrays(columns, schema=schema)

    return build
