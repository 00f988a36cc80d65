"""Small generated worlds for the report's tests: two days of each built-in scenario, made in memory."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pyarrow as pa
import pytest

from emitter.config import load_config
from emitter.scenarios import Scenario, open_scenario, scenario_class


def generated(name: str, days: int = 2) -> tuple[Scenario[Any], dict[str, pa.Table]]:
    """The scenario on its small preset and its tables over ``days`` days from its demo day."""
    scenario = open_scenario(load_config(None, {"scenario": name, "preset": "small"}, {}))
    first = scenario_class(name).demo.start.date()
    by_day = dict(scenario.days([first + timedelta(days=i) for i in range(days)], None))
    tables = dict(scenario.reference())
    for spec in scenario.catalog().per_day:
        tables[spec.id] = pa.concat_tables([by_day[d][spec.id] for d in sorted(by_day)])
    return scenario, tables


@pytest.fixture(scope="module")
def retail() -> tuple[Scenario[Any], dict[str, pa.Table]]:
    return generated("retail")
