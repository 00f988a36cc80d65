"""Real destinations for the contract suite: DuckDB in a file under tmp_path, and PostgreSQL.

PostgreSQL is found in this order: ``$EMITTER_TEST_PG_DSN``; a server answering on 127.0.0.1:5432
(database ``test``, user ``root`` or ``postgres``); a testcontainers Postgres when a Docker engine
answers. Without any of them the PostgreSQL half of the suite is skipped, saying why. Each test gets
its own schema (``?schema=t_<hex>``), dropped afterwards, so tests never see each other's tables.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pyarrow as pa
import pytest

from emitter.config import SMALL_VOLUME, Config, load_config
from emitter.sink.destinations import Destination, open_destination

DAY = date(2024, 3, 15)


@pytest.fixture
def destination(destination_url: str) -> Iterator[Destination]:
    with open_destination(destination_url) as opened:
        yield opened


@pytest.fixture(scope="session")
def small_config() -> Config:
    return load_config(None, {"volume": SMALL_VOLUME}, {})


@pytest.fixture(scope="session")
def retail_day(small_config: Config) -> dict[str, pa.Table]:
    """Every retail table for one small day: master tables and that day's facts."""
    from emitter.scenarios.retail import FACT_TABLES, RetailScenario

    scenario = RetailScenario(small_config)
    ((_, facts),) = list(scenario.facts([DAY], FACT_TABLES))
    return {**scenario.master(), **facts}
