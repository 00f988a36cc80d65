"""Retail stores and their supply chain (seed 002)."""

from emitter.scenarios.retail.scenario import RetailScenario
from emitter.scenarios.retail.settings import RetailSettings

__all__ = ["RetailScenario", "RetailSettings"]
