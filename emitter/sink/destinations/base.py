"""One database as a warehouse: a schema per namespace, typed tables, additive evolution, exactly-once batches.

The operations are built from :class:`SqlDatabase`'s statements and branch on :class:`Capabilities`;
a backend (DuckDB, PostgreSQL) only supplies a connection's primitives.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Mapping, Sequence
from typing import Any

import pyarrow as pa

from emitter.errors import first_line
from emitter.sink.destinations.errors import DestinationError
from emitter.sink.destinations.interface import quote
from emitter.sink.destinations.sql_database import SqlDatabase
from emitter.sink.destinations.tables import (
    DEAD_LETTERS,
    INTERNAL_PREFIX,
    LOADED_FILES,
    OFFSETS,
    ORIGINS,
    TableName,
    conform_dead_letters,
    typed_columns,
    with_meta,
    with_source,
)


class SqlDestination(SqlDatabase):
    """One database holding every namespace, each in a warehouse schema of its own (``retail.receipts``).

    emitter's bookkeeping tables live in the destination's own schema (``main``, ``public`` or the URL's
    ``?schema=``).
    """

    def ensure_table(self, table: TableName, schema: pa.Schema) -> None:
        """Create ``table`` from ``schema`` (plus lineage columns), or add the columns it lacks.

        Raises:
            SchemaEvolutionError: a column exists with a different type.
        """
        self._check_data_table(table, schema.names)
        with self._transaction(f"creating or evolving table {table}"):
            self._ensure(table, with_meta(table, schema, self.capabilities.types))

    def write(
        self,
        rows: Mapping[TableName, pa.Table],
        dead_letters: pa.Table | None,
        offsets: Mapping[tuple[str, int], int],
        read_from: Mapping[tuple[str, int], int] | None = None,
    ) -> None:
        """Rows for every table, the dead letters and the next offset per (topic, partition): all or nothing.

        The stored offsets fence the batch: a partition's stored next offset must still be
        ``read_from[(topic, partition)]``, the position the batch was read from (a partition missing
        there must have no stored offset yet). Else another consumer loaded that range first, and
        nothing is written.

        Raises:
            StaleOffsetsError: a stored offset moved since the batch was read.
        """
        rows = {table: typed_columns(data) for table, data in rows.items()}
        for table, data in rows.items():
            self._check_data_table(table, data.column_names)
        dead = conform_dead_letters(dead_letters) if dead_letters is not None and dead_letters.num_rows else None
        with self._transaction("writing a batch"):
            if offsets:  # first: a fenced batch writes nothing, and a rival's batch waits on these rows' locks
                self._advance_offsets(offsets, read_from or {})
            for table, data in rows.items():
                self._ensure(table, with_meta(table, data.schema, self.capabilities.types))
                self._insert(table, data)
            if dead is not None:
                self._insert(DEAD_LETTERS, dead)

    def stored_offsets(self, topics: Collection[str]) -> dict[tuple[str, int], int]:
        """The next offset to read per (topic, partition) of ``topics``, as committed with the rows."""
        names = sorted(set(topics))
        if not names:
            return {}
        marks = ", ".join([self.capabilities.placeholder] * len(names))
        found = self._read(
            f'SELECT topic, "partition", next_offset FROM {self._qualified(OFFSETS)} WHERE topic IN ({marks})', names
        )
        return {(str(topic), int(partition)): int(offset) for topic, partition, offset in found}

    def load_file(self, table: TableName, rows: pa.Table, source: str, checksum: str) -> bool:
        """Load one backfill file as the rows with ``_source = source``, once per checksum.

        Returns False, changing nothing, when ``source`` was already loaded with ``checksum``; a new
        checksum for a known source replaces that source's rows.
        """
        data = with_source(typed_columns(rows), source)
        self._check_data_table(table, data.column_names)
        schema = with_meta(table, data.schema, self.capabilities.types)
        p = self.capabilities.placeholder
        files = self._qualified(LOADED_FILES)
        lock = " FOR UPDATE" if self.capabilities.supports_row_locks else ""
        with self._transaction(f"loading {source} into {table}"):
            # Claim the source first: a concurrent load of the same file holds its key until it ends,
            # so this insert waits for it and then finds the source taken, rather than failing.
            claimed = self._fetch(
                f'INSERT INTO {files} (source, table_name, checksum, "rows", loaded_at) '
                f"VALUES ({p}, {p}, {p}, {p}, now()) ON CONFLICT (source) DO NOTHING RETURNING source",
                [source, str(table), checksum, data.num_rows],
            )
            if not claimed:
                found = self._fetch(f"SELECT checksum, table_name FROM {files} WHERE source = {p}{lock}", [source])
                if found and found[0][0] == checksum:
                    return False
                self._ensure(table, schema)
                previous = TableName.parse(str(found[0][1])) if found else None
                if previous is not None and self._known_columns(previous) is not None:
                    self._execute(f"DELETE FROM {self._qualified(previous)} WHERE _source = {p}", [source])
                self._execute(
                    f'UPDATE {files} SET table_name = {p}, checksum = {p}, "rows" = {p}, loaded_at = now() '
                    f"WHERE source = {p}",
                    [str(table), checksum, data.num_rows, source],
                )
            else:
                self._ensure(table, schema)
            self._insert(table, data)
        return True

    def existing_values(self, table: TableName, column: str, values: Sequence[Any]) -> set[Any]:
        """Which of ``values`` the table's ``column`` already holds (none while the table doesn't exist)."""
        if not values or self._known_columns(table) is None:
            return set()
        found = self._read(
            f"SELECT DISTINCT {quote(column)} FROM {self._qualified(table)} "
            f"WHERE {quote(column)} = ANY({self.capabilities.placeholder})",
            [list(values)],
        )
        return {value for (value,) in found}

    def record_origin(self, scenario: str, seed: int, settings: str) -> None:
        """Note that rows generated by ``scenario`` with ``seed`` and ``settings`` (JSON) were loaded here."""
        digest = hashlib.sha256(json.dumps([scenario, seed, settings]).encode()).hexdigest()
        p = self.capabilities.placeholder
        with self._transaction("recording where the rows come from"):
            self._execute(
                f"INSERT INTO {self._qualified(ORIGINS)} (scenario, seed, settings, digest, recorded_at) "
                f"VALUES ({p}, {p}, {p}, {p}, now()) ON CONFLICT (digest) DO NOTHING",
                [scenario, seed, settings, digest],
            )

    def origins(self) -> list[tuple[str, int, str]]:
        """Every (scenario, seed, settings JSON) recorded by ``record_origin``, oldest first."""
        found = self._read(f"SELECT scenario, seed, settings FROM {self._qualified(ORIGINS)} ORDER BY recorded_at")
        return [(str(scenario), int(seed), str(settings)) for scenario, seed, settings in found]

    def loaded_files(self) -> dict[str, str]:
        """source → checksum of every backfill file loaded so far."""
        found = self._read(f"SELECT source, checksum FROM {self._qualified(LOADED_FILES)}")
        return {str(source): str(checksum) for source, checksum in found}

    def clear(self, tables: Collection[TableName], topics: Collection[str], scenario: str | None) -> None:
        """Drop ``tables`` and forget what emitter recorded of them, in one transaction.

        Forgotten: their loaded files (a later ``load`` loads those files again), the stored offsets and
        dead letters of ``topics`` (a later ``sink`` reads them from the start), and, with ``scenario``,
        the runs ``load`` recorded for it.
        """
        p = self.capabilities.placeholder

        def marks(values: Collection[str]) -> str:
            return ", ".join([p] * len(values))

        with self._transaction(f"clearing {len(tables)} tables"):
            self._lock_ddl()
            for table in sorted(tables):
                self._execute(f"DROP TABLE IF EXISTS {self._qualified(table)}")
                self._columns.pop(str(table), None)
            if tables:
                names = sorted(str(t) for t in tables)
                self._execute(
                    f"DELETE FROM {self._qualified(LOADED_FILES)} WHERE table_name IN ({marks(names)})", names
                )
            if topics:
                chosen = sorted(topics)
                for bookkeeping in (OFFSETS, DEAD_LETTERS):
                    self._execute(
                        f"DELETE FROM {self._qualified(bookkeeping)} WHERE topic IN ({marks(chosen)})", chosen
                    )
            if scenario is not None:
                self._execute(f"DELETE FROM {self._qualified(ORIGINS)} WHERE scenario = {p}", [scenario])

    def bookkeeping_rows(self, table: str, columns: Sequence[str]) -> pa.Table:
        return self.query(f"SELECT {', '.join(quote(c) for c in columns)} FROM {self._qualified(table)}")

    def query(self, sql: str, namespace: str | None = None) -> pa.Table:
        """Run ``sql`` (committed on its own) and return its result; every namespace is here, whichever is named."""
        try:
            return self._run_query(sql)
        except self.driver_errors as exc:
            raise DestinationError(f"{self.where}: query failed: {first_line(exc)}") from exc

    def table_names(self, include_internal: bool = False) -> list[str]:
        """Tables in the destination's own schema, sorted; emitter's ``_emitter_*`` tables only if asked."""
        names = [t.name for t in self.data_tables([self.schema])]
        return names if include_internal else [n for n in names if not n.startswith(INTERNAL_PREFIX)]

    def data_tables(self, schemas: Collection[str]) -> list[TableName]:
        """The tables in these warehouse schemas, sorted."""
        if not schemas:
            return []
        p = self.capabilities.placeholder
        marks = ", ".join([p] * len(schemas))
        found = self._read(
            "SELECT table_schema, table_name FROM information_schema.tables WHERE table_schema IN "
            f"({marks}) AND table_catalog = current_database() AND table_type = 'BASE TABLE'",
            sorted(schemas),
        )
        return sorted(TableName(str(schema), str(name)) for schema, name in found)
