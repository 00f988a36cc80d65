"""Banking's capacity estimate: expected rows per table and slot from the model's own rates, without generating.

The ledger's draws are analytic: every live account's random movements are a Poisson of its profile's
monthly rate times the day's factor, at its kind's hour curve; salaries, fees and interest are the live
accounts the calendar schedules; openings and closings are drawn once with the world, so the plan counts
them at the very times the day tables stamp. Fraud is the expected incidents on open checking accounts
times each pattern's rows, spread from the fraud hour curve by the pattern's own delays. Row sizes are in
``plan_bytes``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from emitter.core.clock import MICROS_PER_SLOT, MINUTES_PER_DAY, SLOT_MINUTES, SLOTS_PER_DAY
from emitter.plan.volume import TableVolume, reference_volumes, spread
from emitter.scenarios.banking import calendar as cal
from emitter.scenarios.banking import fraud
from emitter.scenarios.banking.accounts import PAID_OUT_BEFORE_CLOSING, closed_at, opened_at
from emitter.scenarios.banking.flows import (
    FEE_HOUR,
    INTEREST_HOUR,
    OPENING_DEPOSIT_AFTER,
    RANDOM_HOURS,
    paid_on,
    random_factors,
)
from emitter.scenarios.banking.plan_bytes import RANDOM_GROUPS, row_bytes
from emitter.scenarios.banking.vocabulary import CHECKING

if TYPE_CHECKING:
    from emitter.scenarios.banking.scenario import BankingScenario

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]
SLOTS_PER_HOUR = 60 // SLOT_MINUTES


@dataclass(frozen=True)
class Expected:
    """The range's expected rows: transactions per group of alike rows, and the day-table rows drawn with the world."""

    transactions: dict[str, F64]  # group → rows per (day, slot); groups share their fields' typical values
    labels: dict[str, F64]  # fraud pattern group → label rows per (day, slot)
    opening: I64  # accounts opening in the range (rows of Accounts)
    closing: I64
    live: npt.NDArray[np.bool_]  # accounts live on the range's middle day


