"""Retail's settings: the size of the business and the mixes it reproduces (its section of config.json)."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import Field, model_validator

from emitter.scenarios.contract import ScenarioSettings, SettingsGroup

MIB = 2**20


class Volume(SettingsGroup):
    """How big the simulated business is; every fact volume scales from these."""

    stores: int = Field(250, ge=1, le=20_000)
    dcs: int = Field(12, ge=1, le=500)
    trucks_per_store: int = Field(
        2, ge=2, le=10, description="Fleet of a DC per store it serves; trips alternate between trucks."
    )
    products: int = Field(1_000, ge=10, le=200_000)
    customers: int = Field(100_000, ge=100, le=50_000_000)
    geographies: int = Field(60, ge=1, le=10_000)
    customers_per_day: int = Field(
        20_000, ge=0, le=5_000_000, description="Loyalty-member store visits on an average day."
    )
    items_per_ticket_mean: float = Field(4.2, ge=1.0, le=50.0)
    online_orders_per_day: int = Field(2_500, ge=0, le=2_000_000)
    marketing_impressions_per_day: int = Field(50_000, ge=0, le=50_000_000)

    def memory_estimate(self) -> int:
        """Peak bytes of one process building the world and generating a day, from measured costs per unit."""
        world = 150 * MIB + 320 * self.customers + 25 * self.stores * self.products
        day = (
            45 * self.stores * self.products  # stock and reorder state per store × product
            + 2_800 * self.customers_per_day  # a visit: its path of stops, pings, basket, receipt
            + 5_400 * self.online_orders_per_day  # an order is drawn on every day of its lookback
            + 420 * self.marketing_impressions_per_day
        )
        return world + day

    @model_validator(mode="after")
    def _dcs_fit(self) -> Volume:
        if self.dcs > self.stores:
            raise ValueError("dcs must not exceed stores")
        return self


class Shares(SettingsGroup):
    """Mixes that generated data reproduces (within ±1 point on large samples)."""

    tender: dict[str, float] = Field(
        default_factory=lambda: {
            "CREDIT_CARD": 0.42,
            "DEBIT_CARD": 0.28,
            "CASH": 0.14,
            "MOBILE_PAY": 0.12,
            "GIFT_CARD": 0.04,
        }
    )
    segment: dict[str, float] = Field(
        default_factory=lambda: {
            "BUDGET_CONSCIOUS": 0.35,
            "CONVENIENCE_FOCUSED": 0.30,
            "QUALITY_SEEKER": 0.20,
            "BRAND_LOYAL": 0.15,
        }
    )
    store_24h: float = Field(0.08, ge=0.0, le=1.0, description="Share of stores open around the clock.")
    pickup_in_store: float = Field(0.3, ge=0.0, le=1.0, description="Share of online orders picked up in store.")

    @model_validator(mode="after")
    def _sum_to_one(self) -> Shares:
        for name in ("tender", "segment"):
            mix: dict[str, float] = getattr(self, name)
            if not mix or any(v < 0 for v in mix.values()) or abs(sum(mix.values()) - 1.0) > 1e-6:
                raise ValueError(f"{name} shares must be non-negative and sum to 1")
        return self


class RetailSettings(ScenarioSettings):
    volume: Volume = Volume()
    shares: Shares = Shares()

    PRESETS: ClassVar[dict[str, dict[str, Any]]] = {
        # a network that builds in a fraction of a second: quick tries and the test suite
        "small": {
            "volume": {
                "stores": 12,
                "dcs": 2,
                "products": 200,
                "customers": 3000,
                "geographies": 10,
                "customers_per_day": 2000,
                "online_orders_per_day": 200,
                "marketing_impressions_per_day": 2000,
            }
        },
        # the seed's largest network: 1,000 stores and 100,000 member visits a day
        "full-scale": {
            "volume": {
                "stores": 1000,
                "dcs": 40,
                "customers": 400_000,
                "customers_per_day": 100_000,
                "online_orders_per_day": 10_000,
                "marketing_impressions_per_day": 200_000,
            }
        },
    }
    # geographies and products are catalogues of fixed size; the network and its traffic scale
    SCALABLE: ClassVar[tuple[str, ...]] = (
        "volume.stores",
        "volume.dcs",
        "volume.customers",
        "volume.customers_per_day",
        "volume.online_orders_per_day",
        "volume.marketing_impressions_per_day",
    )
