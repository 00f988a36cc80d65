"""Arrow → SQL column types, one table per destination, spelled exactly as each catalog reports them.

Because the DDL spelling equals the catalog spelling, "has this column's type changed?" is a string
comparison between the mapped type of the incoming Arrow field and what the catalog holds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pyarrow as pa

from emitter.avro.schemas import is_json
from emitter.errors import SchemaError


@dataclass(frozen=True)
class TypeMapping:
    """How one destination stores each supported Arrow type."""

    destination: str
    exact: Mapping[pa.DataType, str]
    decimal: str  # a format string with {precision} and {scale}
    max_decimal_precision: int
    timestamp_tz: str  # any unit: stored as a microsecond instant
    timestamp_naive: str
    json: str  # a string field marked as JSON (``emitter.avro.schemas.is_json``)

    def sql_type(self, arrow: pa.DataType) -> str | None:
        """The column type for ``arrow``, or None when this destination has no lossless one."""
        if pa.types.is_decimal(arrow):
            if arrow.precision > self.max_decimal_precision:
                return None
            return self.decimal.format(precision=arrow.precision, scale=arrow.scale)
        if pa.types.is_timestamp(arrow):
            return self.timestamp_tz if arrow.tz is not None else self.timestamp_naive
        return self.exact.get(arrow)

    def field_type(self, table: str, field: pa.Field) -> str:
        """The column type for ``field``: :attr:`json` when it is marked as JSON, else as :meth:`column_type`."""
        return self.json if is_json(field) else self.column_type(table, field.name, field.type)

    def column_type(self, table: str, column: str, arrow: pa.DataType) -> str:
        """Like :meth:`sql_type`, but an unsupported type is a SchemaError naming the column."""
        sql = self.sql_type(arrow)
        if sql is None:
            raise SchemaError(
                f"{table}.{column}: Arrow type {arrow} has no {self.destination} column type; "
                f"supported: {', '.join(sorted({str(t) for t in self.exact}))}, decimal128, timestamp"
            )
        return sql


def same_sql_type(a: str, b: str) -> bool:
    """Catalog spellings compared without regard to case or spacing (``numeric(12, 2)`` = ``NUMERIC(12,2)``)."""
    return _normal(a) == _normal(b)


def _normal(sql: str) -> str:
    return " ".join(sql.upper().replace(", ", ",").split())


DUCKDB_TYPES = TypeMapping(
    destination="DuckDB",
    exact={
        pa.bool_(): "BOOLEAN",
        pa.int8(): "TINYINT",
        pa.int16(): "SMALLINT",
        pa.int32(): "INTEGER",
        pa.int64(): "BIGINT",
        pa.float32(): "FLOAT",
        pa.float64(): "DOUBLE",
        pa.string(): "VARCHAR",
        pa.large_string(): "VARCHAR",
        pa.binary(): "BLOB",
        pa.large_binary(): "BLOB",
        pa.date32(): "DATE",
    },
    decimal="DECIMAL({precision},{scale})",
    max_decimal_precision=38,
    timestamp_tz="TIMESTAMP WITH TIME ZONE",
    timestamp_naive="TIMESTAMP",
    json="JSON",
)

POSTGRES_TYPES = TypeMapping(
    destination="PostgreSQL",
    exact={
        pa.bool_(): "boolean",
        pa.int8(): "smallint",
        pa.int16(): "smallint",
        pa.int32(): "integer",
        pa.int64(): "bigint",
        pa.float32(): "real",
        pa.float64(): "double precision",
        pa.string(): "text",
        pa.large_string(): "text",
        pa.binary(): "bytea",
        pa.large_binary(): "bytea",
        pa.date32(): "date",
    },
    decimal="numeric({precision},{scale})",
    max_decimal_precision=1000,
    timestamp_tz="timestamp with time zone",
    timestamp_naive="timestamp without time zone",
    json="jsonb",
)

# Every data column is Nullable, as in the other warehouses (a later batch may hold nulls the first did not);
# JSON is kept as text: ClickHouse's JSON type rewrites documents and refuses top-level arrays and scalars.
# Binary has no type of its own (String holds any bytes), so it reads back as a string.
CLICKHOUSE_TYPES = TypeMapping(
    destination="ClickHouse",
    exact={
        pa.bool_(): "Nullable(Bool)",
        pa.int8(): "Nullable(Int8)",
        pa.int16(): "Nullable(Int16)",
        pa.int32(): "Nullable(Int32)",
        pa.int64(): "Nullable(Int64)",
        pa.float32(): "Nullable(Float32)",
        pa.float64(): "Nullable(Float64)",
        pa.string(): "Nullable(String)",
        pa.large_string(): "Nullable(String)",
        pa.binary(): "Nullable(String)",
        pa.large_binary(): "Nullable(String)",
        pa.date32(): "Nullable(Date32)",
    },
    decimal="Nullable(Decimal({precision}, {scale}))",
    max_decimal_precision=38,
    timestamp_tz="Nullable(DateTime64(6, 'UTC'))",
    timestamp_naive="Nullable(DateTime64(6))",
    json="Nullable(String)",
)
