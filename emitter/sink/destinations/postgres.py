"""PostgreSQL: batches stream in through ``COPY … FROM STDIN`` (CSV written by Arrow), in one transaction."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, ClassVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import psycopg
import pyarrow as pa
from psycopg.copy import QueuedLibpqWriter
from psycopg.types.string import TextLoader

from emitter.sink.destinations.base import SqlDestination
from emitter.sink.destinations.errors import DestinationConnectionError, DestinationURLError
from emitter.sink.destinations.interface import Capabilities, quote
from emitter.sink.destinations.types import POSTGRES_TYPES
from emitter.urls import masked

SCHEMES = ("postgresql", "postgres")
CONNECT_TIMEOUT_S = 10

# result column type OID → Arrow type; numeric takes its precision and scale from the result
_RESULT_TYPES: dict[int, pa.DataType] = {
    16: pa.bool_(),
    17: pa.binary(),
    19: pa.string(),
    20: pa.int64(),
    21: pa.int16(),
    23: pa.int32(),
    25: pa.string(),
    114: pa.string(),  # json and jsonb come back as their text (see _JSON_TYPES), as DuckDB returns JSON
    700: pa.float32(),
    701: pa.float64(),
    1042: pa.string(),
    1043: pa.string(),
    1082: pa.date32(),
    1114: pa.timestamp("us"),
    1184: pa.timestamp("us", tz="UTC"),
    3802: pa.string(),
}
# loaded as text, not parsed into Python objects: documents of any shape fit one Arrow string column
_JSON_TYPES = ("json", "jsonb")
_NUMERIC = 1700
# One advisory lock per database for emitter's DDL ("emitter" in ASCII), held until the transaction ends
_DDL_LOCK = "SELECT pg_advisory_xact_lock(28549272340555122)"


def parse_url(url: str) -> tuple[str, str]:
    """``postgresql://user@host:port/db?schema=name`` → (libpq connection URL, schema)."""
    parts = urlsplit(url)
    if parts.scheme not in SCHEMES:
        raise DestinationURLError(
            f"{masked(url)!r}: a PostgreSQL URL is postgresql://user[:password]@host[:port]/database[?schema=name]"
        )
    params = parse_qsl(parts.query, keep_blank_values=True)
    schemas = [value for key, value in params if key == "schema"]
    schema = schemas[-1] if schemas else "public"
    if not schema:
        raise DestinationURLError(f"{masked(url)!r}: ?schema= is empty; give a schema name or leave it out")
    rest = urlencode([(key, value) for key, value in params if key != "schema"])
    return urlunsplit(parts._replace(query=rest)), schema


def message(exc: BaseException | str) -> str:
    return "; ".join(line.strip() for line in str(exc).strip().splitlines() if line.strip())


