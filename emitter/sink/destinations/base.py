"""The warehouse ``Destination``: typed tables, additive evolution, and exactly-once batch writes.

Everything a destination shares lives here and branches on its :class:`Capabilities` (bulk path,
parameter style, identifier limit, row locks); a backend only supplies a connection's primitives.
"""

from __future__ import annotations

import hashlib
import json
from abc import ABC, abstractmethod
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from types import TracebackType
from typing import Any, ClassVar, Literal, Self

import pyarrow as pa

from emitter.errors import first_line
from emitter.sink.destinations.copy_csv import csv_chunks
from emitter.sink.destinations.errors import DestinationError, StaleOffsetsError
from emitter.sink.destinations.evolution import plan_columns
from emitter.sink.destinations.tables import (
    DEAD_LETTERS,
    INTERNAL_PREFIX,
    INTERNAL_TABLES,
    LOADED_FILES,
    OFFSETS,
    ORIGINS,
    TableName,
    conform_dead_letters,
    typed_columns,
    with_meta,
    with_source,
)
from emitter.sink.destinations.types import TypeMapping


@dataclass(frozen=True)
class Capabilities:
    """What a destination can do; shared code branches on these, never on the backend's class."""

    name: str
    bulk_load: Literal["arrow", "copy"]  # arrow: scan an Arrow table in-process; copy: stream CSV into COPY
    max_identifier_length: int  # in UTF-8 bytes; longer names are refused rather than truncated
    placeholder: str  # the driver's positional parameter marker
    supports_row_locks: bool  # SELECT … FOR UPDATE serializes concurrent reloads of a file already recorded
    types: TypeMapping
    # a statement that makes other sessions' DDL wait until this transaction ends: concurrent
    # CREATE … IF NOT EXISTS of one name collide in the catalog; None where one writer holds the database
    ddl_lock: str | None = None

    @property
    def supports_arrow_ingest(self) -> bool:
        return self.bulk_load == "arrow"


def quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


