"""Warehouse destinations for the sink and for ``emitter load``: DuckDB, PostgreSQL and ClickHouse.

``open_destination(url)`` picks one by URL scheme:

- ``duckdb:///relative/path.duckdb``, ``duckdb:////absolute/path.duckdb``, ``duckdb:///:memory:``
- ``postgresql://user[:password]@host[:port]/database[?schema=name]`` (``postgres://`` too)
- ``postgresql://user@host:port/{namespace}``: a database per namespace (``bank_{namespace}`` too), each
  created when first written; ``scope`` says which namespaces it holds (see ``namespace_url``)
- ``clickhouse+local:///relative/dir``, ``clickhouse+local:////absolute/dir``, ``clickhouse+local:///:memory:``
  (chdb, in-process) and ``clickhouse://user[:password]@host[:8123]/database`` (a server)
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from emitter.sink.destinations.errors import (
    DestinationConnectionError,
    DestinationError,
    DestinationURLError,
    SchemaEvolutionError,
    StaleOffsetsError,
)
from emitter.sink.destinations.interface import Capabilities, Destination
from emitter.sink.destinations.namespace_url import NamespaceScope, is_template
from emitter.sink.destinations.tables import (
    DEAD_LETTER_SCHEMA,
    DEAD_LETTERS,
    LOADED_FILES,
    META_FIELDS,
    OFFSETS,
    TableName,
)
from emitter.urls import masked

__all__ = [
    "DEAD_LETTERS",
    "DEAD_LETTER_SCHEMA",
    "LOADED_FILES",
    "META_FIELDS",
    "OFFSETS",
    "Capabilities",
    "Destination",
    "DestinationConnectionError",
    "DestinationError",
    "DestinationURLError",
    "NamespaceScope",
    "SchemaEvolutionError",
    "StaleOffsetsError",
    "TableName",
    "open_destination",
    "shown",
]

EXAMPLES = (
    "duckdb:///warehouse.duckdb, postgresql://user@localhost:5432/db or, a database per namespace, "
    "postgresql://user@localhost:5432/{namespace}, clickhouse+local:///warehouse.chdb or "
    "clickhouse://default@localhost:8123/default"
)


def _duckdb(url: str) -> Destination:
    from emitter.sink.destinations.duckdb import DuckDBDestination

    return DuckDBDestination.from_url(url)


def _clickhouse(url: str) -> Destination:
    from emitter.sink.destinations.clickhouse import ClickHouseDestination

    return ClickHouseDestination.from_url(url)


def _postgres(url: str) -> Destination:
    from emitter.sink.destinations.postgres import PostgresDestination

    return PostgresDestination.from_url(url)


_OPENERS: dict[str, Callable[[str], Destination]] = {
    "duckdb": _duckdb,
    "postgresql": _postgres,
    "postgres": _postgres,
    "clickhouse": _clickhouse,
    "clickhouse+local": _clickhouse,
}


def shown(url: str) -> str:
    """``url`` as a summary shows it: secrets masked, and a local file's resolved path beside a relative URL."""
    from emitter.sink.destinations import clickhouse_client, duckdb

    for scheme, memory in ((duckdb.SCHEME, duckdb.MEMORY), (clickhouse_client.LOCAL_SCHEME, clickhouse_client.MEMORY)):
        path = url[len(scheme) :] if url.startswith(scheme) else memory
        if path not in ("", memory) and not Path(path).expanduser().is_absolute():
            return f"{masked(url)} ({Path(path).resolve()})"
    return masked(url)


def open_destination(url: str, scope: NamespaceScope | None = None) -> Destination:
    """Open the destination ``url`` names (its bookkeeping tables are created if missing).

    Args:
        scope: for a database per namespace, the namespaces it holds and the namespace of each topic's
            table (``emitter.sink.warehouse_scope`` makes it from a scenario); one database ignores it.

    Raises:
        DestinationURLError: the URL is malformed or its scheme unknown.
        DestinationConnectionError: the database can't be opened or reached.
    """
    scheme, sep, _ = url.strip().partition(":")
    opener = _OPENERS.get(scheme.lower()) if sep else None
    if opener is None:
        raise DestinationURLError(f"{masked(url)!r}: not a destination URL; use {EXAMPLES}")
    if is_template(url):
        from emitter.sink.destinations.per_namespace import DatabasePerNamespace

        return DatabasePerNamespace.from_url(url.strip(), scope)
    return opener(url.strip())
