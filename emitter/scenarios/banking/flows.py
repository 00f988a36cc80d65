"""Each account's genuine movements on a day: how many of each kind, when, where, and for how much.

Counts follow the settings' transactions a month (spending and income in the set proportion), spread by
the calendar's curves; amounts follow the customer's income, so an account's money in and out balance
over a month with a small saving. Whether a movement goes through is the ledger's decision.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt

from emitter.core.arrivals import cdf_pick, shares_cdf, times_in_day
from emitter.core.clock import MICROS_PER_HOUR, MICROS_PER_MINUTE, day_start_us
from emitter.scenarios.banking import calendar as cal
from emitter.scenarios.banking.accounts import (
    PAID_OUT_BEFORE_CLOSING,
    PAY_SCHEDULES,
    Accounts,
    closed_at,
    opened_at,
)
from emitter.scenarios.banking.attempts import (
    ACH,
    ATM,
    ATM_CHANNEL,
    BILL,
    BRANCH,
    CARD,
    CARD_PRESENT,
    CLOSE,
    CLOSURE,
    DEPOSIT,
    FEE,
    INTEREST,
    MOBILE,
    ONLINE,
    RATE,
    SALARY,
    TRANSFER,
    Attempts,
)
from emitter.scenarios.banking.places import FOREIGN, Places
from emitter.scenarios.banking.settings import BankingSettings
from emitter.scenarios.banking.vocabulary import CD, CHECKING, CITIES, MERCHANT_CATEGORIES, MONEY_MARKET, SAVINGS

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
# the random kinds, in the order of the rate columns: (transaction type, sign of the amount)
RANDOM = ((CARD, -1), (BILL, -1), (ATM, -1), (TRANSFER, -1), (TRANSFER, +1), (DEPOSIT, +1))
SPEND_SPLIT = {CHECKING: (0.80, 0.08, 0.06, 0.06), SAVINGS: (0.0, 0.0, 0.0, 1.0), MONEY_MARKET: (0.0, 0.0, 0.0, 1.0)}
INCOME_SPLIT = {CHECKING: (0.5, 0.5), SAVINGS: (0.7, 0.3), MONEY_MARKET: (0.8, 0.2)}
# where a month's spending goes, by amount: card, bills, cash, transfers out
SPEND_BUDGET = {CHECKING: (0.38, 0.32, 0.08, 0.22), SAVINGS: (0.0, 0.0, 0.0, 1.0), MONEY_MARKET: (0.0, 0.0, 0.0, 1.0)}
REFERENCE_MONTHLY_CENTS = 52_000 * 100 / 12  # a median retail income a month: category medians hold there
ATM_MEAN_CENTS = 9_000  # a cash withdrawal at the reference income
ATM_MAX_CENTS = 100_000  # the daily ATM limit
SAVED = {CHECKING: 0.04, SAVINGS: 0.15, MONEY_MARKET: 0.15}  # of the money in, kept
SALARY_SHARE = 0.85  # of a salaried customer's monthly income paid as salary; the rest comes as other income
UNSALARIED_INFLOW = 0.7  # of the monthly income reaching the checking account of a customer without salary
SAVINGS_INFLOW = 0.06  # of the customer's monthly income paid into a savings or money-market account
TRAVEL_SHARE = 0.012  # of cardholders on a trip on any one day
ABROAD_SHARE = 0.15  # of trips that go abroad
FEE_CENTS = 1_200  # the monthly maintenance fee of a fee-charged checking account
FEE_CHARGED = 0.5  # of retail customers' checking accounts
CARD_SIGMA, OTHER_SIGMA = 0.7, 0.5
PAYMENTS_A_YEAR = {"monthly": 12, "semimonthly": 24, "biweekly": 26}
OPENING_DEPOSIT_AFTER = 5 * MICROS_PER_MINUTE  # after the account opens
OPENING_MONTHS = (0.3, 1.0, 2.0, 3.0)  # the opening deposit, in months of income, by account type
_CARD_MEDIANS = np.array([c.median_cents for c in MERCHANT_CATEGORIES], dtype=np.float64)
_CARD_SHARES = np.array([c.share for c in MERCHANT_CATEGORIES])
_CARD_MEAN = float((_CARD_SHARES * _CARD_MEDIANS).sum() * np.exp(CARD_SIGMA**2 / 2))
# when in the day each random kind happens (RANDOM's order)
RANDOM_HOURS = (cal.CARD_HOURS, cal.BATCH_HOURS, *(cal.DAYTIME_HOURS,) * 4)
FEE_HOUR, INTEREST_HOUR = 0, 23  # fees and interest post spread over these hours
BRANCH_HOURS = (9, 17)  # a deposit in these hours is made at the branch


@dataclass(frozen=True)
class Profile:
    """Per account: expected random movements a month per kind, and their mean amounts (cents)."""

    per_month: F64  # (accounts, len(RANDOM))
    mean_cents: F64  # (accounts, len(RANDOM))
    by_factor: F64  # (accounts, 3): per_month of cards, of bills, and of the kinds on the business-day factor
    salary_cents: I64  # per payment, 0 when none
    fee: npt.NDArray[np.bool_]
    interest: npt.NDArray[np.bool_]


def build_profile(
    rng: np.random.Generator, accounts: Accounts, settings: BankingSettings, retail: npt.NDArray[np.bool_]
) -> Profile:
    """Per-account rates and amounts: counts add up to the settings' monthly totals and spending share."""
    a, act = accounts, settings.activity
    n = a.account_id.size
    p = act.spending
    monthly = a.monthly_cents.astype(np.float64)
    fee = (a.kind == CHECKING) & retail & (rng.random(n) < FEE_CHARGED)
    payments = np.array([PAYMENTS_A_YEAR[s] for s, _ in PAY_SCHEDULES])[a.pay_schedule]
    salary = np.where(a.salaried, np.round(monthly * SALARY_SHARE * 12 / payments), 0).astype(np.int64)
    per_month = np.zeros((n, len(RANDOM)))
    mean = np.zeros((n, len(RANDOM)))
    for kind, split in SPEND_SPLIT.items():
        rows = np.flatnonzero(a.kind == kind)
        if kind == CHECKING:
            total = act.checking_per_month
            scheduled_in = np.where(a.salaried[rows], payments[rows] / 12, 0.0)  # salaries
            inflow = np.where(a.salaried[rows], monthly[rows], monthly[rows] * UNSALARIED_INFLOW)
            other_in = inflow - salary[rows] * payments[rows] / 12
        else:
            total = act.savings_per_month
            scheduled_in = np.ones(rows.size)  # interest
            inflow = other_in = monthly[rows] * SAVINGS_INFLOW
        spend = p * total - fee[rows]  # the fee is spending too
        income = np.maximum((1 - p) * total - scheduled_in, 0.0)
        budget = np.maximum(inflow * (1 - SAVED[kind]) - fee[rows] * FEE_CENTS, 0.0)
        counts = np.outer(spend, split)
        per_month[rows, :4] = counts
        mean[rows, :4] = _spending_means(monthly[rows], budget, counts, SPEND_BUDGET[kind])
        for j, share in enumerate(INCOME_SPLIT[kind]):
            per_month[rows, 4 + j] = income * share
            mean[rows, 4 + j] = other_in * share / np.maximum(income * share, 1e-9)
    by_factor = np.column_stack([per_month[:, 0], per_month[:, 1], per_month[:, 2:].sum(axis=1)])
    return Profile(per_month, mean, by_factor, salary, fee, np.isin(a.kind, [SAVINGS, MONEY_MARKET, CD]))


