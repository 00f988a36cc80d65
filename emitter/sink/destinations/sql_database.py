"""The SQL machinery one database's destination shares: transactions, typed DDL, bulk inserts, offset fencing.

Everything here branches on the backend's :class:`Capabilities` (bulk path, parameter style, identifier
limit, DDL lock); a backend only supplies a connection's primitives (``_begin``, ``_execute``, ...).
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import Any, ClassVar

import pyarrow as pa

from emitter.errors import first_line
from emitter.sink.destinations.copy_csv import csv_chunks
from emitter.sink.destinations.errors import DestinationError, StaleOffsetsError
from emitter.sink.destinations.evolution import plan_columns
from emitter.sink.destinations.identifiers import check_data_table, check_identifier
from emitter.sink.destinations.interface import Capabilities, Destination, quote
from emitter.sink.destinations.tables import INTERNAL_TABLES, OFFSETS, TableName


class SqlDatabase(Destination):
    """One database's connection, and the statements every operation of :class:`SqlDestination` is made of."""

    capabilities: ClassVar[Capabilities]
    driver_errors: ClassVar[tuple[type[Exception], ...]]

    def __init__(self, where: str, schema: str) -> None:
        self.where = where  # the URL without its password, for messages
        self.schema = schema
        self._columns: dict[str, dict[str, str]] = {}  # table → column → catalog type; cleared on rollback
        self._schemas: set[str] = {schema}  # warehouse schemas known to exist; cleared on rollback
        self._in_transaction = False
        self._ddl_locked = False  # this transaction holds ``capabilities.ddl_lock``

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
        check_identifier(self.where, self.capabilities, name, what)

    def _check_data_table(self, table: TableName, columns: Sequence[str]) -> None:
        check_data_table(self.where, self.capabilities, table, columns)

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
            raise StaleOffsetsError.of(self.where, stale)
