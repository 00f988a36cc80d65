"""The ledger scenario: accounts, postings along the banking day, end-of-day balances, audit of large postings."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cached_property

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from emitter.core.clock import MICROS_PER_DAY, MICROS_PER_SECOND, day_start_us, yyyymmdd
from emitter.core.columns import FixedIds, fixed_width_ids, numbered_ids, pooled, timestamps
from emitter.scenarios.contract import DayTables, DemoSpec, Scenario
from emitter.scenarios.rules import RuleResult

from .accounts import Accounts, build_accounts
from .demo_queries import HINT, SAMPLE_QUERIES
from .movements import KIND_SIGN, KINDS, Movements, draw_movements, net_per_account, posting_times
from .rules import LedgerFacts, check_all
from .settings import LedgerSettings
from .table_specs import ACCOUNTS, AUDITS, BALANCES, POSTINGS, TABLES
from .tables import finish, money

I64 = npt.NDArray[np.int64]

STATUSES = ("ACTIVE", "OVERDRAWN")
MEMO_MISSING = 0.12  # share of postings that carry no memo
REVIEWERS = 9
AUDIT_DELAY_S = (2.0, 45.0)  # how long after a posting its audit record is written
AUDIT_REASONS = ("LARGE_DEBIT", "LARGE_CREDIT")
# what a review checked, as the JSON arrays its details hold
AUDIT_CHECKS = ('["kyc"]', '["kyc", "velocity"]', '["limits"]', '["counterparty", "limits"]', "[]")
ESCALATED_SHARE = 0.15
WAIVED_SHARE = 0.2  # reviews with no details


@dataclass(frozen=True)
class Balances:
    """Every account's balance in cents at the start of ``day`` (index i = row i of core.accounts)."""

    day: date
    cents: I64


def _frozen(cents: I64) -> I64:
    cents.setflags(write=False)  # shared by states and checkpoints: nobody may change it in place
    return cents


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


