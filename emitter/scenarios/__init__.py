"""Scenarios: one package per business domain, each behind the contract in ``contract.py``."""

from emitter.scenarios.contract import DayTables, DemoSpec, Scenario, ScenarioSettings
from emitter.scenarios.registry import open_scenario, reference_of, register, scenario_class, scenario_names
from emitter.scenarios.rules import RuleResult
from emitter.scenarios.tables import Catalog, ForeignKey, TableKind, TableSpec

__all__ = [
    "Catalog",
    "DayTables",
    "DemoSpec",
    "ForeignKey",
    "RuleResult",
    "Scenario",
    "ScenarioSettings",
    "TableKind",
    "TableSpec",
    "open_scenario",
    "reference_of",
    "register",
    "scenario_class",
    "scenario_names",
]
