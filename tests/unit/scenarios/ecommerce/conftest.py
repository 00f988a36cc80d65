"""Session fixtures: the small e-commerce shop, its sale weeks and three ordinary weeks, generated once."""

from __future__ import annotations

import pyarrow as pa
import pytest

from .ecommerce_data import MARCH, SALE_WEEKS, Shop


@pytest.fixture(scope="session")
def shop() -> Shop:
    return Shop()


@pytest.fixture(scope="session")
def sale_weeks(shop: Shop) -> dict[str, pa.Table]:
    """Reference tables and two weeks of days around Black Friday and Cyber Monday."""
    return shop.window(*SALE_WEEKS)


@pytest.fixture(scope="session")
def march(shop: Shop) -> dict[str, pa.Table]:
    """Reference tables and three ordinary weeks in March."""
    return shop.window(*MARCH)