def _spending_means(monthly: F64, budget: F64, counts: F64, shares: tuple[float, ...]) -> F64:
    """Mean amount (cents) of card purchases, bills, cash and transfers out, per account.

    A coffee costs more for the rich, but not in proportion: cards and cash grow with the square root of the
    income (a card purchase is at most a quarter of the budget's share, so a month's cards never outspend it).
    Bills and transfers out take what is left of the month's budget, in their proportion.
    """
    scale = np.sqrt(monthly / REFERENCE_MONTHLY_CENTS)
    card = np.minimum(_CARD_MEAN * scale, budget * shares[0] * 4 / np.maximum(counts[:, 0], 1e-9))
    cash = np.minimum(ATM_MEAN_CENTS * scale, ATM_MAX_CENTS / 2)
    left = np.maximum(budget - card * counts[:, 0] - cash * counts[:, 2], 0.0)
    rest = shares[1] + shares[3]
    bills = left * shares[1] / rest / np.maximum(counts[:, 1], 1e-9) if rest else np.zeros_like(left)
    transfers = left * shares[3] / rest / np.maximum(counts[:, 3], 1e-9) if rest else np.zeros_like(left)
    return np.column_stack([card, bills, cash, transfers])


def genuine(
    rng: np.random.Generator,
    day: date,
    rows: I64,
    accounts: Accounts,
    profile: Profile,
    places: Places,
) -> Attempts:
    """The genuine movements of accounts ``rows`` on ``day``: openings, closings, scheduled and random ones."""
    a = accounts
    d = day.toordinal()
    start = day_start_us(day)
    parts: list[Attempts] = []
    opening = rows[a.opened[rows] == d]
    if opening.size:
        months = np.array(OPENING_MONTHS)[a.kind[opening]]
        amount = np.round(a.monthly_cents[opening] * months * rng.lognormal(0.0, 0.5, opening.size))
        ts = opened_at(start, opening) + OPENING_DEPOSIT_AFTER
        parts.append(Attempts.of(opening, ts, DEPOSIT, +1, np.maximum(amount, 2_500), channel=BRANCH))
    closing = rows[a.closed[rows] == d]
    if closing.size:
        ts = closed_at(start, closing) - PAID_OUT_BEFORE_CLOSING
        parts.append(
            Attempts.of(closing, ts, CLOSURE, -1, np.zeros(closing.size, np.int64), mode=CLOSE, channel=BRANCH)
        )
    live = rows[(a.opened[rows] < d) & (a.closed[rows] > d)]
    parts += _scheduled(rng, day, live, a, profile)
    parts.append(_random(rng, day, live, a, profile, places))
    return Attempts.concat(parts)


