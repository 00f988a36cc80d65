"""The statements a ClickHouse destination is made of, built as text: DDL, the offsets INSERT, uncommitted rows.

Kept apart from :mod:`clickhouse` so the exactly-once protocol there reads as its steps.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pyarrow as pa

from emitter.sink.destinations.clickhouse_client import literal
from emitter.sink.destinations.interface import quote
from emitter.sink.destinations.tables import LOADED_FILES, OFFSETS, ORIGINS
from emitter.sink.destinations.types import TypeMapping

Partition = tuple[str, int]

#: the bookkeeping tables that keep one row per key: the newest version wins (read with FINAL)
VERSION_COLUMN = {OFFSETS: "updated_at", LOADED_FILES: "loaded_at", ORIGINS: "recorded_at"}
#: (topic, partition, offset) columns of a data table's lineage and of the dead letters
LINEAGE_COLUMNS = ("_topic", "_partition", "_offset")
DEAD_LETTER_COLUMNS = ("topic", "partition", "offset")
_NULLABLE = "Nullable("


def _not_null(sql: str) -> str:
    return sql[len(_NULLABLE) : -1] if sql.startswith(_NULLABLE) else sql


def create_bookkeeping(qualified: str, table: str, schema: pa.Schema, key: Sequence[str], types: TypeMapping) -> str:
    """A bookkeeping table: ReplacingMergeTree by its key (a keyed one), else a MergeTree in arrival order."""
    columns = []
    for field in schema:
        sql = types.field_type(table, field)
        columns.append(f"{quote(field.name)} {sql if field.nullable else _not_null(sql)}")
    engine = f"ReplacingMergeTree({quote(VERSION_COLUMN[table])})" if key else "MergeTree"
    order = ", ".join(quote(c) for c in key) or "tuple()"
    return f"CREATE TABLE IF NOT EXISTS {qualified} ({', '.join(columns)}) ENGINE = {engine} ORDER BY ({order})"


def create_data_table(qualified: str, columns: Sequence[tuple[str, str]], sort_key: str) -> str:
    """A data table: MergeTree sorted by ``sort_key``, which may hold NULL as every data column may."""
    spelled = ", ".join(f"{quote(name)} {sql}" for name, sql in columns)
    return (
        f"CREATE TABLE IF NOT EXISTS {qualified} ({spelled}) ENGINE = MergeTree "
        f"ORDER BY {quote(sort_key)} SETTINGS allow_nullable_key = 1"
    )


def insert_offsets(qualified: str, offsets: Mapping[Partition, int]) -> str:
    """One INSERT of every partition's next offset: one block, so all of them land or none."""
    values = ", ".join(
        f"({literal(topic)}, {partition}, {end}, now64(6))" for (topic, partition), end in sorted(offsets.items())
    )
    return f'INSERT INTO {qualified} (topic, "partition", next_offset, updated_at) VALUES {values}'


def from_offsets(since: Sequence[tuple[Partition, int]], columns: Sequence[str]) -> str:
    """A WHERE condition: rows of each (topic, partition) at or past its offset, in ``columns``' naming."""
    topic, partition, offset = (quote(c) for c in columns)
    return " OR ".join(
        f"({topic} = {literal(t)} AND {partition} = {p} AND {offset} >= {first})" for (t, p), first in since
    )


def first_offsets(tables: Sequence[pa.Table]) -> dict[Partition, int]:
    """The first offset per (topic, partition) among rows (lineage columns) and dead letters."""
    first: dict[Partition, int] = {}
    for table in tables:
        names = LINEAGE_COLUMNS if LINEAGE_COLUMNS[2] in table.column_names else DEAD_LETTER_COLUMNS
        if not set(names) <= set(table.column_names):
            continue  # rows without Kafka lineage (a backfill file, a test's table)
        grouped = table.select(list(names)).drop_null().group_by(list(names[:2])).aggregate([(names[2], "min")])
        columns = (grouped.column(names[0]), grouped.column(names[1]), grouped.column(f"{names[2]}_min"))
        for topic, partition, offset in zip(*(c.to_pylist() for c in columns), strict=True):
            key = (str(topic), int(partition))
            first[key] = min(first.get(key, offset), offset)
    return first
