"""Fashion settings: the seed's row counts over its two-year window, and the shares that shape them.

Every count of a per-day table is what the window ``start``..``until`` holds in expectation; a day gets its
share of it through the fashion calendar's demand curve, and days past the window go on at the same pace.
"""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

from pydantic import Field, model_validator

from emitter.scenarios.contract import ScenarioSettings, SettingsGroup

MIB = 2**20


class Volume(SettingsGroup):
    """The seed's tables: master data sizes, and each per-day table's rows over the window."""

    start: date = Field(date(2024, 1, 1), description="The first day of trading; stock starts here.")
    until: date = Field(date(2025, 12, 31), description="The window the counts below are spread over.")
    stores: int = Field(94, ge=2, le=5_000, description="Shops and distribution centres (one per currency area).")
    products: int = Field(4_944, ge=50, le=500_000, description="Styles in each colour, across all collections.")
    customers: int = Field(310_000, ge=100, le=50_000_000, description="Registered customers.")
    campaigns: int = Field(600, ge=0, le=100_000, description="Marketing campaigns across the window.")
    orders: int = Field(500_000, ge=0, description="Orders in shops and online.")
    order_lines: int = Field(1_200_000, ge=0, description="Order lines: at least one per order.")
    web_sessions: int = Field(173_400, ge=0, description="Webshop visits of identified customers.")
    page_views: int = Field(1_030_000, ge=0, description="At least one per session.")
    cart_activities: int = Field(50_000, ge=0)
    search_queries: int = Field(25_000, ge=0)
    product_reviews: int = Field(15_000, ge=0)
    wishlist_items: int = Field(35_000, ge=0)
    web_analytics_events: int = Field(100_000, ge=0)
    email_marketing: int = Field(75_000, ge=0, description="Sends, opens, clicks and unsubscribes.")
    product_recommendations: int = Field(200_000, ge=0)
    ab_test_results: int = Field(30_000, ge=0, description="Sessions enrolled in an A/B test.")

    @property
    def window_days(self) -> int:
        return (self.until - self.start).days + 1

    def memory_estimate(self) -> int:
        """Peak bytes of one process building the master data and generating a day, from measured costs."""
        per_day = (self.orders + self.page_views + self.product_recommendations) // max(self.window_days, 1)
        return 200 * MIB + 700 * self.customers + 900 * self.products + 3_000 * per_day

    @model_validator(mode="after")
    def _consistent(self) -> Volume:
        if not self.start < self.until:
            raise ValueError("until must be after start")
        if self.order_lines < self.orders:
            raise ValueError("order_lines must be at least orders: every order has a line")
        if self.page_views < self.web_sessions:
            raise ValueError("page_views must be at least web_sessions: every session views a page")
        return self


class Shares(SettingsGroup):
    """Mixes the seed names or fashion retail shows; each holds within a point on a large sample."""

    conversion: float = Field(0.12, ge=0.0, le=1.0, description="Web sessions that place an order.")
    online_return_rate: float = Field(0.30, ge=0.0, le=0.9, description="Online order lines sent back.")
    store_return_rate: float = Field(0.08, ge=0.0, le=0.9, description="Shop order lines brought back.")
    size_returns: float = Field(0.60, ge=0.0, le=1.0, description="Returns because of the size.")
    damaged_returns: float = Field(0.04, ge=0.0, le=1.0, description="Returns too damaged to restock.")
    marketing_opt_in: float = Field(0.55, ge=0.0, le=1.0, description="Customers who accept campaign email.")
    email_open: float = Field(0.24, ge=0.0, le=1.0, description="Sent campaign emails that are opened.")
    email_click: float = Field(0.15, ge=0.0, le=1.0, description="Opened emails that are clicked.")
    recommendation_click: float = Field(0.08, ge=0.0, le=1.0, description="Recommendations clicked.")


class FashionSettings(ScenarioSettings):
    volume: Volume = Volume()
    shares: Shares = Shares()

    PRESETS: ClassVar[dict[str, dict[str, Any]]] = {
        # a few shops, a small catalogue and the seed's traffic at a fiftieth, trading from November 2024 so that
        # a few days in January hold the sales, returns of Christmas orders and reviews
        "small": {
            "volume": {
                "start": "2024-11-01",
                "until": "2025-02-28",
                "stores": 12,
                "products": 400,
                "customers": 4_000,
                "campaigns": 40,
                "orders": 1_600,
                "order_lines": 3_840,
                "web_sessions": 6_000,
                "page_views": 35_640,
                "cart_activities": 1_730,
                "search_queries": 865,
                "product_reviews": 520,
                "wishlist_items": 1_210,
                "web_analytics_events": 3_460,
                "email_marketing": 2_600,
                "product_recommendations": 6_920,
                "ab_test_results": 1_040,
            }
        },
        "demo": {},
    }
    SCALABLE: ClassVar[tuple[str, ...]] = (
        "volume.customers",
        "volume.orders",
        "volume.order_lines",
        "volume.web_sessions",
        "volume.page_views",
        "volume.cart_activities",
        "volume.search_queries",
        "volume.product_reviews",
        "volume.wishlist_items",
        "volume.web_analytics_events",
        "volume.email_marketing",
        "volume.product_recommendations",
        "volume.ab_test_results",
    )
    FLAGS: ClassVar[dict[str, str]] = {
        "customers": "volume.customers",
        "products": "volume.products",
        "stores": "volume.stores",
    }
