"""Scenarios: one package per business domain, each behind the Scenario interface."""

from __future__ import annotations

from emitter.config import Config
from emitter.errors import ConfigError
from emitter.scenarios.base import Scenario

SCENARIOS = ("retail",)


def get_scenario(config: Config) -> Scenario:
    """Instantiate the scenario named in the config."""
    if config.scenario == "retail":
        from emitter.scenarios.retail import RetailScenario

        return RetailScenario(config)
    raise ConfigError(f"scenario: unknown scenario {config.scenario!r}; choose one of {', '.join(SCENARIOS)}")
