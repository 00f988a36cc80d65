"""Reach ClickHouse through one client, clickhouse-connect, whichever the engine: chdb in-process or a server.

clickhouse-connect drives chdb's embedded engine behind the same client as a server over HTTP, so both
URLs run one code path (the same SQL, the same Arrow insert and read); chdb's tests cover the server's.
Values are inlined as escaped literals: no parameter binding differs between the two.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import pyarrow as pa

from emitter.errors import first_line
from emitter.sink.destinations.errors import DestinationConnectionError, DestinationURLError
from emitter.urls import masked

LOCAL_SCHEME = "clickhouse+local:///"
SERVER_SCHEME = "clickhouse"
MEMORY = ":memory:"
DEFAULT_DATABASE = "default"
HTTP_PORT = 8123
CONNECT_TIMEOUT_S = 10
USAGE = (
    "a ClickHouse URL is clickhouse+local:///relative/dir, clickhouse+local:////absolute/dir, "
    "clickhouse+local:///:memory: (chdb, in-process) or clickhouse://user@host:8123/database (a server)"
)
# strings come back as Arrow strings rather than binary
READ_SETTINGS = {"output_format_arrow_string_as_string": 1}


# statements that answer with rows; the rest (INSERT, DELETE, ALTER, CREATE ...) answer with none
_READING = ("SELECT", "WITH", "SHOW", "DESCRIBE", "DESC", "EXPLAIN", "EXISTS", "(")


def returns_rows(sql: str) -> bool:
    """Whether ``sql`` (a single statement, perhaps after ``--`` comments) is a query that returns rows."""
    lines = [line for line in sql.strip().splitlines() if not line.strip().startswith("--")]
    return " ".join(lines).lstrip().upper().startswith(_READING)


def literal(value: Any) -> str:
    """``value`` as a ClickHouse SQL literal: a quoted, escaped string, a number, NULL or an array."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | Decimal):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    if isinstance(value, dt.datetime):
        value = value.isoformat(sep=" ")
    elif isinstance(value, dt.date):
        value = value.isoformat()
    text = str(value).replace("\\", "\\\\").replace("'", "\\'")
    return f"'{text}'"


def literals(values: Sequence[Any]) -> str:
    """``values`` as the inside of ``IN (...)``."""
    return ", ".join(literal(v) for v in values)


def arrow_result(data: bytes) -> pa.Table:
    """An ``ArrowStream`` response as a table; a statement without a result answers nothing.

    ClickHouse's String holds any bytes: a column of them that is not all UTF-8 (a dead letter's raw
    message) comes back as binary rather than as text no reader could decode.
    """
    if not data:
        return pa.table({})
    table = pa.ipc.open_stream(pa.BufferReader(data)).read_all()
    for index, field in enumerate(table.schema):
        if pa.types.is_string(field.type) and not _utf8(table.column(index)):
            table = table.set_column(index, field.with_type(pa.binary()), table.column(index).cast(pa.binary()))
    return table


def _utf8(column: pa.ChunkedArray) -> bool:
    try:
        column.validate(full=True)
    except pa.ArrowInvalid:
        return False
    return True


def driver_errors() -> tuple[type[Exception], ...]:
    from clickhouse_connect.driver.exceptions import Error

    return (Error,)


def _import_client() -> Any:
    try:
        import clickhouse_connect
    except ImportError as exc:
        raise DestinationConnectionError(
            "ClickHouse needs clickhouse-connect (and chdb for clickhouse+local://): pip install 'emitter[clickhouse]'"
        ) from exc
    return clickhouse_connect


def connect(url: str) -> tuple[Any, str]:
    """A clickhouse-connect client for ``url`` and the database emitter's bookkeeping goes to.

    Raises:
        DestinationURLError: not a ClickHouse URL.
        DestinationConnectionError: the package is missing, or the engine can't be opened or reached.
    """
    where = masked(url)
    if url.startswith(LOCAL_SCHEME) and len(url) > len(LOCAL_SCHEME):
        return _local(url[len(LOCAL_SCHEME) :], where), DEFAULT_DATABASE
    parts = urlsplit(url)
    if parts.scheme != SERVER_SCHEME or not parts.hostname:
        raise DestinationURLError(f"{where!r}: {USAGE}")
    database = unquote(parts.path.lstrip("/")) or DEFAULT_DATABASE
    options = dict(parse_qsl(parts.query))
    clickhouse_connect = _import_client()
    try:
        client = clickhouse_connect.get_client(
            host=parts.hostname,
            port=parts.port or HTTP_PORT,
            username=unquote(parts.username or "default"),
            password=unquote(parts.password or ""),
            database=database,
            secure=options.get("secure", "").lower() in ("1", "true"),
            connect_timeout=CONNECT_TIMEOUT_S,
        )
    except driver_errors() as exc:
        raise DestinationConnectionError(
            f"{where}: can't connect to ClickHouse ({first_line(exc)}); check that the server runs and that "
            "host, HTTP port (8123), user, password and database in the URL are right"
        ) from exc
    return client, database


def _local(path: str, where: str) -> Any:
    """chdb's engine over a directory (or memory); chdb holds one directory per process at a time."""
    clickhouse_connect = _import_client()
    if path != MEMORY:
        directory = Path(path).expanduser()
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DestinationConnectionError(
                f"{where}: can't create {directory} ({exc.strerror}); choose a writable directory"
            ) from exc
        path = str(directory.resolve())
    try:
        return clickhouse_connect.get_client(interface="chdb", path=path)
    except ImportError as exc:
        raise DestinationConnectionError(f"{where}: chdb is not installed; pip install 'emitter[clickhouse]'") from exc
    except driver_errors() as exc:
        raise DestinationConnectionError(
            f"{where}: can't open chdb at {path} ({first_line(exc)}); chdb opens one directory per process, "
            "so close the destination on another directory first"
        ) from exc
