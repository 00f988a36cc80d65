"""Banking's row sizes for the plan: each group of alike transactions sized from its fields' typical values.

A card purchase carries a merchant, a place and maybe a device; a salary carries none of them; so the
transactions' bytes per row are the groups' sizes weighted by their expected rows. Amounts take the
median of each group's lognormal (the account's mean amount less half the variance); balances the
account type's months of income the world carries in. Declines are left out: they need the balances
(under one row in a hundred at the default settings, each 20 bytes larger).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import pyarrow.compute as pc

from emitter.plan.avro_size import Hint, Maybe, record_bytes
from emitter.scenarios.banking import fraud
from emitter.scenarios.banking.attempts import (
    ATM,
    BILL,
    CARD,
    CLOSURE,
    DEPOSIT,
    FEE,
    FRAUD_PATTERNS,
    INTEREST,
    SALARY,
    TRANSFER,
    TYPES,
)
from emitter.scenarios.banking.flows import (
    BRANCH_HOURS,
    CARD_SIGMA,
    FEE_CENTS,
    OPENING_MONTHS,
    OTHER_SIGMA,
    RANDOM,
    RANDOM_HOURS,
)
from emitter.scenarios.banking.ledger import BASIS_POINTS_A_MONTH
from emitter.scenarios.banking.places import PLACES
from emitter.scenarios.banking.vocabulary import (
    ACCOUNT_TYPES,
    BRANCHES,
    CARD_TESTING_CATEGORY,
    CHECKING,
    FOREIGN_CITIES,
    MERCHANT_CATEGORIES,
)

if TYPE_CHECKING:
    from emitter.scenarios.banking.plan import Expected
    from emitter.scenarios.banking.scenario import BankingScenario

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]
# flows.RANDOM's kinds, named: transfers go both ways
RANDOM_GROUPS = tuple(TYPES[t] + ("" if t != RANDOM[3][0] else ("_out" if s < 0 else "_in")) for t, s in RANDOM)
BURNER_ID = len(f"DV-X{0:08X}")
INCIDENT_ID = len("FRI") + 8 + len("-")  # then the account id
TRANSACTIONS, LABELS, EVENTS = "accounts_db.transactions", "accounts_db.fraud_labels", "accounts_db.account_events"


def _mean_len(words: Sequence[str], weights: npt.ArrayLike | None = None) -> float:
    """Mean length of ``words``, weighted when the weights say anything (a range with no rows: every word once)."""
    w = None if weights is None else np.asarray(weights, dtype=np.float64)
    return float(np.average([len(word) for word in words], weights=w if w is not None and w.sum() > 0 else None))


def _median(values: npt.ArrayLike, weights: npt.ArrayLike | None = None) -> float:
    """The (weighted) median: a varint's or decimal's size follows the common magnitude, not the mean."""
    v = np.asarray(values, dtype=np.float64)
    if not v.size:
        return 0.0
    w = np.ones(v.size) if weights is None else np.asarray(weights, dtype=np.float64)
    if w.sum() <= 0:
        w = np.ones(v.size)
    order = np.argsort(v)
    cum = np.cumsum(w[order])
    return float(v[order][np.searchsorted(cum, cum[-1] / 2)])


@dataclass(frozen=True)
class Group:
    """The fields that set a group of transactions apart, at their typical values."""

    ttype: int  # index into TYPES
    cents: float  # amount
    channel: float  # mean length of the channel's name
    balance: float  # balance after
    merchant: float = 0.0  # mean length of the merchant's name (0: none)
    category: float = 0.0
    device: tuple[float, float] = (0.0, 0.0)  # (mean length, share of rows with one)
    city: tuple[float, float] = (0.0, 0.0)  # as ``device``; the country and coordinates come with it
    income: bool = False

    def hints(self) -> dict[str, Hint]:
        return {
            "transaction_type": len(TYPES[self.ttype]),
            "flow": len("income" if self.income else "spending"),
            "amount": self.cents,
            "balance_after": self.balance,
            "merchant_name": Maybe(self.merchant, float(self.merchant > 0)),
            "merchant_category": Maybe(self.category, float(self.category > 0)),
            "channel": self.channel,
            "device_id": Maybe(*self.device),
            "city": Maybe(*self.city),
            "country": Maybe(2, self.city[1]),  # "US", or a foreign city's two-letter country code
            "latitude": Maybe(0.0, self.city[1]),
            "longitude": Maybe(0.0, self.city[1]),
        }


def row_bytes(scenario: BankingScenario, days: Sequence[date], expected: Expected) -> dict[str, float]:
    """Expected Avro bytes of one row of each per-day table."""
    return {
        TRANSACTIONS: _transactions(scenario, expected),
        LABELS: _sized(scenario, LABELS, _label_hints(scenario, expected)),
        EVENTS: _sized(scenario, EVENTS, _event_hints(scenario, expected)),
    }


def _sized(scenario: BankingScenario, table: str, hints: dict[str, Hint]) -> float:
    catalog = scenario.catalog()
    return record_bytes(catalog.avro(catalog.get(table)), hints)


def _transactions(scenario: BankingScenario, e: Expected) -> float:
    """Bytes per transaction: each group's size from its own typical values, weighted by the group's rows."""
    w = scenario.world
    a, profile, places = w.accounts, w.profile, w.places
    live = np.flatnonzero(e.live)
    months_held = np.array([t[3] for t in ACCOUNT_TYPES])[a.kind]
    balance = a.monthly_cents * months_held  # the median the world carries in (lognormal around it)
    customer = w.customers.customer_id
    common: dict[str, Hint] = {
        "transaction_id": scenario.events.id_length(TRANSACTIONS),
        "account_id": _median(a.account_id[live]),
        "customer_id": _median(customer[a.customer[live]]),
        "status": len("posted"),
        "decline_reason": Maybe(len("insufficient_funds"), 0.0),
    }
    shares = np.array([c.share for c in MERCHANT_CATEGORIES])
    online = float((shares * places.online_share).sum())
    merchant = float(np.average([np.mean([len(m) for m in c.merchants]) for c in MERCHANT_CATEGORIES], weights=shares))
    category = _mean_len([c.name for c in MERCHANT_CATEGORIES], shares)
    home_city = _mean_len([p.name for p in PLACES], np.bincount(places.home_city[a.customer[live]], None, len(PLACES)))
    abroad = _mean_len([c.name for c in FOREIGN_CITIES])
    own_device = float(pc.mean(pc.utf8_length(places.devices[: customer.size])).as_py())
    hour = np.arange(RANDOM_HOURS[5].size) * 24 // RANDOM_HOURS[5].size
    in_branch = float(
        RANDOM_HOURS[5][(hour >= BRANCH_HOURS[0]) & (hour < BRANCH_HOURS[1])].sum() / RANDOM_HOURS[5].sum()
    )

    def typical(k: int, sigma: float) -> float:
        """Median amount of random kind ``k``: each account's mean amount times the lognormal's median."""
        return _median(profile.mean_cents[live, k], profile.per_month[live, k]) * float(np.exp(-(sigma**2) / 2))

    def of(rows: I64) -> F64:
        """The typical balances of ``rows`` (of every live account when there are none)."""
        return np.asarray(balance[rows] if rows.size else balance[live], dtype=np.float64)

    checking = live[a.kind[live] == CHECKING]
    earning = live[profile.interest[live]]
    salaried = live[profile.salary_cents[live] > 0]
    opening_cents = np.maximum(a.monthly_cents[e.opening] * np.array(OPENING_MONTHS)[a.kind[e.opening]], 2_500)
    card_present = 1.0 - online
    own, burner = (own_device, 1.0), (BURNER_ID, 1.0)
    groups = {
        "card_purchase": Group(
            CARD,
            typical(0, CARD_SIGMA),
            online * len("online") + card_present * len("card_present"),
            _median(balance[live]),
            device=(own_device, online),
            city=(home_city, card_present),
            merchant=merchant,
            category=category,
        ),
        "bill_payment": Group(BILL, typical(1, OTHER_SIGMA), len("ach"), _median(balance[live])),
        "atm_withdrawal": Group(
            ATM,
            max(round(typical(2, OTHER_SIGMA) / 2_000), 1) * 2_000,
            len("atm"),
            _median(balance[live]),
            city=(home_city, 1.0),
        ),
        "transfer_out": Group(TRANSFER, typical(3, OTHER_SIGMA), len("mobile"), _median(balance[live]), device=own),
        "transfer_in": Group(
            TRANSFER, typical(4, OTHER_SIGMA), len("mobile"), _median(balance[live]), device=own, income=True
        ),
        "deposit": Group(  # at the branch or in the app: both six letters
            DEPOSIT,
            typical(5, OTHER_SIGMA),
            len("branch"),
            _median(balance[live]),
            device=(own_device, 1 - in_branch),
            income=True,
        ),
        "salary": Group(
            SALARY, _median(profile.salary_cents[salaried]), len("ach"), _median(of(salaried)), income=True
        ),
        "fee": Group(FEE, FEE_CENTS, len("system"), _median(balance[live])),
        "interest": Group(
            INTEREST,
            _median(balance[earning] * a.rate_bp[earning] / BASIS_POINTS_A_MONTH),
            len("system"),
            _median(of(earning)),
            income=True,
        ),
        "opening": Group(DEPOSIT, _median(opening_cents), len("branch"), _median(opening_cents), income=True),
        "closure": Group(CLOSURE, _median(of(e.closing)), len("branch"), 0.0),  # all paid out
        "card_testing": Group(
            CARD,
            float(np.mean(fraud.TEST_CENTS)),
            len("online"),
            _median(of(checking)),
            merchant=_mean_len(next(c.merchants for c in MERCHANT_CATEGORIES if c.name == CARD_TESTING_CATEGORY)),
            category=len(CARD_TESTING_CATEGORY),
            device=burner,
        ),
        "takeover": Group(
            TRANSFER,
            _median(of(checking)) * float(np.mean(fraud.DRAIN_PER_MILLE)) / 1_000,
            len("mobile"),
            _median(of(checking)),
            device=burner,
            city=(abroad, 1.0),
        ),
        "travel_home": Group(
            CARD,
            float(np.mean(fraud.HOME_CENTS)),
            len("card_present"),
            _median(of(checking)),
            city=(home_city, 1.0),
            merchant=merchant,
            category=category,
        ),
        "travel_abroad": Group(
            CARD,
            float(np.mean(fraud.TRAVEL_CENTS)),
            len("card_present"),
            _median(of(checking)),
            city=(abroad, 1.0),
            merchant=merchant,
            category=category,
        ),
    }
    rows = np.array([float(e.transactions[name].sum()) for name in groups])
    sizes = np.array([_sized(scenario, TRANSACTIONS, {**common, **g.hints()}) for g in groups.values()])
    return float(np.average(sizes, weights=rows if rows.sum() > 0 else None))


def _label_hints(scenario: BankingScenario, e: Expected) -> dict[str, Hint]:
    a = scenario.world.accounts
    rows = np.array([float(e.labels[name].sum()) for name in ("card_testing", "takeover", "travel_abroad")])
    account = _median(a.account_id[e.live])
    hints: dict[str, Hint] = {
        "label_id": scenario.events.id_length(LABELS),
        "transaction_id": scenario.events.id_length(TRANSACTIONS),
        "account_id": account,
        "incident_id": INCIDENT_ID + len(str(round(account))),
        "pattern": _mean_len(FRAUD_PATTERNS, rows if rows.sum() > 0 else None),
    }
    return hints


def _event_hints(scenario: BankingScenario, e: Expected) -> dict[str, Hint]:
    w = scenario.world
    a = w.accounts
    opening, closing = e.opening, e.closing
    if opening.size + closing.size == 0:  # a quiet range: the typical account of the whole bank
        opening = np.arange(a.account_id.size)
    rows = np.concatenate([opening, closing])
    closed = np.repeat([0, 1], [opening.size, closing.size])
    return {
        "event_id": scenario.events.id_length(EVENTS),
        "account_id": _median(a.account_id[rows]),
        "customer_id": _median(w.customers.customer_id[a.customer[rows]]),
        "event_type": _mean_len(("opened", "closed"), np.bincount(closed, minlength=2)),
        "account_type": _mean_len(
            [t[0] for t in ACCOUNT_TYPES], np.bincount(a.kind[rows], minlength=len(ACCOUNT_TYPES))
        ),
        "branch_code": _mean_len([b for b, _ in BRANCHES], np.bincount(a.branch[rows], minlength=len(BRANCHES))),
        "status": _mean_len(("active", "closed"), np.bincount(closed, minlength=2)),
    }
