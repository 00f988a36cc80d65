"""Real destinations for the contract suite: DuckDB in a file under tmp_path, and PostgreSQL.

PostgreSQL is found as tests/conftest.py says; without a server the PostgreSQL half of the suite is
skipped, saying why. Each test gets a database of its own, dropped afterwards, so tests never see each
other's tables (data tables go to one schema per namespace, ``retail``, bookkeeping to ``public``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date

import pyarrow as pa
import pytest

from emitter.config import Config
from emitter.scenarios import open_scenario
from emitter.sink.destinations import Destination, open_destination

DAY = date(2024, 3, 15)


@pytest.fixture
def destination(destination_url: str) -> Iterator[Destination]:
    with open_destination(destination_url) as opened:
        yield opened


@pytest.fixture(scope="session")
def retail_day(small_config: Config) -> dict[str, pa.Table]:
    """Every retail table for one small day: reference tables and that day's per-day tables."""
    scenario = open_scenario(small_config)
    ((_, day),) = list(scenario.days([DAY], None))
    return {**scenario.reference(), **day}


@pytest.fixture
def forbid_nulls(destination: Destination) -> Callable[[str, str], None]:
    """Make ``table.column`` refuse NULL, so a batch holding one fails inside the database.

    ClickHouse turns a NULL sent to a non-Nullable column into the type's default, so a CHECK constraint
    refuses it there.
    """

    def forbid(table: str, column: str) -> None:
        if destination.capabilities.name == "ClickHouse":
            destination.query(f"ALTER TABLE {table} ADD CONSTRAINT {column}_not_null CHECK {column} IS NOT NULL")
        else:
            destination.query(f"ALTER TABLE {table} ALTER COLUMN {column} SET NOT NULL")

    return forbid
