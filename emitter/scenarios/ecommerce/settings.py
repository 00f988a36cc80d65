"""E-commerce settings: the size of the shop, its funnel and its traffic mix (its section of config.json)."""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

from pydantic import Field, model_validator

from emitter.scenarios.contract import ScenarioSettings, SettingsGroup

MIB = 2**20
PEAK_DAY_TRAFFIC = 3.5  # Cyber Monday's sessions against an average day's (calendar.traffic_factor)


class Volume(SettingsGroup):
    """How big the shop is; sessions, and so clicks, orders and reviews, scale from these."""

    customers: int = Field(10_000, ge=10, le=20_000_000, description="Accounts, registering over the customer window.")
    products: int = Field(5_000, ge=50, le=2_000_000)
    sessions_per_day: int = Field(1_000, ge=0, le=5_000_000, description="Human sessions on an average day.")
    customers_from: date = Field(date(2022, 1, 1), description="The first registration.")
    customers_until: date = Field(date(2025, 12, 31), description="The last registration.")

    def memory_estimate(self) -> int:
        """Peak bytes of one process building the shop and generating its busiest day, from measured costs."""
        world = 120 * MIB + 400 * self.customers + 1_500 * self.products
        # a session with its clicks costs about 7 kB while its day is built; sale days reach 3.5x the sessions
        return world + int(7_000 * PEAK_DAY_TRAFFIC * self.sessions_per_day)

    @model_validator(mode="after")
    def _window(self) -> Volume:
        if self.customers_until < self.customers_from:
            raise ValueError("customers_until must not be before customers_from")
        return self


class Funnel(SettingsGroup):
    """Step rates of a signed-in human session; anonymous visitors can browse and fill a cart, not buy."""

    bounce: float = Field(0.42, ge=0.0, le=0.99, description="Share of sessions with a single page view.")
    add_to_cart: float = Field(0.2, ge=0.0, le=1.0, description="Non-bounce sessions that add to cart.")
    begin_checkout: float = Field(0.45, ge=0.0, le=1.0, description="Carts that reach checkout.")
    purchase: float = Field(0.6, ge=0.0, le=1.0, description="Checkouts that are paid.")
    signed_in: float = Field(0.45, ge=0.0, le=1.0, description="Human sessions of a registered customer.")
    signup_purchase: float = Field(0.35, ge=0.0, le=1.0, description="Sign-up sessions that go on to buy.")
    bots: float = Field(0.04, ge=0.0, le=0.9, description="Bot sessions, on top of the human ones, as a share.")


class OrderRates(SettingsGroup):
    """What happens to an order after it is placed."""

    payment_failed: float = Field(0.02, ge=0.0, le=1.0)
    cancelled: float = Field(0.03, ge=0.0, le=1.0, description="Paid orders the customer cancels before shipping.")
    returned: float = Field(0.08, ge=0.0, le=1.0, description="Delivered orders sent back (apparel and shoes twice).")
    reviewed: float = Field(0.12, ge=0.0, le=1.0, description="Delivered items the customer reviews.")


class EcommerceSettings(ScenarioSettings):
    volume: Volume = Volume()
    funnel: Funnel = Funnel()
    orders: OrderRates = OrderRates()

    PRESETS: ClassVar[dict[str, dict[str, Any]]] = {
        # a shop that builds in a fraction of a second: quick tries and the test suite
        "small": {"volume": {"customers": 2_000, "products": 400, "sessions_per_day": 1_500}},
    }
    # the catalogue is a fixed size; customers and their traffic scale
    SCALABLE: ClassVar[tuple[str, ...]] = ("volume.customers", "volume.sessions_per_day")