def _scheduled(rng: np.random.Generator, day: date, live: I64, a: Accounts, profile: Profile) -> list[Attempts]:
    start = day_start_us(day)
    out = []
    paid = paid_on(day, live, a, profile)
    if paid.size:
        ts = start + times_in_day(rng, cal.BATCH_HOURS, paid.size)
        out.append(Attempts.of(paid, ts, SALARY, +1, profile.salary_cents[paid], channel=ACH))
    if day.day == 1:
        charged = live[profile.fee[live]]
        ts = start + FEE_HOUR * MICROS_PER_HOUR + (rng.random(charged.size) * MICROS_PER_HOUR).astype(np.int64)
        out.append(Attempts.of(charged, ts, FEE, -1, np.full(charged.size, FEE_CENTS)))
    if cal.is_month_end(day):
        earning = live[profile.interest[live]]
        ts = start + INTEREST_HOUR * MICROS_PER_HOUR + (rng.random(earning.size) * MICROS_PER_HOUR).astype(np.int64)
        out.append(Attempts.of(earning, ts, INTEREST, +1, a.rate_bp[earning], mode=RATE))
    return out


def paid_on(day: date, live: I64, a: Accounts, profile: Profile) -> I64:
    """The accounts among ``live`` whose salary is due on ``day``."""
    monthly, semimonthly, biweekly = cal.paydays(day)
    due = np.array([monthly, semimonthly, False])[a.pay_schedule[live]]
    due |= (a.pay_schedule[live] == 2) & np.array(biweekly)[a.pay_phase[live]]
    return live[due & (profile.salary_cents[live] > 0)]


