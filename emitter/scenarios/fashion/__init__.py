"""The fashion scenario: a European fashion retailer's ERP and webshop, with ClickHouse as its warehouse (seed 004)."""

from emitter.scenarios.fashion.scenario import FashionScenario

__all__ = ["FashionScenario"]
