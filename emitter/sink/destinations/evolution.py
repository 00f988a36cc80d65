"""Additive-only schema evolution: plan the columns to create or add, refuse a changed type early."""

from __future__ import annotations

from collections.abc import Mapping

import pyarrow as pa

from emitter.avro.schemas import is_json
from emitter.errors import SchemaError
from emitter.sink.destinations.errors import SchemaEvolutionError
from emitter.sink.destinations.types import TypeMapping, same_sql_type


def plan_columns(
    table: str, schema: pa.Schema, existing: Mapping[str, str] | None, types: TypeMapping
) -> list[tuple[str, str]]:
    """The ``(column, sql type)`` pairs to create (``existing`` is None) or to add to an existing table.

    Args:
        table: the table name, for messages.
        schema: the incoming rows' schema.
        existing: column → catalog type of the table as it is now, or None when it doesn't exist.
        types: the destination's type mapping.

    Raises:
        SchemaEvolutionError: a column exists with another type than the incoming one maps to.
        SchemaError: duplicate column names, or a type the destination can't store.
    """
    duplicates = sorted({name for name in schema.names if schema.names.count(name) > 1})
    if duplicates:
        raise SchemaError(f"{table}: duplicate column names {duplicates}")
    wanted = [(f.name, types.field_type(table, f)) for f in schema]
    if existing is None:
        return wanted
    plan = []
    for (name, sql), field in zip(wanted, schema, strict=True):
        old = existing.get(name)
        if old is None:
            plan.append((name, sql))
        elif not same_sql_type(old, sql):
            arrow = f"Arrow {field.type}{' marked as JSON' if is_json(field) else ''}"
            raise SchemaEvolutionError(
                f"{table}.{name} is {old} in {types.destination}, but the incoming rows have {sql} "
                f"({arrow}); columns are only ever added, never retyped. Load these rows into "
                f"another table, or drop {table} (DROP TABLE {table}) so it is recreated with the new type"
                + _in_place(table, name, old, sql, field, types)
            )
    return plan


def _in_place(table: str, column: str, old: str, sql: str, field: pa.Field, types: TypeMapping) -> str:
    """Text columns that now receive JSON can be converted where they are (every value must parse)."""
    if not is_json(field) or not same_sql_type(old, types.column_type(table, column, field.type)):
        return ""
    return (
        f", or convert the column in place: ALTER TABLE {table} ALTER COLUMN {column} TYPE {sql} USING {column}::{sql}"
    )
