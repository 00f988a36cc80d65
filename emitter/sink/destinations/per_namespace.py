"""A database per namespace on one PostgreSQL server: each namespace's tables and their bookkeeping together.

Every table goes to its namespace's database (inside it, still the schema named after the namespace,
so ``"customer_db"."customers"`` reads the same in either layout), opened on first use and created when
missing. Exactly once holds per topic partition because everything of one partition lives in one
database: a topic carries one table, so its rows, dead letters and stored offsets are written there, and
a backfill file's rows and its loaded-files record go to its table's database. A batch spanning several
namespaces commits one transaction per database; each carries whole partitions, so a crash between two
of them leaves every partition either loaded with its offset or not at all, and the next run reads on
from each database's own offsets. What belongs to no table (the offsets and dead letters of a topic that
carries no table of the scenario, the runs ``load`` records) lives in the home database, the scope's
first namespace's; reads gather from every database of the scope.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import replace
from typing import Any, ClassVar

import psycopg
import pyarrow as pa
import pyarrow.compute as pc

from emitter.sink.destinations.errors import DestinationConnectionError, DestinationError, StaleOffsetsError
from emitter.sink.destinations.interface import Capabilities, Destination, quote
from emitter.sink.destinations.namespace_url import MAINTENANCE_DATABASE, DatabaseTemplate, NamespaceScope
from emitter.sink.destinations.postgres import CONNECT_TIMEOUT_S, PostgresDestination, message, parse_url
from emitter.sink.destinations.tables import INTERNAL_TABLES, TableName


class _Part:
    """What one database's transaction of a batch holds."""

    def __init__(self) -> None:
        self.rows: dict[TableName, pa.Table] = {}
        self.dead: list[pa.Table] = []
        self.offsets: dict[tuple[str, int], int] = {}
        self.read_from: dict[tuple[str, int], int] = {}


