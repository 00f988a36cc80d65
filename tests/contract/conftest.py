"""The contract suite runs for every registered scenario, built-in or test-only.

Test-only scenarios live in ``tests/contract/domains/<name>/`` (a package whose ``scenario`` module holds
one Scenario subclass); they are registered here, so a new one needs no edit outside its own folder.
Each scenario runs on its ``small`` preset, on a few days starting at its demo day.
"""

from __future__ import annotations

import importlib
import inspect
import json
import pkgutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pyarrow as pa
import pytest

from emitter.avro.schemas import is_json
from emitter.config import Config, load_config
from emitter.scenarios import Catalog, Scenario, open_scenario, register, scenario_class, scenario_names
from emitter.sink.destinations import Destination
from emitter.sink.destinations.types import same_sql_type

from . import domains

DAYS = 3  # consecutive days generated per scenario: enough for state to carry over twice


def _register_test_domains() -> list[str]:
    names = []
    for module in pkgutil.iter_modules(domains.__path__):
        found = importlib.import_module(f"{domains.__name__}.{module.name}.scenario")
        for _, cls in inspect.getmembers(found, inspect.isclass):
            if issubclass(cls, Scenario) and cls is not Scenario and cls.__module__ == found.__name__:
                names.append(register(cls))
    return names


TEST_DOMAINS = _register_test_domains()
SCENARIOS = scenario_names()


@dataclass
class Generated:
    """One scenario on its small preset: reference tables and ``DAYS`` consecutive days, by table id."""

    name: str
    config: Config
    scenario: Scenario[Any]
    days: list[date]
    reference: dict[str, pa.Table]
    by_day: dict[date, dict[str, pa.Table]]

    @property
    def catalog(self) -> Catalog:
        return self.scenario.catalog()

    def tables(self) -> dict[str, pa.Table]:
        """Reference tables plus every day's per-day tables, concatenated in day order."""
        out = dict(self.reference)
        for table in self.catalog.per_day:
            out[table.id] = pa.concat_tables([self.by_day[d][table.id] for d in self.days])
        return out


def small_config(name: str, **overrides: Any) -> Config:
    return load_config(None, {"scenario": name, "preset": "small", **overrides}, {})


def first_day(name: str) -> date:
    """The scenario's own demo day: a day it has events on, chosen by the scenario, not by the suite."""
    return scenario_class(name).demo.start.date()


def generate(name: str, **overrides: Any) -> Generated:
    config = small_config(name, **overrides)
    scenario = open_scenario(config)
    days = [first_day(name) + timedelta(days=i) for i in range(DAYS)]
    by_day = dict(scenario.days(days, None))
    return Generated(name, config, scenario, days, scenario.reference(), by_day)


@pytest.fixture(scope="session", params=SCENARIOS)
def scenario_name(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    return name


@pytest.fixture(scope="session")
def generated(scenario_name: str) -> Generated:
    return generate(scenario_name)


@pytest.fixture(scope="session")
def make_generated() -> Callable[..., Generated]:
    return generate


def check_json_columns(
    warehouse: Destination, catalog: Catalog, expected: Mapping[str, pa.Table], where: str = ""
) -> None:
    """Each JSON column of the ``expected`` tables (by id) has the warehouse's JSON type and holds their documents.

    Documents are compared parsed (PostgreSQL's jsonb rewrites spacing and key order); ``where`` filters the
    warehouse rows.
    """
    for spec in catalog.tables:
        marked = [f.name for f in catalog.arrow(spec) if is_json(f)]
        if spec.id not in expected or not marked:
            continue
        found = warehouse.query(
            "SELECT column_name, data_type FROM information_schema.columns "
            f"WHERE table_schema = '{spec.namespace}' AND table_name = '{spec.name}'"
        )
        types = dict(zip(found.column("column_name").to_pylist(), found.column("data_type").to_pylist(), strict=True))
        for name in marked:
            assert same_sql_type(types[name], warehouse.capabilities.types.json), f"{spec.id}.{name} is {types[name]}"
            rows = warehouse.query(f'SELECT "{name}" FROM "{spec.namespace}"."{spec.name}" {where}').column(0)
            assert _documents(rows.to_pylist()) == _documents(expected[spec.id].column(name).to_pylist()), spec.id


def _documents(values: list[str | None]) -> list[str]:
    """JSON values parsed and written one way, sorted; SQL nulls stay apart from the JSON null."""
    return sorted("<NULL>" if v is None else json.dumps(json.loads(v), sort_keys=True) for v in values)