class LedgerScenario(Scenario[LedgerSettings]):
    """A bank ledger whose balances depend on every posting since it opened."""

    name = "ledger"
    title = "A bank ledger: accounts, postings, daily balances carried from the opening day, audit of large postings"
    settings_model = LedgerSettings
    TABLES = TABLES
    demo = DemoSpec(start=datetime(2024, 3, 4, 8, 0), speed=600.0, queries=SAMPLE_QUERIES, hint=HINT)

    def __init__(self, seed: int, settings: LedgerSettings) -> None:
        super().__init__(seed, settings)
        self._checkpoints: dict[date, I64] = {}  # balances at month starts, derived from the postings

    @cached_property
    def accounts(self) -> Accounts:
        s = self.settings
        return build_accounts(self.keys, s.accounts, s.branches, s.opens)

    @cached_property
    def _reference(self) -> DayTables:
        return {ACCOUNTS: self.catalog().conform(ACCOUNTS, self.accounts.table_columns())}

    def reference(self) -> DayTables:
        return dict(self._reference)

    def movements(self, day: date) -> Movements:
        """The day's postings without times: what both the day generator and the state pass draw."""
        return draw_movements(self.keys, self.accounts, day, self.settings.postings_per_day, self.settings.opens)

    # ---- state: balances are the opening balance plus every earlier posting --------------------------
    def state_at(self, day: date) -> Balances:
        """Balances at the start of ``day``: the month-start checkpoint, plus the net amounts since.

        Checkpoints are computed once per instance from the same keyed blocks the postings come from
        (amounts only: no timestamps kept, no rows built), so any day alone matches a run from the start.
        """
        anchor = max(self.settings.opens, day.replace(day=1))
        if day <= anchor:  # a month start, the opening day, or before the ledger opened
            return Balances(day, self._checkpoint(day))
        return Balances(day, _frozen(self._checkpoint(anchor) + self._net(anchor, day)))

    def _checkpoint(self, anchor: date) -> I64:
        opens = self.settings.opens
        if anchor <= opens:
            return _frozen(self.accounts.opening_cents.copy())
        known = [d for d in self._checkpoints if d <= anchor]
        at = max(known, default=opens)
        cents = self._checkpoints.get(at, self.accounts.opening_cents)
        while at < anchor:
            step = min(anchor, _next_month(at))
            cents = _frozen(cents + self._net(at, step))
            at = step
            self._checkpoints[at] = cents
        return cents

    def _net(self, start: date, end: date) -> I64:
        """Σ amounts per account of the postings on days start … end - 1."""
        days = [start + timedelta(days=i) for i in range((end - start).days)]
        return net_per_account([self.movements(d) for d in days], self.accounts.size)

    # ---- one day ----------------------------------------------------------------------------------
    def generate(self, day: date, state: Balances | None, tables: Collection[str]) -> tuple[DayTables, Balances]:
        if state is None or state.day != day:
            state = self.state_at(day)
        wanted = {self.catalog().get(t).id for t in tables}
        moves = self.movements(day)
        drawn_ts = posting_times(self.keys, day, moves.size)
        order = np.argsort(drawn_ts, kind="stable")  # the time rank of a posting is its number in the day
        ts, account, kind, cents = drawn_ts[order], moves.account[order], moves.kind[order], moves.cents[order]
        net = net_per_account([moves], self.accounts.size)
        out: DayTables = {}
        if POSTINGS in wanted or AUDITS in wanted:
            posting_id = numbered_ids(f"PST{yyyymmdd(day)}", ts.size, 7)
            if POSTINGS in wanted:
                memo_missing = self.keys.rng("memos", day).random(ts.size) < MEMO_MISSING
                out[POSTINGS] = finish(
                    self.catalog(),
                    self.run_tag,
                    POSTINGS,
                    day,
                    ts,
                    {
                        "posting_id": posting_id,
                        "account_id": self.accounts.account_id[account],
                        "amount": money(cents),
                        "memo": pooled([None, *(k.memo for k in KINDS)], np.where(memo_missing, 0, kind + 1)),
                    },
                )
            if AUDITS in wanted:
                large = np.flatnonzero(np.abs(cents) > self.settings.audit_threshold_cents)
                out[AUDITS] = self._audits(day, ts[large], posting_id.take(large), KIND_SIGN[kind[large]] > 0)
        if BALANCES in wanted:
            out[BALANCES] = self._balances(day, state.cents, ts, account, net)
        return out, Balances(day + timedelta(days=1), _frozen(state.cents + net))

    def _balances(self, day: date, opening: I64, ts: I64, account: I64, net: I64) -> pa.Table:
        """One row per account that moved, stamped with its last posting of the day (``ts`` is sorted)."""
        # the first occurrence in reversed time order is an account's last posting
        moved, last, count = np.unique(account[::-1], return_index=True, return_counts=True)
        balance = opening[moved] + net[moved]
        return finish(
            self.catalog(),
            self.run_tag,
            BALANCES,
            day,
            ts[::-1][last],
            {
                "account_id": self.accounts.account_id[moved],  # ties in time keep account order
                "balance": money(balance),
                "status": pooled(STATUSES, (balance < 0).astype(np.int64)),
                "postings": count,
            },
        )

    def _audits(self, day: date, posted: I64, posting_id: FixedIds, credit: npt.NDArray[np.bool_]) -> pa.Table:
        """A review a few seconds after each large posting, never past the posting's day."""
        rng = self.keys.rng("audit", day)
        n = posted.size
        delay = (rng.uniform(*AUDIT_DELAY_S, n) * MICROS_PER_SECOND).astype(np.int64)
        reviewed = np.minimum(posted + delay, day_start_us(day) + MICROS_PER_DAY - 1)
        reviewer = rng.integers(0, REVIEWERS, n)
        details = pc.binary_join_element_wise(
            '{"checks": ',
            pooled(AUDIT_CHECKS, rng.integers(0, len(AUDIT_CHECKS), n)).to_arrow(),
            ', "escalated": ',
            pooled(("false", "true"), (rng.random(n) < ESCALATED_SHARE).astype(np.int64)).to_arrow(),
            "}",
            "",
        )
        waived = rng.random(n) < WAIVED_SHARE
        return finish(
            self.catalog(),
            self.run_tag,
            AUDITS,
            day,
            reviewed,
            {
                "posting_id": posting_id,
                "posted_at": timestamps(posted),
                "reviewer": fixed_width_ids("RVW", [(reviewer + 1, 3)]),
                "reason": pooled(AUDIT_REASONS, credit.astype(np.int64)),
                "details": pc.if_else(pa.array(waived), pa.scalar(None, pa.string()), details),
            },
        )

    # ---- rules ------------------------------------------------------------------------------------
    def check(self, tables: Mapping[str, pa.Table]) -> list[RuleResult]:
        facts = LedgerFacts(
            opens=self.settings.opens,
            audit_threshold_cents=self.settings.audit_threshold_cents,
            max_audit_delay_us=int(AUDIT_DELAY_S[1] * MICROS_PER_SECOND),
            carried_in=lambda day: self.state_at(day).cents,
        )
        return check_all(tables, facts)
