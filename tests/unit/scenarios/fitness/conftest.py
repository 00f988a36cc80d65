"""Session fixtures for the rule tests: windows of the fitness chain, generated once per session."""

from __future__ import annotations

from datetime import date

import pyarrow as pa
import pytest

from emitter.config import load_config
from emitter.scenarios import open_scenario

from .fitness_data import DAY, DEMO_DAY, PAYMENTS, generated


@pytest.fixture(scope="session")
def small_week() -> dict[str, pa.Table]:
    return generated("small", DEMO_DAY, 7)[1]


@pytest.fixture(scope="session")
def full_fortnight() -> dict[str, pa.Table]:
    """Two weeks of the full-scale chain: enough rows to find every kind of row a breach needs."""
    return generated("full-scale", DEMO_DAY, 14)[1]


@pytest.fixture(scope="session")
def year_of_payments() -> dict[str, pa.Table]:
    """A year of payments at full scale: more charges than the method rule needs to judge shares."""
    config = load_config(None, {"scenario": "fitness", "preset": "full-scale"}, {})
    sc = open_scenario(config)
    span = [date(2024, 1, 1) + i * DAY for i in range(365)]
    by_day = dict(sc.days(span, [PAYMENTS]))
    return {**sc.reference(), PAYMENTS: pa.concat_tables([by_day[d][PAYMENTS] for d in span])}
