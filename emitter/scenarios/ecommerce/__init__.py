"""A web shop: shoppers, sessions and clickstream, orders, stock and reviews (seed 001)."""

from emitter.scenarios.ecommerce.scenario import EcommerceScenario
from emitter.scenarios.ecommerce.settings import EcommerceSettings

__all__ = ["EcommerceScenario", "EcommerceSettings"]
