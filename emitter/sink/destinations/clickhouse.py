"""ClickHouse: MergeTree tables, a database per namespace, exactly once without transactions.

ClickHouse commits each INSERT on its own (one block, all or nothing) and has no multi-statement
transaction, so a batch is written in a fixed order whose last statement commits it: data rows, dead
letters, then the partitions' next offsets in one INSERT. A crash before that INSERT leaves rows whose
``(_topic, _partition, _offset)`` lie at or past the stored offset; before a partition's first batch of a
run (and after any failed batch) those uncommitted rows are deleted, so the batch read again from the
stored offset is stored once. Backfill files work the same way: rows first, then the loaded-files
record; a file without a record has any rows of its ``_source`` deleted before it loads again.

Fencing is a check, not a lock: a batch whose partition's stored offset moved since it was read is
refused, but two consumers writing one partition at the same instant are not serialized (Kafka's group
assignment keeps them apart).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from typing import Any, ClassVar

import pyarrow as pa

from emitter.errors import first_line
from emitter.sink.destinations.clickhouse_client import (
    READ_SETTINGS,
    arrow_result,
    connect,
    driver_errors,
    literal,
    literals,
    returns_rows,
)
from emitter.sink.destinations.clickhouse_sql import (
    DEAD_LETTER_COLUMNS,
    LINEAGE_COLUMNS,
    VERSION_COLUMN,
    Partition,
    create_bookkeeping,
    create_data_table,
    first_offsets,
    from_offsets,
    insert_offsets,
)
from emitter.sink.destinations.errors import DestinationError, StaleOffsetsError
from emitter.sink.destinations.evolution import plan_columns
from emitter.sink.destinations.identifiers import check_data_table
from emitter.sink.destinations.interface import Capabilities, Destination, quote
from emitter.sink.destinations.tables import (
    DEAD_LETTERS,
    INTERNAL_PREFIX,
    INTERNAL_TABLES,
    LOADED_FILES,
    OFFSETS,
    ORIGINS,
    TableName,
    conform_dead_letters,
    sort_key,
    typed_columns,
    with_meta,
    with_source,
)
from emitter.sink.destinations.types import CLICKHOUSE_TYPES
from emitter.urls import masked

# values inlined into one IN (...): well inside ClickHouse's default 256 KiB max_query_size for ids of ~40 bytes
_VALUES_PER_QUERY = 2_000


class ClickHouseDestination(Destination):
    """One ClickHouse engine: a database per namespace for data, bookkeeping in the URL's database."""

    capabilities: ClassVar[Capabilities] = Capabilities(
        name="ClickHouse",
        bulk_load="arrow",
        # a table and each column are files and folders on disk: stay well under 255-byte file names
        max_identifier_length=200,
        placeholder="",  # none: statements carry their values as escaped literals (clickhouse_client.literal)
        supports_row_locks=False,
        types=CLICKHOUSE_TYPES,
    )

    def __init__(self, url: str) -> None:
        self.where = masked(url)
        self._client, self.schema = connect(url)
        self._errors = driver_errors()
        self._columns: dict[str, dict[str, str]] = {}  # table → column → catalog type
        self._databases: set[str] = set()
        # partitions whose rows past the stored offset were cleared (or written whole) by this destination
        self._clean: set[Partition] = set()
        with self._failing("creating emitter's bookkeeping tables"):
            self._create_database(self.schema)
            for table, (schema, primary_key) in INTERNAL_TABLES.items():
                self._create_bookkeeping(table, schema, primary_key)

    @classmethod
    def from_url(cls, url: str) -> ClickHouseDestination:
        return cls(url)

    # --- statements ----------------------------------------------------------------------------------
    @contextmanager
    def _failing(self, action: str, outcome: str = "") -> Iterator[None]:
        """Driver errors as a DestinationError saying what failed and, in ``outcome``, what it left behind."""
        try:
            yield
        except BaseException as exc:
            self._columns.clear()  # a failed DDL may or may not have happened: ask the catalog again
            if isinstance(exc, self._errors):
                raise DestinationError(f"{self.where}: {action} failed{outcome}: {first_line(exc)}") from exc
            raise

    def _execute(self, sql: str) -> None:
        self._client.command(sql)

    def _query(self, sql: str) -> pa.Table:
        return arrow_result(self._client.raw_query(sql, fmt="ArrowStream", settings=READ_SETTINGS))

    def _rows(self, sql: str) -> list[tuple[Any, ...]]:
        result = self._query(sql)
        return list(zip(*(column.to_pylist() for column in result.columns), strict=True))

    def _read(self, sql: str) -> list[tuple[Any, ...]]:
        with self._failing("reading emitter's bookkeeping"):
            return self._rows(sql)

    def _name(self, table: TableName | str) -> TableName:
        return table if isinstance(table, TableName) else TableName(self.schema, table)

    def _qualified(self, table: TableName | str) -> str:
        name = self._name(table)
        return f"{quote(name.schema)}.{quote(name.name)}"

    # --- tables --------------------------------------------------------------------------------------
    def _check_data_table(self, table: TableName, columns: Sequence[str]) -> None:
        check_data_table(self.where, self.capabilities, table, columns)

    def _create_database(self, name: str) -> None:
        if name not in self._databases:
            self._execute(f"CREATE DATABASE IF NOT EXISTS {quote(name)}")
            self._databases.add(name)

    def _create_bookkeeping(self, table: str, schema: pa.Schema, primary_key: Sequence[str]) -> None:
        self._execute(create_bookkeeping(self._qualified(table), table, schema, primary_key, self.capabilities.types))

    def _known_columns(self, table: TableName | str) -> dict[str, str] | None:
        name = self._name(table)
        known = self._columns.get(str(name))
        if known is None:
            found = self._rows(
                "SELECT name, type FROM system.columns "
                f"WHERE database = {literal(name.schema)} AND table = {literal(name.name)} ORDER BY position"
            )
            known = {str(column): str(sql) for column, sql in found} or None
            if known is not None:
                self._columns[str(name)] = known
        return known

    def _ensure(self, table: TableName, schema: pa.Schema) -> None:
        """Create a MergeTree table sorted by the schema's sort key, or add the columns it lacks."""
        existing = self._known_columns(table)
        plan = plan_columns(str(table), schema, existing, self.capabilities.types)
        if existing is None:
            self._create_database(table.schema)
            self._execute(create_data_table(self._qualified(table), plan, sort_key(schema)))
            self._columns[str(table)] = dict(plan)
            return
        for name, sql in plan:
            self._execute(f"ALTER TABLE {self._qualified(table)} ADD COLUMN IF NOT EXISTS {quote(name)} {sql}")
            existing[name] = sql

    def _insert(self, table: TableName | str, data: pa.Table) -> None:
        if data.num_rows:
            self._client.insert_arrow(self._qualified(table), data)

    def _delete(self, table: TableName | str, where: str) -> None:
        """Delete the rows ``where`` matches, asking first: a DELETE is a mutation, not worth it for no row."""
        qualified = self._qualified(table)
        if self._rows(f"SELECT count() FROM {qualified} WHERE {where}")[0][0]:
            self._execute(f"DELETE FROM {qualified} WHERE {where}")

    # --- Destination ---------------------------------------------------------------------------------
    def ensure_table(self, table: TableName, schema: pa.Schema) -> None:
        self._check_data_table(table, schema.names)
        with self._failing(f"creating or evolving table {table}"):
            self._ensure(table, with_meta(table, schema, self.capabilities.types))

    def write(
        self,
        rows: Mapping[TableName, pa.Table],
        dead_letters: pa.Table | None,
        offsets: Mapping[Partition, int],
        read_from: Mapping[Partition, int] | None = None,
    ) -> None:
        """Rows, dead letters, then the next offsets (the INSERT that commits the batch).

        Raises:
            StaleOffsetsError: a stored offset moved since the batch was read; nothing was written.
        """
        rows = {table: typed_columns(data) for table, data in rows.items()}
        for table, data in rows.items():
            self._check_data_table(table, data.column_names)
        dead = conform_dead_letters(dead_letters) if dead_letters is not None and dead_letters.num_rows else None
        starts = dict(read_from or {})
        uncommitted = " and nothing was committed (no offset moved; rows it inserted are deleted)"
        with self._failing("writing a batch", uncommitted):
            if offsets:
                self._fence(offsets, starts)
            schemas = {table: with_meta(table, data.schema, self.capabilities.types) for table, data in rows.items()}
            for table, schema in schemas.items():  # every table's plan first: a refused one creates none
                plan_columns(str(table), schema, self._known_columns(table), self.capabilities.types)
            for table, schema in schemas.items():
                self._ensure(table, schema)
            since = first_offsets([*rows.values(), *([dead] if dead is not None else [])])
            self._discard_uncommitted([p for p in offsets if p not in self._clean], since, list(rows))
            try:
                for table, data in rows.items():
                    self._insert(table, data)
                if dead is not None:
                    self._insert(DEAD_LETTERS, dead)
                if offsets:
                    self._execute(insert_offsets(self._qualified(OFFSETS), offsets))
            except BaseException:
                # not committed: delete what it inserted now, or (if that fails too, or the process died)
                # before the partition's next batch
                self._clean.difference_update(offsets)
                with suppress(*self._errors):
                    self._discard_uncommitted(list(offsets), since, list(rows))
                raise
            self._clean.update(offsets)

    def _fence(self, offsets: Mapping[Partition, int], starts: Mapping[Partition, int]) -> None:
        stored = self.stored_offsets({topic for topic, _ in offsets})
        stale = [(t, p, starts.get((t, p))) for t, p in sorted(offsets) if stored.get((t, p)) != starts.get((t, p))]
        if stale:
            # another writer had those partitions: what it left past its offsets is for this one to check again
            self._clean.difference_update((t, p) for t, p, _ in stale)
            raise StaleOffsetsError.of(self.where, stale)

    def _discard_uncommitted(
        self, partitions: Sequence[Partition], since: Mapping[Partition, int], tables: Sequence[TableName]
    ) -> None:
        """Delete rows and dead letters of ``partitions`` from their ``since`` offset on: a failed batch's.

        ``since`` is where this batch's messages of a partition begin: read again from the stored offset,
        they begin where the failed batch's did, so what lies from there on was never committed.
        """
        bounded = [(partition, since[partition]) for partition in partitions if partition in since]
        if bounded:
            for table in tables:
                self._delete(table, from_offsets(bounded, LINEAGE_COLUMNS))
            self._delete(DEAD_LETTERS, from_offsets(bounded, DEAD_LETTER_COLUMNS))
        self._clean.update(partitions)

    def stored_offsets(self, topics: Collection[str]) -> dict[Partition, int]:
        names = sorted(set(topics))
        if not names:
            return {}
        found = self._read(
            f'SELECT topic, "partition", next_offset FROM {self._qualified(OFFSETS)} FINAL '
            f"WHERE topic IN ({literals(names)})"
        )
        return {(str(topic), int(partition)): int(offset) for topic, partition, offset in found}

    def load_file(self, table: TableName, rows: pa.Table, source: str, checksum: str) -> bool:
        """Rows first, then the loaded-files record that commits them; rows of an unrecorded load are replaced."""
        data = with_source(typed_columns(rows), source)
        self._check_data_table(table, data.column_names)
        schema = with_meta(table, data.schema, self.capabilities.types)
        files = self._qualified(LOADED_FILES)
        with self._failing(f"loading {source} into {table}", " (the file is not recorded as loaded: load it again)"):
            found = self._rows(f"SELECT checksum, table_name FROM {files} FINAL WHERE source = {literal(source)}")
            if found and found[0][0] == checksum:
                return False
            self._ensure(table, schema)
            previous = {TableName.parse(str(found[0][1]))} if found else set()
            for held in sorted({table} | previous):
                if self._known_columns(held) is not None:
                    self._delete(held, f"_source = {literal(source)}")
            self._insert(table, data)
            if found:  # the old record goes first: until the new one lands, the file counts as not loaded
                self._delete(LOADED_FILES, f"source = {literal(source)}")
            self._execute(
                f'INSERT INTO {files} (source, table_name, checksum, "rows", loaded_at) VALUES '
                f"({literal(source)}, {literal(str(table))}, {literal(checksum)}, {data.num_rows}, now64(6))"
            )
        return True

    def existing_values(self, table: TableName, column: str, values: Sequence[Any]) -> set[Any]:
        found: set[Any] = set()
        with self._failing(f"reading {table}.{column}"):
            if not values or self._known_columns(table) is None:
                return found
            unique = list(dict.fromkeys(values))
            for at in range(0, len(unique), _VALUES_PER_QUERY):  # a query's text is capped (max_query_size)
                chunk = literals(unique[at : at + _VALUES_PER_QUERY])
                name = quote(column)
                query = f"SELECT DISTINCT {name} FROM {self._qualified(table)} WHERE {name} IN ({chunk})"
                found.update(value for (value,) in self._rows(query))
        return found

    def record_origin(self, scenario: str, seed: int, settings: str) -> None:
        digest = hashlib.sha256(json.dumps([scenario, seed, settings]).encode()).hexdigest()
        table = self._qualified(ORIGINS)
        with self._failing("recording where the rows come from"):
            if not self._rows(f"SELECT 1 FROM {table} WHERE digest = {literal(digest)} LIMIT 1"):
                self._execute(
                    f"INSERT INTO {table} (scenario, seed, settings, digest, recorded_at) VALUES "
                    f"({literal(scenario)}, {seed}, {literal(settings)}, {literal(digest)}, now64(6))"
                )

    def origins(self) -> list[tuple[str, int, str]]:
        found = self._read(
            f"SELECT scenario, seed, settings FROM {self._qualified(ORIGINS)} FINAL ORDER BY recorded_at"
        )
        return [(str(scenario), int(seed), str(settings)) for scenario, seed, settings in found]

    def loaded_files(self) -> dict[str, str]:
        found = self._read(f"SELECT source, checksum FROM {self._qualified(LOADED_FILES)} FINAL")
        return {str(source): str(checksum) for source, checksum in found}

    def bookkeeping_rows(self, table: str, columns: Sequence[str]) -> pa.Table:
        final = " FINAL" if table in VERSION_COLUMN else ""
        found = self.query(f"SELECT {', '.join(quote(c) for c in columns)} FROM {self._qualified(table)}{final}")
        schema = INTERNAL_TABLES[table][0] if table in INTERNAL_TABLES else None
        if schema is None:
            return found
        # binary columns (a dead letter's raw message) are Strings here, and come back as text
        return found.cast(pa.schema([schema.field(name) for name in found.column_names]))

    def clear(self, tables: Collection[TableName], topics: Collection[str], scenario: str | None) -> None:
        """Drop ``tables``, then forget their bookkeeping; each statement on its own (rerun to finish a failed one)."""
        with self._failing(f"clearing {len(tables)} tables"):
            for table in sorted(tables):
                self._execute(f"DROP TABLE IF EXISTS {self._qualified(table)}")
                self._columns.pop(str(table), None)
            if tables:
                names = sorted(str(t) for t in tables)
                self._delete(LOADED_FILES, f"table_name IN ({literals(names)})")
            if topics:
                chosen = literals(sorted(topics))
                self._delete(OFFSETS, f"topic IN ({chosen})")
                self._delete(DEAD_LETTERS, f"topic IN ({chosen})")
                self._clean.clear()
            if scenario is not None:
                self._delete(ORIGINS, f"scenario = {literal(scenario)}")

    def query(self, sql: str, namespace: str | None = None) -> pa.Table:
        try:
            if not returns_rows(sql):  # a result format can't be asked of DELETE, INSERT, ALTER ...
                self._execute(sql)
                return pa.table({})
            return self._query(sql)
        except self._errors as exc:
            raise DestinationError(f"{self.where}: query failed: {first_line(exc)}") from exc

    def table_names(self, include_internal: bool = False) -> list[str]:
        names = [t.name for t in self.data_tables([self.schema])]
        return names if include_internal else [n for n in names if not n.startswith(INTERNAL_PREFIX)]

    def data_tables(self, schemas: Collection[str]) -> list[TableName]:
        if not schemas:
            return []
        found = self._read(
            f"SELECT database, name FROM system.tables WHERE database IN ({literals(sorted(schemas))}) "
            "AND engine LIKE '%MergeTree'"
        )
        return sorted(TableName(str(schema), str(name)) for schema, name in found)

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
