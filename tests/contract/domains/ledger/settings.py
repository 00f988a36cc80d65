"""The ledger's settings: how many accounts, how busy a day is, and which postings the audit desk reviews."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, ClassVar

from pydantic import Field

from emitter.scenarios.contract import ScenarioSettings

from .accounts import BRANCHES


class LedgerSettings(ScenarioSettings):
    """Volumes of one bank ledger (its section of config.json)."""

    opens: date = Field(date(2024, 1, 1), description="The day the ledger opened: no posting exists before it.")
    accounts: int = Field(20_000, ge=1, le=5_000_000)
    branches: int = Field(8, ge=1, le=len(BRANCHES))
    postings_per_day: int = Field(
        30_000, ge=0, le=5_000_000, description="Postings on an average day; weekdays are busier than weekends."
    )
    audit_threshold: Decimal = Field(
        Decimal("1000.00"),
        gt=0,
        max_digits=14,
        decimal_places=2,
        description="A posting whose absolute amount is above this gets one audit record.",
    )

    PRESETS: ClassVar[dict[str, dict[str, Any]]] = {
        # a few hundred accounts: builds in milliseconds, for quick tries and the test suite
        "small": {"accounts": 400, "branches": 4, "postings_per_day": 600},
        "large": {"accounts": 500_000, "postings_per_day": 750_000},
    }
    # the branch network is a fixed list; accounts and their traffic scale
    SCALABLE: ClassVar[tuple[str, ...]] = ("accounts", "postings_per_day")
    # flags of backfill, stream and demo: --accounts N, --postings N
    FLAGS: ClassVar[dict[str, str]] = {"accounts": "accounts", "postings": "postings_per_day"}

    @property
    def audit_threshold_cents(self) -> int:
        return int(self.audit_threshold.scaleb(2))
