"""Helpers for integration tests; the broker itself (``kafka_bootstrap``) lives in tests/conftest.py.

Every test in this directory is marked ``slow``: they run against the real broker and databases, often
in subprocesses, so ``-m "not slow"`` leaves them out of the fast tier.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

_HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if _HERE in item.path.resolve().parents:
            item.add_marker(pytest.mark.slow)


@pytest.fixture
def topic() -> str:
    """A topic name no other test uses (the broker lives for the session)."""
    return f"it-{uuid.uuid4().hex[:12]}"
