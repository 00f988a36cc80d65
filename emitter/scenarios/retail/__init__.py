"""Retail stores and their supply chain."""

from emitter.scenarios.retail.scenario import FACT_TABLES, MASTER_TABLES, RetailScenario

__all__ = ["FACT_TABLES", "MASTER_TABLES", "RetailScenario"]
