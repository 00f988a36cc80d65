"""Fraud incidents on checking accounts: card testing, account takeover, impossible travel.

At most one incident per account and day. Fraud rows are attempts like any other: the ledger posts or
declines them by the same rules, and the labels (``fraud_labels``) name the rows that are fraud.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import numpy.typing as npt

from emitter.core.arrivals import cdf_pick, shares_cdf, times_in_day
from emitter.core.clock import MICROS_PER_DAY, MICROS_PER_MINUTE, MICROS_PER_SECOND, day_start_us
from emitter.scenarios.banking import calendar as cal
from emitter.scenarios.banking.accounts import Accounts
from emitter.scenarios.banking.attempts import CARD, CARD_PRESENT, MOBILE, ONLINE, SHARE, TRANSFER, Attempts
from emitter.scenarios.banking.places import FOREIGN, Places
from emitter.scenarios.banking.settings import BankingSettings
from emitter.scenarios.banking.vocabulary import CHECKING, MERCHANT_CATEGORIES

I64 = npt.NDArray[np.int64]
SECOND, MINUTE = MICROS_PER_SECOND, MICROS_PER_MINUTE
CARD_TESTING, TAKEOVER, TRAVEL = range(3)
TESTS = (5, 16)  # tiny charges a card tester tries
TEST_GAP_SECONDS = (8, 76)  # between two tries
TEST_CENTS = (50, 500)
CASH_OUT = 0.5  # card testers who then make one big purchase
CASH_OUT_CENTS = (25_000, 150_000)
CASH_OUT_AFTER_MINUTES = (2, 26)  # after the last try
TRANSFERS = (1, 4)  # large transfers after a takeover
SIGN_IN_MINUTES = (1, 10)  # from signing in to the first transfer
TRANSFER_GAP_MINUTES = (3, 21)  # between transfers
DRAIN_PER_MILLE = (500, 950)  # of what is available, each
TRAVEL_CENTS = (8_000, 60_000)
HOME_CENTS = (1_500, 9_000)  # the genuine purchase at home
ABROAD_AFTER_MINUTES = (15, 91)  # the cloned card's purchase, after the genuine one
_ONLINE_SHOP = [c.name for c in MERCHANT_CATEGORIES].index("online_shopping")
_TRAVEL_SHOPS = [
    [c.name for c in MERCHANT_CATEGORIES].index(n) for n in ("clothing", "restaurants", "home_improvement")
]


def incidents(
    rng: np.random.Generator, day: date, rows: I64, accounts: Accounts, settings: BankingSettings, places: Places
) -> Attempts:
    """The fraud attempts on accounts ``rows`` on ``day`` (and the genuine purchase an impossible trip follows)."""
    a, f = accounts, settings.fraud
    d = day.toordinal()
    open_checking = rows[(a.kind[rows] == CHECKING) & (a.opened[rows] < d) & (a.closed[rows] > d)]
    hit = open_checking[rng.random(open_checking.size) < f.incidents_per_1000_accounts_day / 1_000]
    mix = [f.card_testing, f.account_takeover, max(1.0 - f.card_testing - f.account_takeover, 0.0)]
    pattern = cdf_pick(rng, shares_cdf(mix), hit.size) if hit.size else np.zeros(0, np.int64)
    start = day_start_us(day)
    latest = start + MICROS_PER_DAY - 1
    t0 = start + times_in_day(rng, cal.FRAUD_START_HOURS, hit.size)
    parts = [
        _card_testing(rng, hit[pattern == CARD_TESTING], t0[pattern == CARD_TESTING], places),
        _takeover(rng, hit[pattern == TAKEOVER], t0[pattern == TAKEOVER], places),
        _travel(rng, hit[pattern == TRAVEL], t0[pattern == TRAVEL], a, places),
    ]
    out = Attempts.concat(parts)
    out.ts = np.minimum(out.ts, latest)
    return out


def _card_testing(rng: np.random.Generator, who: I64, t0: I64, places: Places) -> Attempts:
    tries = rng.integers(*TESTS, who.size)
    account = np.repeat(who, tries)
    gaps = rng.integers(*TEST_GAP_SECONDS, account.size) * SECOND
    gaps[np.cumsum(tries) - tries] = 0
    ts = np.repeat(t0, tries) + _cumsum_within(gaps, tries)
    device = places.burner(rng.integers(0, 2**31, who.size))
    tests = Attempts.of(
        account,
        ts,
        CARD,
        -1,
        rng.integers(*TEST_CENTS, account.size),
        channel=ONLINE,
        merchant=places.card_testing[rng.integers(0, places.card_testing.size, who.size)][
            np.repeat(np.arange(who.size), tries)
        ],
        device=np.repeat(device, tries),
        pattern=CARD_TESTING,
    )
    cash = rng.random(who.size) < CASH_OUT
    last = ts[np.cumsum(tries) - 1][cash]
    big = Attempts.of(
        who[cash],
        last + rng.integers(*CASH_OUT_AFTER_MINUTES, int(cash.sum())) * MINUTE,
        CARD,
        -1,
        rng.integers(*CASH_OUT_CENTS, int(cash.sum())),
        channel=ONLINE,
        merchant=places.merchant_for(rng, np.full(int(cash.sum()), _ONLINE_SHOP)),
        device=device[cash],
        pattern=CARD_TESTING,
    )
    return Attempts.concat([tests, big])


def _takeover(rng: np.random.Generator, who: I64, t0: I64, places: Places) -> Attempts:
    moves = rng.integers(*TRANSFERS, who.size)
    account = np.repeat(who, moves)
    gaps = rng.integers(*TRANSFER_GAP_MINUTES, account.size) * MINUTE
    gaps[np.cumsum(moves) - moves] = (
        rng.integers(*SIGN_IN_MINUTES, who.size) * MINUTE
    )  # signs in, changes the contact details, then moves money
    city = np.repeat(FOREIGN[rng.integers(0, FOREIGN.size, who.size)], moves)
    lat, lon = places.near(rng, city)
    return Attempts.of(
        account,
        np.repeat(t0, moves) + _cumsum_within(gaps, moves),
        TRANSFER,
        -1,
        rng.integers(*DRAIN_PER_MILLE, account.size),
        mode=SHARE,
        channel=MOBILE,
        city=city,
        lat=lat,
        lon=lon,
        device=np.repeat(places.burner(rng.integers(0, 2**31, who.size)), moves),
        pattern=TAKEOVER,
    )


def _travel(rng: np.random.Generator, who: I64, t0: I64, a: Accounts, places: Places) -> Attempts:
    """A genuine purchase at home, then the cloned card at a till abroad within the next hour and a half."""
    n = who.size
    home = places.home_city[a.customer[who]]
    away = FOREIGN[rng.integers(0, FOREIGN.size, n)]
    shop = np.array(_TRAVEL_SHOPS)[rng.integers(0, len(_TRAVEL_SHOPS), n)]
    out = []
    for city, ts, pattern, cents in (
        (home, t0, -1, rng.integers(*HOME_CENTS, n)),
        (away, t0 + rng.integers(*ABROAD_AFTER_MINUTES, n) * MINUTE, TRAVEL, rng.integers(*TRAVEL_CENTS, n)),
    ):
        lat, lon = places.near(rng, city)
        out.append(
            Attempts.of(
                who,
                ts,
                CARD,
                -1,
                cents,
                channel=CARD_PRESENT,
                merchant=places.merchant_for(rng, shop),
                city=city,
                lat=lat,
                lon=lon,
                pattern=pattern,
            )
        )
    return Attempts.concat(out)


def _cumsum_within(gaps: I64, sizes: I64) -> I64:
    """Running sums of ``gaps`` restarting at each group of ``sizes`` consecutive rows."""
    total = np.cumsum(gaps)
    starts = np.cumsum(sizes) - sizes
    before = np.repeat(total[starts] - gaps[starts], sizes) if gaps.size else total
    return np.asarray(total - before, dtype=np.int64)