class DatabasePerNamespace(Destination):
    """``postgresql://user@host/{namespace}``: one :class:`PostgresDestination` per namespace's database."""

    capabilities: ClassVar[Capabilities] = replace(
        PostgresDestination.capabilities, name="PostgreSQL, a database per namespace", namespace_holder="database"
    )

    def __init__(self, template: DatabaseTemplate, scope: NamespaceScope) -> None:
        self.template = template
        self.scope = scope
        self.where = template.where
        _, self._schema = parse_url(template.url_for("x"))  # the bookkeeping schema, the same in every database
        for namespace in scope.namespaces:
            template.database(namespace)  # a name too long is refused before anything connects
        self._databases: dict[str, PostgresDestination] = {}
        try:  # the server is reached now, so a wrong host or password is one line before any work
            self._server: psycopg.Connection[tuple[Any, ...]] | None = psycopg.connect(
                template.maintenance_url(), autocommit=True, connect_timeout=CONNECT_TIMEOUT_S
            )
        except psycopg.Error as exc:
            raise DestinationConnectionError(
                f"{self.where}: can't connect to PostgreSQL's {MAINTENANCE_DATABASE} database ({message(exc)}), "
                "where a database per namespace is looked up and created; check that the server runs and that "
                "host, port, user and password in the URL are right"
            ) from exc

    @classmethod
    def from_url(cls, url: str, scope: NamespaceScope | None = None) -> DatabasePerNamespace:
        return cls(DatabaseTemplate.parse(url), scope or NamespaceScope())

    # --- which database -------------------------------------------------------------------------------
    def database(self, namespace: str, create: bool = False) -> PostgresDestination | None:
        """``namespace``'s database, opened once; created first with ``create``, else None while it doesn't exist."""
        opened = self._databases.get(namespace)
        if opened is not None:
            return opened
        name = self.template.database(namespace)
        if not self._exists(name):
            if not create:
                return None
            self._create(name, namespace)
        opened = self._databases[namespace] = PostgresDestination.from_url(self.template.url_for(namespace))
        return opened

    def _present(self) -> Iterator[tuple[str, PostgresDestination]]:
        """(namespace, database) of every database of the scope that exists, and of any other opened for writing."""
        for namespace in dict.fromkeys([*self.scope.namespaces, *self._databases]):
            found = self.database(namespace)
            if found is not None:
                yield namespace, found

    def _writable(self, namespace: str) -> PostgresDestination:
        found = self.database(namespace, create=True)
        assert found is not None
        return found

    def _topic_namespace(self, topic: str) -> str:
        """The namespace whose database keeps ``topic``'s offsets and dead letters: its table's, else home."""
        namespace = self.scope.topic_namespace(topic) or self.scope.home
        if namespace is None:
            raise DestinationError(
                f"{self.where}: topic {topic} carries no table of a known namespace, and the scenario names no "
                "namespace to keep its offsets in; pass --scenario"
            )
        return namespace

    def _exists(self, name: str) -> bool:
        return (
            self._maintenance().execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None
        )

    def _create(self, name: str, namespace: str) -> None:
        server = self._maintenance()
        try:
            server.execute(f"CREATE DATABASE {quote(name)}")
        except (psycopg.errors.DuplicateDatabase, psycopg.errors.UniqueViolation):
            return  # another sink or load created it first: use theirs
        except psycopg.errors.InsufficientPrivilege as exc:
            raise DestinationConnectionError(
                f"{self.where}: database {name} for namespace {namespace} doesn't exist and this user may not "
                f"create databases; create it (CREATE DATABASE {quote(name)}) or grant the user CREATEDB"
            ) from exc
        except psycopg.Error as exc:
            raise DestinationConnectionError(f"{self.where}: can't create database {name} ({message(exc)})") from exc
        # a user connecting to the namespace's database finds its tables without naming the schema
        server.execute(f"ALTER DATABASE {quote(name)} SET search_path TO {quote(namespace)}, {quote(self._schema)}")

    def _maintenance(self) -> psycopg.Connection[tuple[Any, ...]]:
        if self._server is None:
            raise DestinationConnectionError(f"{self.where}: the destination is closed")
        return self._server

    # --- the interface --------------------------------------------------------------------------------
    def ensure_table(self, table: TableName, schema: pa.Schema) -> None:
        self._writable(table.schema).ensure_table(table, schema)

    def write(
        self,
        rows: Mapping[TableName, pa.Table],
        dead_letters: pa.Table | None,
        offsets: Mapping[tuple[str, int], int],
        read_from: Mapping[tuple[str, int], int] | None = None,
    ) -> None:
        """One transaction per database, each of whole partitions; all are tried, then the stale ones raise."""
        parts: dict[str, _Part] = {}

        def part(namespace: str) -> _Part:
            return parts.setdefault(namespace, _Part())

        for table, data in rows.items():
            self._check_topics(table, data)
            part(table.schema).rows[table] = data
        for where, end in offsets.items():
            part(self._topic_namespace(where[0])).offsets[where] = end
        for where, start in (read_from or {}).items():
            part(self._topic_namespace(where[0])).read_from[where] = start
        if dead_letters is not None and dead_letters.num_rows:
            topics = dead_letters.column("topic")
            for topic in pc.unique(topics).to_pylist():
                part(self._topic_namespace(topic)).dead.append(dead_letters.filter(pc.equal(topics, topic)))
        stale: list[StaleOffsetsError] = []
        for namespace, p in sorted(parts.items()):  # one order for every writer
            dead = pa.concat_tables(p.dead) if p.dead else None
            try:
                self._writable(namespace).write(p.rows, dead, p.offsets, p.read_from)
            except StaleOffsetsError as exc:  # that database's partitions only: the others stand on their own
                stale.append(exc)
        if stale:
            raise StaleOffsetsError("; ".join(str(e) for e in stale), [w for e in stale for w in e.partitions])

    def _check_topics(self, table: TableName, data: pa.Table) -> None:
        """A table's rows and its topics' offsets must share a database, or one transaction can't hold both."""
        if "_topic" not in data.column_names:
            return
        for topic in pc.unique(data.column("_topic")).drop_null().to_pylist():
            if self._topic_namespace(topic) != table.schema:
                raise DestinationError(
                    f"{self.where}: topic {topic} carries rows of {table}, but its offsets belong to namespace "
                    f"{self._topic_namespace(topic)}; a topic must carry one table"
                )

    def stored_offsets(self, topics: Collection[str]) -> dict[tuple[str, int], int]:
        found: dict[tuple[str, int], int] = {}
        for _, database in self._present():  # each topic's offsets are in one database
            found.update(database.stored_offsets(topics))
        return found

    def load_file(self, table: TableName, rows: pa.Table, source: str, checksum: str) -> bool:
        return self._writable(table.schema).load_file(table, rows, source, checksum)

    def existing_values(self, table: TableName, column: str, values: Sequence[Any]) -> set[Any]:
        database = self.database(table.schema)
        return set() if database is None else database.existing_values(table, column, values)

    def record_origin(self, scenario: str, seed: int, settings: str) -> None:
        home = self.scope.home
        if home is None:
            raise DestinationError(f"{self.where}: no namespace to record the run in; pass --scenario")
        self._writable(home).record_origin(scenario, seed, settings)

    def origins(self) -> list[tuple[str, int, str]]:
        found = [origin for _, database in self._present() for origin in database.origins()]
        return list(dict.fromkeys(found))

    def loaded_files(self) -> dict[str, str]:
        return {source: sha for _, database in self._present() for source, sha in database.loaded_files().items()}

    def bookkeeping_rows(self, table: str, columns: Sequence[str]) -> pa.Table:
        found = [database.bookkeeping_rows(table, columns) for _, database in self._present()]
        empty = INTERNAL_TABLES[table][0].empty_table().select(list(columns))
        return pa.concat_tables([empty, *(f.cast(empty.schema) for f in found)])

    def clear(self, tables: Collection[TableName], topics: Collection[str], scenario: str | None) -> None:
        """One transaction per database: run ``clear`` again to finish should one fail half way."""
        for namespace, database in list(self._present()):
            mine = [t for t in tables if t.schema == namespace]
            database.clear(mine, topics, scenario)  # a topic's records are in one database: deleting is exact

    def query(self, sql: str, namespace: str | None = None) -> pa.Table:
        if namespace is None:
            raise DestinationError(f"{self.where}: a database per namespace: name the namespace a query reads")
        database = self.database(namespace)
        if database is None:
            raise DestinationError(f"{self.where}: namespace {namespace} has no database yet")
        return database.query(sql)

    def table_names(self, include_internal: bool = False) -> list[str]:
        return sorted({name for _, database in self._present() for name in database.table_names(include_internal)})

    def data_tables(self, schemas: Collection[str]) -> list[TableName]:
        found = []
        for schema in schemas:
            database = self.database(schema)
            if database is not None:
                found.extend(database.data_tables([schema]))
        return sorted(found)

    def close(self) -> None:
        for database in self._databases.values():
            database.close()
        self._databases.clear()
        if self._server is not None:
            self._server.close()
            self._server = None