def _where_today(rng: np.random.Generator, live: I64, a: Accounts, places: Places) -> I64:
    """The city each account's cardholder spends in today: home, or, on a trip, another city or abroad.

    A trip lasts the day, so a genuine purchase far from home is never minutes after one at home; detecting
    impossible travel means telling a trip from a cloned card, not flagging every purchase abroad.
    """
    home = places.home_city[a.customer[live]]
    away = rng.random(live.size) < TRAVEL_SHARE
    abroad = rng.random(live.size) < ABROAD_SHARE
    elsewhere = (home + 1 + rng.integers(0, len(CITIES) - 1, live.size)) % len(CITIES)  # another US city
    foreign = FOREIGN[rng.integers(0, FOREIGN.size, live.size)]
    return np.where(away, np.where(abroad, foreign, elsewhere), home)


def random_factors(day: date) -> F64:
    """Each random kind's rate on ``day`` as a share of its monthly rate (RANDOM's order)."""
    return np.array([cal.card_factor(day), cal.bill_factor(day), *(cal.business_factor(day),) * 4]) / cal.DAYS_PER_MONTH


def _random(rng: np.random.Generator, day: date, live: I64, a: Accounts, profile: Profile, places: Places) -> Attempts:
    factors = random_factors(day)
    # one Poisson count per account, each movement then given a kind in proportion to the kinds' rates:
    # the same law as a Poisson count per kind, at a sixth of the draws
    total = profile.by_factor[live] @ factors[:3]  # the kinds sharing a day factor summed once, per account
    owner = np.repeat(np.arange(live.size), rng.poisson(total))
    account = live[owner]
    cumulative = np.cumsum(profile.per_month[account] * factors, axis=1)
    kind = np.minimum((cumulative <= (rng.random(owner.size) * total[owner])[:, None]).sum(axis=1), len(RANDOM) - 1)
    n = account.size
    ttype = np.array([t for t, _ in RANDOM])[kind]
    sign = np.array([s for _, s in RANDOM])[kind]
    mean = profile.mean_cents[account, kind]
    sigma = np.where(kind == 0, CARD_SIGMA, OTHER_SIGMA)
    noise = np.exp(sigma * rng.standard_normal(n) - sigma**2 / 2)  # mean 1
    card = kind == 0
    category = np.where(card, cdf_pick(rng, shares_cdf(_CARD_SHARES), n), -1)
    relative = np.where(card, _CARD_MEDIANS[category.clip(0)] * np.exp(CARD_SIGMA**2 / 2) / _CARD_MEAN, 1.0)
    amount = np.round(mean * relative * noise)
    atm = ttype == ATM
    cash = np.clip(np.round(amount / 2_000), 1, ATM_MAX_CENTS // 2_000) * 2_000  # twenties, up to the ATM limit
    amount = np.where(atm, cash, np.maximum(amount, 100))
    online = card & (rng.random(n) < places.online_share[category.clip(0)])
    ts = np.empty(n, dtype=np.int64)
    for k, curve in enumerate(RANDOM_HOURS):
        at = np.flatnonzero(kind == k)
        ts[at] = times_in_day(rng, curve, at.size)
    ts += day_start_us(day)
    hour = (ts - day_start_us(day)) // MICROS_PER_HOUR
    at_branch = (
        (ttype == DEPOSIT) & (hour >= BRANCH_HOURS[0]) & (hour < BRANCH_HOURS[1])
    )  # else a cheque photographed in the app
    channel = np.select(
        [card & online, card, atm, at_branch, ttype == BILL], [ONLINE, CARD_PRESENT, ATM_CHANNEL, BRANCH, ACH], MOBILE
    )
    merchant = np.where(card, places.merchant_for(rng, category.clip(0)), -1)
    # a till, an ATM or the banking app on the customer's phone is where the customer is today
    located = (card & ~online) | atm | (channel == MOBILE)
    city = np.where(located, _where_today(rng, live, a, places)[owner], -1)
    lat, lon = places.near(rng, city)
    device = np.where((channel == ONLINE) | (channel == MOBILE), a.customer[account], -1)  # the customer's phone
    return Attempts(
        account=account,
        ts=ts,
        ttype=ttype,
        sign=sign,
        mode=np.zeros(n, dtype=np.int64),
        magnitude=amount.astype(np.int64),
        channel=channel.astype(np.int64),
        merchant=merchant,
        city=city,
        lat=lat,
        lon=lon,
        device=device,
        pattern=np.full(n, -1, dtype=np.int64),
    )
