"""Customers and staff look like people: names that go with the gender, a bell curve of ages, agents that fit."""

from __future__ import annotations

from datetime import date

import numpy as np
import pyarrow.compute as pc

from emitter.core.pools import us_names
from emitter.scenarios.banking.vocabulary import AGENT_ROLES

from .bank_data import CUSTOMERS, EMPLOYEES, PROFILES, bank


def test_first_names_go_with_the_gender() -> None:
    customers = bank(customers=20_000).reference()[CUSTOMERS].to_pylist()
    female, male = set(us_names().female.to_pylist()), set(us_names().male.to_pylist())
    for c in customers:
        if c["gender"] == "F":
            assert c["first_name"] in female, c
        elif c["gender"] == "M":
            assert c["first_name"] in male, c


def test_ages_are_a_bell_curve_from_18_to_85() -> None:
    born = bank(customers=20_000).reference()[CUSTOMERS]["date_of_birth"].to_pylist()
    age = np.array([(date(2025, 12, 31) - d).days / 365.2425 for d in born])
    assert age.min() >= 18 and age.max() < 86
    assert 43 < np.median(age) < 49
    middle, edges = np.mean((age > 35) & (age < 57)), np.mean((age < 25) | (age > 75))
    assert middle > 2 * edges  # most in the middle, few at the ends
    per_year = np.bincount(age.astype(np.int64), minlength=90)
    assert per_year[18] < 2 * per_year[19] and per_year[85] < 2 * per_year[84] + 3  # no pile at either end


def test_assigned_agents_serve_the_customers_segment() -> None:
    ref = bank(customers=20_000).reference()
    role = dict(zip(ref[EMPLOYEES]["employee_id"].to_pylist(), ref[EMPLOYEES]["role"].to_pylist(), strict=True))
    profiles = ref[PROFILES].filter(pc.is_valid(ref[PROFILES]["assigned_agent_id"])).to_pylist()
    assert profiles
    for p in profiles:
        assert role[p["assigned_agent_id"]] in AGENT_ROLES[p["segment"]], p
    unassigned = ref[PROFILES].filter(pc.is_null(ref[PROFILES]["assigned_agent_id"]))
    assert set(unassigned["segment"].to_pylist()) == {"retail"}  # every other segment has an agent
