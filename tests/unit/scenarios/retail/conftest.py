"""Session fixtures: a small RetailScenario (see retail_data.SMALL_VOLUME) with cached days of facts."""

from __future__ import annotations

import pyarrow as pa
import pytest

from emitter.config import Config
from emitter.scenarios.retail import RetailScenario

from .retail_data import RetailRun, make_config


@pytest.fixture(scope="session")
def small_config() -> Config:
    return make_config()


@pytest.fixture(scope="session")
def retail(small_config: Config) -> RetailRun:
    return RetailRun(small_config)


@pytest.fixture(scope="session")
def big_master() -> dict[str, pa.Table]:
    """Master data with 100k customers: large enough to measure shares to a tenth of a point."""
    return RetailScenario(make_config({"customers": 100_000})).master()