class Destination(ABC):
    """A warehouse that stores Arrow tables, dead letters and consumer offsets, each batch atomically.

    Data tables live in one warehouse schema per scenario namespace (``retail.receipts``), created on
    first use; emitter's bookkeeping tables live in the destination's own schema (``main``, ``public``
    or the URL's ``?schema=``). Every data table also has four nullable lineage columns: ``_topic``,
    ``_partition`` and ``_offset`` (rows from Kafka) and ``_source`` (rows loaded from a backfill file's
    relative path).
    """

    capabilities: ClassVar[Capabilities]
    driver_errors: ClassVar[tuple[type[Exception], ...]]

    def __init__(self, where: str, schema: str) -> None:
        self.where = where  # the URL without its password, for messages
        self.schema = schema
        self._columns: dict[str, dict[str, str]] = {}  # table → column → catalog type; cleared on rollback
        self._schemas: set[str] = {schema}  # warehouse schemas known to exist; cleared on rollback
        self._in_transaction = False
        self._ddl_locked = False  # this transaction holds ``capabilities.ddl_lock``

    # --- the interface -----------------------------------------------------------------------------
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

    def query(self, sql: str) -> pa.Table:
        """Run ``sql`` (committed on its own) and return its result; an empty table for statements without one."""
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

    @abstractmethod
    def close(self) -> None:
        """Release the connection; safe to call twice."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.where}>"

    # --- what a backend supplies ---------------------------------------------------------------------
    @abstractmethod
    def _begin(self) -> AbstractContextManager[None]:
        """A transaction: committed when the block ends, rolled back when it raises."""

    @abstractmethod
    def _execute(self, sql: str, params: Sequence[Any] = ()) -> None: ...

    @abstractmethod
    def _fetch(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]: ...

    @abstractmethod
    def _catalog_columns(self, schema: str, table: str) -> dict[str, str] | None:
        """column → type as the catalog spells it, or None when ``schema.table`` doesn't exist."""

    @abstractmethod
    def _run_query(self, sql: str) -> pa.Table: ...

    def _insert_arrow(self, qualified: str, columns: str, data: pa.Table) -> None:
        raise NotImplementedError(f"{self.capabilities.name} has no Arrow ingest")

    def _copy(self, statement: str, chunks: Iterator[bytes]) -> None:
        raise NotImplementedError(f"{self.capabilities.name} has no COPY")

    # --- shared machinery ----------------------------------------------------------------------------
    def _setup(self) -> None:
        """Create emitter's bookkeeping tables; backends call this once connected."""
        with self._transaction("creating emitter's bookkeeping tables"):
            for table, (schema, primary_key) in INTERNAL_TABLES.items():
                self._ensure(table, schema, primary_key)

    @contextmanager
    def _transaction(self, action: str) -> Iterator[None]:
        if self._in_transaction:
            raise RuntimeError("destination transactions don't nest")
        self._in_transaction = True
        try:
            with self._begin():
                yield
        except BaseException as exc:
            self._columns.clear()  # DDL in the rolled-back transaction is gone too
            self._schemas = {self.schema}
            if isinstance(exc, self.driver_errors):
                raise DestinationError(
                    f"{self.where}: {action} failed and nothing was committed: {self._explain(exc)}"
                ) from exc
            raise
        finally:
            self._in_transaction = False
            self._ddl_locked = False

    def _explain(self, exc: Exception) -> str:
        """A driver error in one line; a backend may add what it means."""
        return first_line(exc)

    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """A read outside any batch, with driver errors made readable."""
        with self._transaction("reading emitter's bookkeeping"):
            return self._fetch(sql, params)

    def _name(self, table: TableName | str) -> TableName:
        """A data table names its schema; a bookkeeping table (a plain name) is in the destination's."""
        return table if isinstance(table, TableName) else TableName(self.schema, table)

    def _qualified(self, table: TableName | str) -> str:
        name = self._name(table)
        return f"{quote(name.schema)}.{quote(name.name)}"

    def _check_identifier(self, name: str, what: str) -> None:
        size = len(name.encode())
        if not name or "\x00" in name:
            raise DestinationError(f"{self.where}: {what} name {name!r} is empty or holds a NUL character")
        if size > self.capabilities.max_identifier_length:
            raise DestinationError(
                f"{self.where}: {what} name {name!r} is {size} bytes, {self.capabilities.name} allows "
                f"{self.capabilities.max_identifier_length}; use a shorter name"
            )

    def _check_data_table(self, table: TableName, columns: Sequence[str]) -> None:
        self._check_identifier(table.schema, "schema")
        self._check_identifier(table.name, "table")
        if table.name.lower().startswith(INTERNAL_PREFIX):
            raise DestinationError(f"{self.where}: table names starting with {INTERNAL_PREFIX} are emitter's own")
        for column in columns:
            self._check_identifier(column, f"{table} column")

    def _known_columns(self, table: TableName | str) -> dict[str, str] | None:
        name = self._name(table)
        known = self._columns.get(str(name))
        if known is None:
            known = self._catalog_columns(name.schema, name.name)
            if known is not None:
                self._columns[str(name)] = known
        return known

    def _ensure(self, table: TableName | str, schema: pa.Schema, primary_key: Sequence[str] = ()) -> None:
        existing = self._known_columns(table)
        plan = plan_columns(str(table), schema, existing, self.capabilities.types)
        if (existing is None or plan) and self.capabilities.ddl_lock is not None:
            self._lock_ddl()
            # what was known may predate the lock: another session may have created or evolved the table
            self._columns.pop(str(self._name(table)), None)
            existing = self._known_columns(table)
            plan = plan_columns(str(table), schema, existing, self.capabilities.types)
        if existing is None:
            where = self._name(table)
            if where.schema not in self._schemas:
                self._execute(f"CREATE SCHEMA IF NOT EXISTS {quote(where.schema)}")
                self._schemas.add(where.schema)
            columns = [f"{quote(name)} {sql}" for name, sql in plan]
            if primary_key:
                columns.append(f"PRIMARY KEY ({', '.join(quote(c) for c in primary_key)})")
            self._execute(f"CREATE TABLE IF NOT EXISTS {self._qualified(table)} ({', '.join(columns)})")
            self._columns[str(where)] = dict(plan)
            return
        for name, sql in plan:
            self._execute(f"ALTER TABLE {self._qualified(table)} ADD COLUMN IF NOT EXISTS {quote(name)} {sql}")
            existing[name] = sql

    def _insert(self, table: TableName | str, data: pa.Table) -> None:
        if data.num_rows == 0:
            return
        qualified = self._qualified(table)
        columns = ", ".join(quote(name) for name in data.column_names)
        if self.capabilities.bulk_load == "arrow":
            self._insert_arrow(qualified, columns, data)
        else:
            self._copy(f"COPY {qualified} ({columns}) FROM STDIN (FORMAT csv)", csv_chunks(data))

    def _lock_ddl(self) -> None:
        """Hold the DDL lock (if the destination has one) until the transaction ends."""
        if self.capabilities.ddl_lock is not None and not self._ddl_locked:
            self._execute(self.capabilities.ddl_lock)
            self._ddl_locked = True

    def _advance_offsets(
        self, offsets: Mapping[tuple[str, int], int], read_from: Mapping[tuple[str, int], int]
    ) -> None:
        """Move each stored next offset from where the batch was read to ``offsets``; raise if one moved."""
        p = self.capabilities.placeholder
        table = self._qualified(OFFSETS)
        stale = []
        for (topic, partition), end in sorted(offsets.items()):  # one order for every writer: no deadlock
            start = read_from.get((topic, partition))
            if start is None:  # a concurrent insert of the same key makes one of the two insert nothing
                moved = self._fetch(
                    f'INSERT INTO {table} (topic, "partition", next_offset, updated_at) VALUES ({p}, {p}, {p}, now()) '
                    'ON CONFLICT (topic, "partition") DO NOTHING RETURNING next_offset',
                    [topic, partition, end],
                )
            else:
                moved = self._fetch(
                    f"UPDATE {table} SET next_offset = {p}, updated_at = now() "
                    f'WHERE topic = {p} AND "partition" = {p} AND next_offset = {p} RETURNING next_offset',
                    [end, topic, partition, start],
                )
            if not moved:
                stale.append((topic, partition, start))
        if stale:
            where = ", ".join(f"{t}[{p}] (read from {'the start' if s is None else s})" for t, p, s in stale)
            raise StaleOffsetsError(
                f"{self.where}: another consumer already loaded past where this batch was read: {where}; "
                "nothing of the batch was written",
                [(t, p) for t, p, _ in stale],
            )
