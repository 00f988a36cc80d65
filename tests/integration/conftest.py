"""Helpers for integration tests; the broker itself (``kafka_bootstrap``) lives in tests/conftest.py.

Every test in this directory is marked ``slow``: they run against the real broker and databases, often
in subprocesses, so ``-m "not slow"`` leaves them out of the fast tier.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from emitter.sink.topic_reader import TopicRecord

from .topic_reader import read_all

_HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if _HERE in item.path.resolve().parents:
            item.add_marker(pytest.mark.slow)


@pytest.fixture
def topic() -> str:
    """A topic name no other test uses (the broker lives for the session)."""
    return f"it-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def read_topic(kafka_bootstrap: str) -> Callable[[str], list[TopicRecord]]:
    """``read_topic(topic)``: every record of the topic, read back from the broker (see ``read_all``)."""
    return functools.partial(read_all, kafka_bootstrap)
