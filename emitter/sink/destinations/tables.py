"""The columns every destination adds to data tables, and emitter's own bookkeeping tables."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import NamedTuple

import pyarrow as pa

from emitter.errors import SchemaError
from emitter.sink.destinations.types import TypeMapping, same_sql_type


class TableName(NamedTuple):
    """A data table: its warehouse schema (the scenario's namespace, e.g. ``retail``) and its name."""

    schema: str
    name: str

    def __str__(self) -> str:
        return f"{self.schema}.{self.name}"

    @classmethod
    def parse(cls, text: str) -> TableName:
        """``schema.name`` as written by ``str()``."""
        schema, _, name = text.partition(".")
        return cls(schema, name)


#: Lineage columns in every data table: Kafka rows fill the first three, backfill loads fill ``_source``.
META_FIELDS = (
    pa.field("_topic", pa.string()),
    pa.field("_partition", pa.int32()),
    pa.field("_offset", pa.int64()),
    pa.field("_source", pa.string()),
)

#: Arrow schema metadata naming the column a table's rows are sorted by where a warehouse keeps them sorted
#: (ClickHouse's ORDER BY): a per-day table's event time; without it, the table's first column
SORT_KEY_METADATA = b"emitter.sort_key"

INTERNAL_PREFIX = "_emitter_"
OFFSETS = "_emitter_offsets"
DEAD_LETTERS = "_emitter_dead_letters"
LOADED_FILES = "_emitter_loaded_files"
ORIGINS = "_emitter_origins"

OFFSETS_SCHEMA = pa.schema(
    [
        pa.field("topic", pa.string(), nullable=False),
        pa.field("partition", pa.int32(), nullable=False),
        pa.field("next_offset", pa.int64(), nullable=False),
        pa.field("updated_at", pa.timestamp("us", tz="UTC"), nullable=False),
    ]
)
DEAD_LETTER_SCHEMA = pa.schema(
    [
        pa.field("topic", pa.string()),
        pa.field("partition", pa.int32()),
        pa.field("offset", pa.int64()),
        pa.field("reason", pa.string()),
        pa.field("raw", pa.binary()),
        pa.field("received_at", pa.timestamp("us", tz="UTC")),
    ]
)
LOADED_FILES_SCHEMA = pa.schema(
    [
        pa.field("source", pa.string(), nullable=False),
        pa.field("table_name", pa.string(), nullable=False),
        pa.field("checksum", pa.string(), nullable=False),
        pa.field("rows", pa.int64(), nullable=False),
        pa.field("loaded_at", pa.timestamp("us", tz="UTC"), nullable=False),
    ]
)
#: the scenario, seed and settings the loaded rows were generated with (``emitter validate --warehouse``)
ORIGINS_SCHEMA = pa.schema(
    [
        pa.field("scenario", pa.string(), nullable=False),
        pa.field("seed", pa.int64(), nullable=False),
        pa.field("settings", pa.string(), nullable=False),  # the settings model as JSON
        pa.field("digest", pa.string(), nullable=False),  # sha256 of the three: the key
        pa.field("recorded_at", pa.timestamp("us", tz="UTC"), nullable=False),
    ]
)
#: table → (schema, primary key)
INTERNAL_TABLES: dict[str, tuple[pa.Schema, tuple[str, ...]]] = {
    OFFSETS: (OFFSETS_SCHEMA, ("topic", "partition")),
    DEAD_LETTERS: (DEAD_LETTER_SCHEMA, ()),
    LOADED_FILES: (LOADED_FILES_SCHEMA, ("source",)),
    ORIGINS: (ORIGINS_SCHEMA, ("digest",)),
}


def with_meta(table: TableName | str, schema: pa.Schema, types: TypeMapping) -> pa.Schema:
    """``schema`` plus whichever lineage columns it lacks; a lineage column of another type is refused."""
    fields = [f for f in schema if not pa.types.is_null(f.type)]
    for meta in META_FIELDS:
        index = schema.get_field_index(meta.name)
        if index < 0:
            fields.append(meta)
            continue
        given = schema.field(index).type
        if pa.types.is_null(given):
            fields.append(meta)
        elif not same_sql_type(
            types.column_type(str(table), meta.name, given), types.column_type(str(table), meta.name, meta.type)
        ):
            raise SchemaError(f"{table}.{meta.name}: lineage column must be {meta.type}, got {given}")
    return pa.schema(fields, metadata=schema.metadata)


def with_sort_key(rows: pa.Table, column: str | None) -> pa.Table:
    """``rows`` whose schema names ``column`` as the sort key (:data:`SORT_KEY_METADATA`); None leaves them be."""
    if column is None:
        return rows
    return rows.replace_schema_metadata({**(rows.schema.metadata or {}), SORT_KEY_METADATA: column.encode()})


def sort_key(schema: pa.Schema) -> str:
    """The column ``schema``'s rows are sorted by: the one its metadata names if it has it, else its first."""
    named = (schema.metadata or {}).get(SORT_KEY_METADATA)
    column = named.decode() if named is not None else None
    return column if column is not None and column in schema.names else str(schema.names[0])


def typed_columns(rows: pa.Table) -> pa.Table:
    """``rows`` without columns of Arrow type null (all values missing, type unknown): they read as NULL anyway."""
    untyped = [f.name for f in rows.schema if pa.types.is_null(f.type)]
    return rows.drop_columns(untyped) if untyped else rows


def with_source(rows: pa.Table, source: str) -> pa.Table:
    """``rows`` with ``_source`` set to ``source`` on every row (replacing any existing column)."""
    column = pa.repeat(pa.scalar(source, pa.string()), rows.num_rows)
    index = rows.schema.get_field_index("_source")
    if index >= 0:
        return rows.set_column(index, "_source", column)
    return rows.append_column("_source", column)


def conform_dead_letters(dead: pa.Table) -> pa.Table:
    """Dead letters in :data:`DEAD_LETTER_SCHEMA`; a missing ``received_at`` becomes now."""
    if "received_at" not in dead.column_names:
        now = pa.repeat(pa.scalar(datetime.now(UTC), pa.timestamp("us", tz="UTC")), dead.num_rows)
        dead = dead.append_column("received_at", now)
    missing = [f.name for f in DEAD_LETTER_SCHEMA if f.name not in dead.column_names]
    if missing:
        raise SchemaError(f"dead letters lack columns {missing}; expected {DEAD_LETTER_SCHEMA.names}")
    try:
        return dead.select(DEAD_LETTER_SCHEMA.names).cast(DEAD_LETTER_SCHEMA)
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        raise SchemaError(f"dead letters don't fit {DEAD_LETTER_SCHEMA} ({exc})") from exc
