"""The seed's mixes hold within a point on a large bank: segments, account types, links, spending."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pyarrow.compute as pc
import pytest

from .bank_data import ACCOUNTS, PROFILES, TRANSACTIONS, bank, span

POINT = 0.01
BIG = 200_000  # customers


def _shares(values: list[str]) -> dict[str, float]:
    counts = Counter(values)
    return {k: v / len(values) for k, v in counts.items()}


@pytest.fixture(scope="module")
def big() -> dict:
    return bank(customers=BIG).reference()


def test_segments(big: dict) -> None:
    got = _shares(big[PROFILES]["segment"].to_pylist())
    for segment, share in bank().settings.shares.segment.items():
        assert got[segment] == pytest.approx(share, abs=POINT), segment


def test_account_types_and_holders(big: dict) -> None:
    accounts = big[ACCOUNTS]
    got = _shares(accounts["account_type"].to_pylist())
    for kind, share in bank().settings.shares.account_type.items():
        assert got[kind] == pytest.approx(share, abs=POINT), kind
    per_customer = Counter(accounts["customer_id"].to_pylist())
    assert len(per_customer) / BIG == pytest.approx(0.75, abs=POINT)
    assert sum(n > 1 for n in per_customer.values()) / len(per_customer) == pytest.approx(0.25, abs=POINT)


def test_relationships(big: dict) -> None:
    links = Counter(big["accounts_db.account_relationships"]["account_id"].to_pylist())
    n = big[ACCOUNTS].num_rows
    assert len(links) / n == pytest.approx(0.20, abs=POINT)  # accounts with a relationship
    assert sum(v == 2 for v in links.values()) / n == pytest.approx(0.05, abs=POINT)  # with a second


def test_spending_and_income_over_a_year() -> None:
    """By count, over a whole year (card spending is seasonal, income is not)."""
    sc = bank(customers=3_000)
    flows: Counter[str] = Counter()
    for _, t in sc.days(span(date(2025, 1, 1), 365), [TRANSACTIONS]):
        counted = pc.value_counts(t[TRANSACTIONS]["flow"])
        flows.update(dict(zip(counted.field("values").to_pylist(), counted.field("counts").to_pylist(), strict=True)))
    total = sum(flows.values())
    assert total > 300_000
    assert flows["spending"] / total == pytest.approx(sc.settings.activity.spending, abs=POINT)
