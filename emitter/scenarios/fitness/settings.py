"""Fitness settings: the size of the chain, how members behave, how they pay (its section of config.json)."""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

from pydantic import Field, model_validator

from emitter.scenarios.contract import ScenarioSettings, SettingsGroup

MIB = 2**20


class Volume(SettingsGroup):
    """How big the chain is; visits, classes and payments follow from the members."""

    facilities: int = Field(10, ge=1, le=2_000, description="Clubs.")
    members: int = Field(10_000, ge=10, le=5_000_000, description="Everyone who ever joins, over the join window.")
    staff: int = Field(250, ge=5, le=200_000, description="Employees across the clubs.")
    equipment_per_facility: int = Field(100, ge=10, le=1_000, description="Machines in a club of average size.")
    members_from: date = Field(date(2022, 1, 1), description="The first join.")
    members_until: date = Field(
        date(2025, 12, 31), description="The last join, and the day members.memberstatus describes."
    )

    def memory_estimate(self) -> int:
        """Peak bytes of one process building the chain and generating a day, from measured costs."""
        # members carry their enrollments and every charge they will ever pay (about 22 each), and a day
        # of visits is about half a row per member
        return 140 * MIB + 3_400 * self.members + 20_000 * self.facilities

    @model_validator(mode="after")
    def _window(self) -> Volume:
        if self.members_until < self.members_from:
            raise ValueError("members_until must not be before members_from")
        if self.members < 10 * self.facilities:
            raise ValueError(
                f"members must be at least 10 per facility ({10 * self.facilities:,} for {self.facilities})"
            )
        if self.staff < 3 * self.facilities:
            raise ValueError("staff must be at least 3 per facility (a manager and two instructors)")
        return self


class Visits(SettingsGroup):
    """How often active members come, where, and how many come for a class."""

    per_week: float = Field(2.9, ge=0.1, le=7.0, description="Median visits a week of an engaged member.")
    home_share: float = Field(
        0.85,
        ge=0.0,
        le=1.0,
        description="Visits at the home club by members with another club within 25 km; the rest go there.",
    )
    class_share: float = Field(0.3, ge=0.0, le=1.0, description="Visits that want a class.")
    no_show: float = Field(0.12, ge=0.0, le=1.0, description="Booked places not turned up for.")


class Memberships(SettingsGroup):
    """How long members stay, how they are billed, and whether they come back."""

    annual_share: float = Field(0.2, ge=0.0, le=1.0, description="Enrollments paid a year up front.")
    early_churn: float = Field(0.25, ge=0.0, le=1.0, description="New members who leave within three months.")
    monthly_churn: float = Field(0.03, ge=0.001, le=1.0, description="Monthly chance of leaving after that.")
    rejoin: float = Field(0.25, ge=0.0, le=1.0, description="Lapsed members who come back, months later.")


class Payments(SettingsGroup):
    """Charges: how members pay and how often a charge fails."""

    success: float = Field(0.95, ge=0.5, le=1.0, description="Payments (first attempts and retries) that succeed.")
    retry_failure: float = Field(0.35, ge=0.0, le=1.0, description="Retries that fail too, suspending the membership.")
    retry_days: int = Field(3, ge=1, le=14, description="Days between a failed charge and its retry.")
    credit_card: float = Field(0.60, ge=0.0, le=1.0)
    debit_card: float = Field(0.25, ge=0.0, le=1.0, description="The rest pay by bank transfer, wallet or cash.")

    @model_validator(mode="after")
    def _shares(self) -> Payments:
        if self.credit_card + self.debit_card > 1.0:
            raise ValueError("credit_card + debit_card must not exceed 1")
        return self

    @property
    def first_failure(self) -> float:
        """The chance a first attempt fails, so that all attempts (retries included) succeed at ``success``."""
        failed = 1.0 - self.success  # failed / all rows = f (1 + r) / (1 + f), solved for f
        return failed / (1.0 + self.retry_failure - failed)


class FitnessSettings(ScenarioSettings):
    volume: Volume = Volume()
    visits: Visits = Visits()
    memberships: Memberships = Memberships()
    payments: Payments = Payments()

    # the seed's sizes; the default is its full scale
    PRESETS: ClassVar[dict[str, dict[str, Any]]] = {
        "small": {"volume": {"facilities": 2, "members": 500, "staff": 25}},
        "demo": {"volume": {"facilities": 2, "members": 500, "staff": 25}},
        "medium": {"volume": {"facilities": 5, "members": 2_000, "staff": 100}},
        "full-scale": {"volume": {"facilities": 10, "members": 10_000, "staff": 250}},
    }
    SCALABLE: ClassVar[tuple[str, ...]] = ("volume.facilities", "volume.members", "volume.staff")
    FLAGS: ClassVar[dict[str, str]] = {
        "facilities": "volume.facilities",
        "members": "volume.members",
        "staff": "volume.staff",
    }
