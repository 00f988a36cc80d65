"""Session fixtures: the small RetailScenario (the suite's ``small_config``) with cached days."""

from __future__ import annotations

import pyarrow as pa
import pytest
from support import small_config as make_small_config

from emitter.config import Config
from emitter.scenarios import open_scenario

from .retail_data import VARIED, RetailRun


@pytest.fixture(scope="session")
def retail(small_config: Config) -> RetailRun:
    return RetailRun(small_config)


@pytest.fixture(scope="session")
def varied() -> RetailRun:
    """The small world with all-night stores, stores at a rate with frequent half cents, more shoppers (``VARIED``)."""
    return RetailRun(make_small_config(VARIED))


@pytest.fixture(scope="session")
def big_master() -> dict[str, pa.Table]:
    """Reference tables with 100k customers: large enough to measure shares to a tenth of a point."""
    return open_scenario(make_small_config({"volume": {"customers": 100_000}})).reference()
