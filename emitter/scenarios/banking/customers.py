"""Customers (``accounts_db.customers``) and their CRM profiles (``customer_db.customer_profiles``), one each."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from emitter.core.arrivals import cdf_pick, exact_shares, shares_cdf
from emitter.core.columns import FixedIds, date_column, decimal_from_units, fixed_width_ids
from emitter.core.pools import first_names, last_names, streets
from emitter.scenarios.banking.settings import BankingSettings
from emitter.scenarios.banking.staff import ROLES, Staff, emails
from emitter.scenarios.banking.vocabulary import (
    AGENT_ROLES,
    CHANNELS_PREFERRED,
    CITIES,
    KYC_STATUSES,
    OCCUPATIONS,
    RISK_RATINGS,
    SEGMENT_INCOME,
)
from emitter.scenarios.tables import Catalog

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
FIRST_CUSTOMER_ID = 10_000_001  # eight digits however many customers
HOUSE_NUMBERS = pa.array([str(i) for i in range(1, 10_000)])
AGE_MEAN, AGE_SD, AGE_MIN, AGE_MAX = 46.0, 15.0, 18, 85
YEAR = 365.2425
PENDING = [k for k, _ in KYC_STATUSES].index("pending")
UNASSIGNED_RETAIL = 0.45  # retail customers without a named agent; every other segment has one
GENDERS = (("F", 0.49), ("M", 0.49), ("X", 0.02))  # in the order of core.pools' gender codes


@dataclass(frozen=True)
class Customers:
    customer_id: I64
    segment: I64  # index into the settings' segment order
    city: I64  # index into CITIES
    since: I64  # ordinal of customer_since
    income_cents: I64  # a year
    tables: dict[str, pa.Table]


def build_customers(rng: np.random.Generator, settings: BankingSettings, staff: Staff, catalog: Catalog) -> Customers:
    n = settings.volume.customers
    v = settings.volume
    segments = list(settings.shares.segment)
    segment = exact_shares(rng, list(settings.shares.segment.values()), n)
    age = _truncated_normal(rng, AGE_MEAN, AGE_SD, AGE_MIN + 0.01, AGE_MAX + 0.99, n)  # on `until`
    until = v.until.toordinal()
    born = until - np.round(age * YEAR).astype(np.int64)
    adult = born + np.ceil(AGE_MIN * YEAR).astype(np.int64)
    first_day = np.maximum(v.customers_from.toordinal(), adult)
    # the bank grows: more customers joined recently
    since = first_day + np.floor((until - first_day) * rng.random(n) ** 0.8).astype(np.int64)
    city = cdf_pick(rng, shares_cdf([c.weight for c in CITIES]), n)
    median = np.array([SEGMENT_INCOME[s][0] for s in segments], dtype=np.float64)[segment]
    sigma = np.array([SEGMENT_INCOME[s][1] for s in segments])[segment]
    income = np.round(median * np.exp(sigma * rng.standard_normal(n)) / 100) * 10_000  # whole hundreds of dollars

    ids = FIRST_CUSTOMER_ID + np.arange(n, dtype=np.int64)
    gender = cdf_pick(rng, shares_cdf([s for _, s in GENDERS]), n)
    first = first_names(rng, gender)
    last = last_names(rng, n)
    occupation = rng.integers(0, len(OCCUPATIONS), n)
    occupation = np.where(age > 67, OCCUPATIONS.index("Retired"), occupation)
    occupation = np.where((age < 23) & (rng.random(n) < 0.6), OCCUPATIONS.index("Student"), occupation)
    city_arr = pa.array([c.name for c in CITIES]).take(pa.array(city))
    customers = catalog.conform(
        "accounts_db.customers",
        {
            "customer_id": ids,
            "first_name": first,
            "last_name": last,
            "date_of_birth": date_column(born),
            "gender": pa.array([g for g, _ in GENDERS]).take(pa.array(gender)),
            "email": emails(first, last, ids, "mail.example"),
            "phone": _phones(rng, n),
            "address": pc.binary_join_element_wise(
                HOUSE_NUMBERS.take(pa.array(rng.integers(0, len(HOUSE_NUMBERS), n))),
                streets(rng, n),
                " ",
            ),
            "city": city_arr,
            "state": pa.array([c.state for c in CITIES]).take(pa.array(city)),
            "postal_code": fixed_width_ids("", [(rng.integers(1_000, 99_999, n), 5)]).to_arrow(),
            "occupation": pa.array(OCCUPATIONS).take(pa.array(occupation)),
            "annual_income": decimal_from_units(income.astype(np.int64), 14, 2),
            "customer_since": date_column(since),
        },
    )
    profiles = _profiles(rng, settings, customers, segment, since, income, staff, catalog)
    tables = {"accounts_db.customers": customers, "customer_db.customer_profiles": profiles}
    return Customers(ids, segment, city, since, income.astype(np.int64), tables)


def _truncated_normal(rng: np.random.Generator, mean: float, sd: float, low: float, high: float, n: int) -> F64:
    """A normal cut to [low, high]: values outside are drawn again, so nothing piles up at the edges."""
    out = rng.normal(mean, sd, n)
    for _ in range(64):
        outside = np.flatnonzero((out < low) | (out > high))
        if not outside.size:
            break
        out[outside] = rng.normal(mean, sd, outside.size)
    return np.clip(out, low, high)


def _phones(rng: np.random.Generator, n: int) -> pa.Array:
    digits = rng.integers(0, 10, (n, 10)).astype(np.uint8) + ord("0")
    digits[:, 0] = rng.integers(2, 10, n) + ord("0")  # area codes and exchanges don't start with 0 or 1
    digits[:, 3] = rng.integers(2, 10, n) + ord("0")
    out = np.full((n, 12), ord("-"), dtype=np.uint8)
    out[:, [0, 1, 2, 4, 5, 6, 8, 9, 10, 11]] = digits
    return FixedIds(out).to_arrow()


def _profiles(
    rng: np.random.Generator,
    settings: BankingSettings,
    customers: pa.Table,
    segment: I64,
    since: I64,
    income: F64,
    staff: Staff,
    catalog: Catalog,
) -> pa.Table:
    n = customers.num_rows
    segments = list(settings.shares.segment)
    agent = np.full(n, -1, dtype=np.int64)
    for s, name in enumerate(segments):
        pool = np.flatnonzero(staff.active & np.isin(staff.role, [ROLES.index(r) for r in AGENT_ROLES[name]]))
        rows = np.flatnonzero(segment == s)
        if name == "retail":
            rows = rows[rng.random(rows.size) >= UNASSIGNED_RETAIL]
        if pool.size:
            agent[rows] = staff.employee_id[pool[rng.integers(0, pool.size, rows.size)]]
    kyc = cdf_pick(rng, shares_cdf([s for _, s in KYC_STATUSES]), n)
    verified = since + rng.integers(0, 15, n)
    score = np.clip(np.round(rng.normal(640 + 25 * np.log2(np.maximum(income, 1) / 5e6 + 1), 60)), 300, 850)
    return catalog.conform(
        "customer_db.customer_profiles",
        {
            "customer_id": customers.column("customer_id"),
            "full_name": pc.binary_join_element_wise(customers["first_name"], customers["last_name"], " "),
            "segment": pa.array(segments).take(pa.array(segment)),
            "kyc_status": pa.array([k for k, _ in KYC_STATUSES]).take(pa.array(kyc)),
            "kyc_verified_date": date_column(verified, mask=kyc == PENDING),  # pending: not verified yet
            "risk_rating": pa.array([r for r, _ in RISK_RATINGS]).take(
                pa.array(cdf_pick(rng, shares_cdf([s for _, s in RISK_RATINGS]), n))
            ),
            "assigned_agent_id": pa.array(np.where(agent >= 0, agent, 0), mask=agent < 0),
            "preferred_channel": pa.array([c for c, _ in CHANNELS_PREFERRED]).take(
                pa.array(cdf_pick(rng, shares_cdf([s for _, s in CHANNELS_PREFERRED]), n))
            ),
            "credit_score": score.astype(np.int32),
            "created_date": customers.column("customer_since"),
        },
    )
