"""Faker value pools: built once, deterministic per seed."""

from __future__ import annotations

from emitter.core.pools import build_name_pools


def test_pools_are_deterministic_unique_and_sorted() -> None:
    a, b = build_name_pools(7, size=50), build_name_pools(7, size=50)
    for name in ("first_names", "last_names", "streets", "towns"):
        values = getattr(a, name).to_pylist()
        assert values == getattr(b, name).to_pylist()
        assert values == sorted(values)
        assert len(values) == len(set(values)) > 0
        assert all(isinstance(v, str) and v for v in values)
    assert len(a.first_names) == 50 and len(a.towns) == 25


def test_pools_change_with_the_seed() -> None:
    assert build_name_pools(7, size=50).streets.to_pylist() != build_name_pools(8, size=50).streets.to_pylist()