class BankingPlan:
    """The estimate for one scenario instance over a list of days."""

    def __init__(self, scenario: BankingScenario, days: Sequence[date]) -> None:
        self.s, self.w = scenario, scenario.world
        self.days = list(days)
        self.ordinal = np.array([d.toordinal() for d in self.days], dtype=np.int64)
        # the ledger posts nothing before ledger_from; account events come from the world whatever the day
        self.posted = np.array([d >= scenario.settings.volume.ledger_from for d in self.days])

    def volumes(self) -> dict[str, TableVolume]:
        expected = self.expected()
        sizes = row_bytes(self.s, self.days, expected)
        transactions = sum(expected.transactions.values(), np.zeros((len(self.days), SLOTS_PER_DAY)))
        labels = sum(expected.labels.values(), np.zeros((len(self.days), SLOTS_PER_DAY)))
        a = self.w.accounts
        events = self._stamped(a.opened[expected.opening], opened_at(0, expected.opening))
        events += self._stamped(a.closed[expected.closing], closed_at(0, expected.closing))
        out = {
            "accounts_db.transactions": TableVolume.per_day(transactions, sizes["accounts_db.transactions"]),
            "accounts_db.fraud_labels": TableVolume.per_day(labels, sizes["accounts_db.fraud_labels"]),
            "accounts_db.account_events": TableVolume.per_day(events, sizes["accounts_db.account_events"]),
        }
        reference = reference_volumes(self.s.catalog(), self.w.tables)
        return {spec.id: {**reference, **out}[spec.id] for spec in self.s.catalog().tables}

    def expected(self) -> Expected:
        a, profile = self.w.accounts, self.w.profile
        n_days = len(self.days)
        random_rows = np.zeros((n_days, len(RANDOM_GROUPS)))
        salaries, fees, interest, checking = (np.zeros(n_days) for _ in range(4))
        for i, day in enumerate(self.days):
            if not self.posted[i]:
                continue
            d = int(self.ordinal[i])
            live = np.flatnonzero((a.opened < d) & (a.closed > d))
            random_rows[i] = profile.per_month[live].sum(axis=0) * random_factors(day)
            salaries[i] = paid_on(day, live, a, profile).size
            fees[i] = profile.fee[live].sum() if day.day == 1 else 0.0
            # every live interest account: a row is dropped only when the balance earns nothing (see the notes)
            interest[i] = profile.interest[live].sum() if cal.is_month_end(day) else 0.0
            checking[i] = (a.kind[live] == CHECKING).sum()
        groups = {name: spread(random_rows[:, k], RANDOM_HOURS[k]) for k, name in enumerate(RANDOM_GROUPS)}
        groups["salary"] = spread(salaries, cal.BATCH_HOURS)
        groups["fee"] = spread(fees, _hour_shape(FEE_HOUR))
        groups["interest"] = spread(interest, _hour_shape(INTEREST_HOUR))
        opening = np.flatnonzero(self._inside(a.opened))
        closing = np.flatnonzero(self._inside(a.closed))
        booked_open = opening[self.posted[self._index(a.opened[opening])]]
        booked_close = closing[self.posted[self._index(a.closed[closing])]]
        groups["opening"] = self._stamped(a.opened[booked_open], opened_at(0, booked_open) + OPENING_DEPOSIT_AFTER)
        groups["closure"] = self._stamped(a.closed[booked_close], closed_at(0, booked_close) - PAID_OUT_BEFORE_CLOSING)
        f = self.s.settings.fraud
        incidents = checking * f.incidents_per_1000_accounts_day / 1_000
        mix = {
            "card_testing": f.card_testing,
            "takeover": f.account_takeover,
            "travel": max(1.0 - f.card_testing - f.account_takeover, 0.0),
        }
        labels: dict[str, F64] = {}
        for name, (rows, label_rows) in fraud_offsets().items():
            share = mix[name.removesuffix("_home").removesuffix("_abroad")]
            groups[name] = incidents[:, None] * share * _after_fraud_start(rows)[None, :]
            if label_rows:
                labels[name] = groups[name]
        middle = int(self.ordinal[n_days // 2])
        return Expected(groups, labels, opening, closing, (a.opened < middle) & (a.closed > middle))

    # ---- slot grids ------------------------------------------------------------------------------
    def _index(self, ordinal: I64) -> I64:
        """Range index of each day ordinal (-1 outside the range)."""
        at = np.clip(np.searchsorted(self.ordinal, ordinal), 0, len(self.days) - 1)
        return np.where(self.ordinal[at] == ordinal, at, -1)

    def _inside(self, ordinal: I64) -> npt.NDArray[np.bool_]:
        return self._index(ordinal) >= 0

    def _stamped(self, ordinal: I64, us_of_day: I64) -> F64:
        """Rows per (day, slot) of rows stamped on day ``ordinal`` at ``us_of_day``."""
        grid = np.zeros((len(self.days), SLOTS_PER_DAY))
        slot = np.clip(us_of_day // MICROS_PER_SLOT, 0, SLOTS_PER_DAY - 1)
        np.add.at(grid, (self._index(ordinal), slot), 1.0)
        return grid


def _hour_shape(hour: int) -> F64:
    """Rows spread uniformly over one hour of the day."""
    shape = np.zeros(SLOTS_PER_DAY)
    shape[hour * SLOTS_PER_HOUR : (hour + 1) * SLOTS_PER_HOUR] = 1.0
    return shape


def _uniform(bounds: tuple[int, int]) -> I64:
    """The values ``rng.integers(*bounds)`` draws, each equally likely."""
    return np.arange(*bounds, dtype=np.int64)


def fraud_offsets() -> dict[str, tuple[F64, bool]]:
    """Per group of an incident's rows: expected rows by minute after the incident starts, and whether they are labels.

    Tries and transfers after the first sit at their mean gaps: a spread of seconds to minutes that slots of a
    quarter of an hour hardly see.
    """
    out: dict[str, tuple[F64, bool]] = {}
    seconds = np.zeros(4 * 3_600)  # every delay of fraud.py is inside a few hours

    def at(rows: F64, second: float, weight: float) -> None:
        rows[int(second)] += weight

    tries, cash = _uniform(fraud.TESTS), _uniform(fraud.CASH_OUT_AFTER_MINUTES)
    gap = float(_uniform(fraud.TEST_GAP_SECONDS).mean())
    testing = seconds.copy()
    for t in tries:
        for j in range(t):
            at(testing, j * gap, 1 / tries.size)
        for m in cash:  # the big purchase after the last try
            at(testing, (t - 1) * gap + m * 60, fraud.CASH_OUT / tries.size / cash.size)
    out["card_testing"] = (testing, True)
    moves = _uniform(fraud.TRANSFERS)
    transfer_gap = float(_uniform(fraud.TRANSFER_GAP_MINUTES).mean()) * 60
    takeover = seconds.copy()
    sign_in = _uniform(fraud.SIGN_IN_MINUTES)
    for n in moves:
        for first in sign_in:
            for j in range(n):
                at(takeover, first * 60 + j * transfer_gap, 1 / moves.size / sign_in.size)
    out["takeover"] = (takeover, True)
    home = seconds.copy()
    at(home, 0, 1.0)
    out["travel_home"] = (home, False)  # the genuine purchase the cloned card follows
    abroad = seconds.copy()
    after = _uniform(fraud.ABROAD_AFTER_MINUTES)
    for m in after:
        at(abroad, m * 60, 1 / after.size)
    out["travel_abroad"] = (abroad, True)
    return {name: (rows.reshape(-1, 60).sum(axis=1), label) for name, (rows, label) in out.items()}


def _after_fraud_start(by_minute: F64) -> F64:
    """Rows per slot of a day's incident: its start from the fraud curve, plus the delays, held at the day's end."""
    start = np.repeat(cal.FRAUD_START_HOURS / cal.FRAUD_START_HOURS.sum() / SLOT_MINUTES, SLOT_MINUTES)
    rows = np.convolve(start, by_minute)
    rows[MINUTES_PER_DAY - 1] += rows[MINUTES_PER_DAY:].sum()  # fraud.incidents clips to the day's last moment
    return np.asarray(rows[:MINUTES_PER_DAY].reshape(SLOTS_PER_DAY, SLOT_MINUTES).sum(axis=1), dtype=np.float64)
