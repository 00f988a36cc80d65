"""Banking settings: how big the bank is, who its customers are, how their accounts move (config.json section)."""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

from pydantic import Field, model_validator

from emitter.scenarios.contract import ScenarioSettings, SettingsGroup

MIB = 2**20


class Volume(SettingsGroup):
    """The seed's scale table: employees 150 and customers 1,200 at scale 1; accounts follow from the shares."""

    employees: int = Field(150, ge=1, le=5_000_000, description="Staff across the twelve departments.")
    customers: int = Field(1_200, ge=10, le=50_000_000, description="Everyone who ever became a customer.")
    customers_from: date = Field(date(2012, 1, 1), description="The first customer joins.")
    until: date = Field(
        date(2025, 12, 31), description="The last account opens; the day the master tables' statuses describe."
    )
    ledger_from: date = Field(
        date(2024, 1, 1),
        description=(
            "The first day with transactions. Older accounts carry their balance in on this day "
            "(accounts.balance); a day's balances are computed from here."
        ),
    )

    def memory_estimate(self) -> int:
        """Peak bytes of one process building the bank and generating a day, from measured costs."""
        return 160 * MIB + 1_400 * self.customers + 600 * self.employees

    @model_validator(mode="after")
    def _window(self) -> Volume:
        if not self.customers_from < self.until:
            raise ValueError("until must be after customers_from")
        if not self.customers_from <= self.ledger_from:
            raise ValueError("ledger_from must not be before customers_from")
        return self


class Shares(SettingsGroup):
    """The seed's mixes; each holds within a point on a large bank."""

    segment: dict[str, float] = Field(
        {"retail": 0.60, "premium": 0.25, "corporate": 0.10, "private": 0.05},
        description="Customer segments (customer_profiles.segment).",
    )
    account_type: dict[str, float] = Field(
        {"checking": 0.50, "savings": 0.30, "money_market": 0.15, "cd": 0.05},
        description="Account types (accounts.account_type).",
    )
    account_holders: float = Field(0.75, ge=0.0, le=1.0, description="Customers who hold an account.")
    several_accounts: float = Field(0.25, ge=0.0, le=1.0, description="Account holders with more than one.")
    linked: float = Field(0.20, ge=0.0, le=1.0, description="Accounts with a relationship (joint holder, ...).")
    two_links: float = Field(0.05, ge=0.0, le=1.0, description="Accounts with a second relationship.")
    closed: float = Field(0.08, ge=0.0, le=1.0, description="Accounts closed by `until`.")

    @model_validator(mode="after")
    def _mixes(self) -> Shares:
        for name, mix, keys in (
            ("segment", self.segment, {"retail", "premium", "corporate", "private"}),
            ("account_type", self.account_type, {"checking", "savings", "money_market", "cd"}),
        ):
            if set(mix) != keys:
                raise ValueError(f"{name} must give a share for each of {', '.join(sorted(keys))}")
            if abs(sum(mix.values()) - 1.0) > 1e-6 or min(mix.values()) < 0:
                raise ValueError(f"{name} shares must be non-negative and add up to 1")
        if self.two_links > self.linked:
            raise ValueError("two_links must not exceed linked")
        return self


class Activity(SettingsGroup):
    """How often accounts move; amounts follow each customer's income."""

    checking_per_month: float = Field(24.0, ge=0.0, le=1_000.0, description="Transactions a checking account makes.")
    savings_per_month: float = Field(4.0, ge=0.0, le=1_000.0, description="Savings and money-market transactions.")
    spending: float = Field(0.70, ge=0.5, le=0.95, description="Transactions that take money out (by count).")
    overdraft: float = Field(0.35, ge=0.0, le=1.0, description="Checking accounts with an overdraft limit.")


class Fraud(SettingsGroup):
    """Fraud incidents on checking accounts, labelled in accounts_db.fraud_labels."""

    incidents_per_1000_accounts_day: float = Field(
        0.5, ge=0.0, le=100.0, description="Incidents a day per thousand open checking accounts."
    )
    card_testing: float = Field(0.5, ge=0.0, le=1.0, description="Bursts of tiny card purchases.")
    account_takeover: float = Field(0.3, ge=0.0, le=1.0, description="A new device far away, then large transfers.")
    # the rest: impossible travel, two card-present purchases too far apart for the time between them

    @model_validator(mode="after")
    def _mix(self) -> Fraud:
        if self.card_testing + self.account_takeover > 1.0:
            raise ValueError("card_testing + account_takeover must not exceed 1")
        return self


class BankingSettings(ScenarioSettings):
    volume: Volume = Volume()
    shares: Shares = Shares()
    activity: Activity = Activity()
    fraud: Fraud = Fraud()

    # the seed's scale table: 1.0 is its base
    PRESETS: ClassVar[dict[str, dict[str, Any]]] = {
        # a young bank, opened in January 2025, whose customers all join in its first quarter, with plenty of
        # fraud: a few days of it hold openings, closings and every pattern
        "small": {
            "volume": {
                "customers": 1_000,
                "employees": 60,
                "customers_from": "2025-01-01",
                "ledger_from": "2025-01-01",
                "until": "2025-03-31",
            },
            "fraud": {"incidents_per_1000_accounts_day": 25.0},
        },
        # what `emitter demo` runs: the base bank, with fraud enough to flag some in a morning
        "demo": {"fraud": {"incidents_per_1000_accounts_day": 40.0}},
        "medium": {"volume": {"customers": 6_000, "employees": 750}},
        "full-scale": {"volume": {"customers": 12_000, "employees": 1_500}},
    }
    SCALABLE: ClassVar[tuple[str, ...]] = ("volume.customers", "volume.employees")
    FLAGS: ClassVar[dict[str, str]] = {"customers": "volume.customers", "employees": "volume.employees"}
