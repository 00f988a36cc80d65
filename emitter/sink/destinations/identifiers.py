"""Names a destination refuses before any statement: empty, holding NUL, too long, or emitter's own."""

from __future__ import annotations

from collections.abc import Sequence

from emitter.sink.destinations.errors import DestinationError
from emitter.sink.destinations.interface import Capabilities
from emitter.sink.destinations.tables import INTERNAL_PREFIX, TableName


def check_identifier(where: str, capabilities: Capabilities, name: str, what: str) -> None:
    size = len(name.encode())
    if not name or "\x00" in name:
        raise DestinationError(f"{where}: {what} name {name!r} is empty or holds a NUL character")
    if size > capabilities.max_identifier_length:
        raise DestinationError(
            f"{where}: {what} name {name!r} is {size} bytes, {capabilities.name} allows "
            f"{capabilities.max_identifier_length}; use a shorter name"
        )


def check_data_table(where: str, capabilities: Capabilities, table: TableName, columns: Sequence[str]) -> None:
    check_identifier(where, capabilities, table.schema, "schema")
    check_identifier(where, capabilities, table.name, "table")
    if table.name.lower().startswith(INTERNAL_PREFIX):
        raise DestinationError(f"{where}: table names starting with {INTERNAL_PREFIX} are emitter's own")
    for column in columns:
        check_identifier(where, capabilities, column, f"{table} column")
