"""DuckDB: a file (or memory) database; batches go in through DuckDB's zero-copy Arrow scan."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from functools import cached_property
from pathlib import Path
from typing import Any, ClassVar

import duckdb
import pyarrow as pa

from emitter.sink.destinations.base import SqlDestination
from emitter.sink.destinations.errors import DestinationConnectionError, DestinationError, DestinationURLError
from emitter.sink.destinations.interface import Capabilities
from emitter.sink.destinations.tables import TableName
from emitter.sink.destinations.types import DUCKDB_TYPES

SCHEME = "duckdb:///"
MEMORY = ":memory:"
_VIEW = "__emitter_rows"


def path_from_url(url: str) -> str:
    """``duckdb:///rel/x.duckdb`` → ``rel/x.duckdb``; ``duckdb:////abs/x.duckdb`` → ``/abs/x.duckdb``."""
    if not url.startswith(SCHEME) or len(url) == len(SCHEME):
        raise DestinationURLError(
            f"{url!r}: a DuckDB URL is duckdb:///relative/path.duckdb, duckdb:////absolute/path.duckdb "
            "or duckdb:///:memory:"
        )
    return url[len(SCHEME) :]


class DuckDBDestination(SqlDestination):
    """A DuckDB database file, opened by one process at a time (DuckDB locks the file)."""

    capabilities: ClassVar[Capabilities] = Capabilities(
        name="DuckDB",
        bulk_load="arrow",
        max_identifier_length=1024,
        placeholder="?",
        supports_row_locks=False,
        types=DUCKDB_TYPES,
    )
    driver_errors: ClassVar[tuple[type[Exception], ...]] = (duckdb.Error,)

    def __init__(self, path: str | Path, where: str | None = None) -> None:
        target = str(path)
        where = where or SCHEME + target
        if target != MEMORY:
            file = Path(target).expanduser()
            try:
                file.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise DestinationConnectionError(
                    f"{where}: can't create {file.parent} ({exc.strerror}); choose a writable path"
                ) from exc
            target = str(file)
        try:
            self._con: duckdb.DuckDBPyConnection | None = duckdb.connect(target)
            self._con.execute("SET TimeZone = 'UTC'")
        except duckdb.Error as exc:
            raise DestinationConnectionError(
                f"{where}: can't open the DuckDB database ({str(exc).strip().splitlines()[0]}); "
                "if another process (an `emitter sink`?) has it open, stop that process or use another file"
            ) from exc
        super().__init__(where, schema="main")
        self._setup()

    @classmethod
    def from_url(cls, url: str) -> DuckDBDestination:
        return cls(path_from_url(url), where=url)

    @property
    def connection(self) -> duckdb.DuckDBPyConnection:
        if self._con is None:
            raise DestinationConnectionError(f"{self.where}: the destination is closed")
        return self._con

    def close(self) -> None:
        if self._con is not None:
            self._con.close()
            self._con = None

    @contextmanager
    def _begin(self) -> Iterator[None]:
        con = self.connection
        con.begin()
        try:
            yield
        except BaseException:
            con.rollback()
            raise
        try:
            con.commit()
        except duckdb.Error:
            with suppress(duckdb.Error):  # a failed commit may already have ended the transaction
                con.rollback()
            raise

    def _execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        self.connection.execute(sql, list(params))

    def _fetch(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return self.connection.execute(sql, list(params)).fetchall()

    def _catalog_columns(self, schema: str, table: str) -> dict[str, str] | None:
        found = self._fetch(
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_catalog = current_database() AND table_schema = ? AND table_name = ? "
            "ORDER BY ordinal_position",
            [schema, table],
        )
        return {str(name): str(sql) for name, sql in found} or None

    def _check_data_table(self, table: TableName, columns: Sequence[str]) -> None:
        super()._check_data_table(table, columns)
        # DuckDB names the database after the file: retail.duckdb holding schema retail makes
        # every `retail.<table>` ambiguous, and each load would fail with a binder error
        if table.schema.lower() == self._database.lower():
            raise DestinationError(
                f"{self.where}: DuckDB calls this database {self._database!r}, the name of schema "
                f"{table.schema}, so {table.schema}.<table> would be ambiguous; name the file otherwise, "
                "e.g. warehouse.duckdb"
            )

    @cached_property
    def _database(self) -> str:
        return str(self._fetch("SELECT current_database()")[0][0])

    def _insert_arrow(self, qualified: str, columns: str, data: pa.Table) -> None:
        con = self.connection
        con.register(_VIEW, data)
        try:
            con.execute(f"INSERT INTO {qualified} ({columns}) SELECT {columns} FROM {_VIEW}")
        finally:
            # after a failed insert the transaction is aborted and unregistering fails as well: that
            # error must not hide the insert's own (the next register replaces the view anyway)
            with suppress(duckdb.Error):
                con.unregister(_VIEW)

    def _run_query(self, sql: str) -> pa.Table:
        relation = self.connection.sql(sql)
        return pa.table({}) if relation is None else relation.to_arrow_table()