class PostgresDestination(SqlDestination):
    """One PostgreSQL schema (``public`` unless ``?schema=`` names another, created if missing)."""

    capabilities: ClassVar[Capabilities] = Capabilities(
        name="PostgreSQL",
        bulk_load="copy",
        max_identifier_length=63,
        placeholder="%s",
        supports_row_locks=True,
        types=POSTGRES_TYPES,
        ddl_lock=_DDL_LOCK,
    )
    driver_errors: ClassVar[tuple[type[Exception], ...]] = (psycopg.Error,)
    lock_timeout_s: ClassVar[float] = 30.0

    def __init__(self, conninfo: str, schema: str = "public", where: str | None = None) -> None:
        where = where or masked(conninfo)
        super().__init__(where, schema=schema)
        self._check_identifier(schema, "schema")
        try:
            self._conn: psycopg.Connection[tuple[Any, ...]] | None = psycopg.connect(
                conninfo, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S
            )
        except psycopg.Error as exc:
            raise DestinationConnectionError(
                f"{where}: can't connect to PostgreSQL ({message(exc)}); check that the server runs and "
                "that host, port, user, password and database in the URL are right"
            ) from exc
        for name in _JSON_TYPES:
            self._conn.adapters.register_loader(name, TextLoader)
        try:
            self._conn.execute("SET TIME ZONE 'UTC'")
            # a paused or stuck session holding a lock we need (the DDL lock, a partition's offset row)
            # must stop this one with a message, not hold it forever
            self._conn.execute(f"SET lock_timeout = '{int(self.lock_timeout_s * 1000)}ms'")
            if self._conn.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", [schema]).fetchone() is None:
                with self._conn.transaction():  # two sessions creating one schema collide without the lock
                    self._conn.execute(_DDL_LOCK)
                    self._conn.execute(f"CREATE SCHEMA IF NOT EXISTS {quote(schema)}")
            self._conn.execute(f"SET search_path TO {quote(schema)}, public")
        except psycopg.Error as exc:
            self._conn.close()
            raise DestinationConnectionError(
                f"{where}: can't use schema {schema!r} ({message(exc)}); create it and grant this user "
                "USAGE and CREATE on it, or pick another with ?schema="
            ) from exc
        self._setup()

    @classmethod
    def from_url(cls, url: str) -> PostgresDestination:
        conninfo, schema = parse_url(url)
        return cls(conninfo, schema, where=masked(url))

    @property
    def connection(self) -> psycopg.Connection[tuple[Any, ...]]:
        if self._conn is None:
            raise DestinationConnectionError(f"{self.where}: the destination is closed")
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    @contextmanager
    def _begin(self) -> Iterator[None]:
        with self.connection.transaction():
            yield

    def _explain(self, exc: Exception) -> str:
        if isinstance(exc, psycopg.errors.LockNotAvailable):
            return (
                f"another session has held a lock it needs for {self.lock_timeout_s:g}s (a paused or stuck "
                "`emitter sink` or `load` on this database?); stop it, or run again once it is done"
            )
        if isinstance(exc, psycopg.errors.DataError) and exc.diag.context:
            # a value the column's type refuses (e.g. text that is not JSON): say which row and column
            detail = f" ({exc.diag.message_detail.strip()})" if exc.diag.message_detail else ""
            return f"{super()._explain(exc)}{detail} at {message(exc.diag.context)}"
        return super()._explain(exc)

    def _execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        self.connection.execute(sql, list(params) or None)

    def _fetch(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return self.connection.execute(sql, list(params) or None).fetchall()

    def _catalog_columns(self, schema: str, table: str) -> dict[str, str] | None:
        found = self._fetch(
            "SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a "
            "JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %s AND c.relname = %s AND c.relkind IN ('r', 'p') "
            "AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum",
            [schema, table],
        )
        return {str(name): str(sql) for name, sql in found} or None

    def _copy(self, statement: str, chunks: Iterator[bytes]) -> None:
        # the queued writer sends on its own thread while Arrow (GIL released) encodes the next chunk
        with self.connection.cursor() as cursor, cursor.copy(statement, writer=QueuedLibpqWriter(cursor)) as copy:
            for chunk in chunks:
                copy.write(chunk)

    def _run_query(self, sql: str) -> pa.Table:
        with self.connection.cursor() as cursor:
            cursor.execute(sql)
            if cursor.description is None:
                return pa.table({})
            rows = cursor.fetchall()
            columns = list(zip(*rows, strict=True)) if rows else [()] * len(cursor.description)
            arrays = [
                pa.array(list(values), type=_result_type(column))
                for column, values in zip(cursor.description, columns, strict=True)
            ]
            return pa.Table.from_arrays(arrays, names=[column.name for column in cursor.description])


def _result_type(column: psycopg.Column) -> pa.DataType | None:
    if column.type_code == _NUMERIC:
        if column.precision is not None and column.scale is not None and column.precision <= 38:
            return pa.decimal128(column.precision, column.scale)
        return None  # unconstrained numeric (sum, avg): inferred from the values
    return _RESULT_TYPES.get(column.type_code)
