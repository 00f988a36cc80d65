"""Fixtures for the Avro tests: one small retail day (master and fact tables) and a fastavro reference."""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import date
from typing import Any

import fastavro
import pyarrow as pa
import pytest

from emitter.config import SMALL_VOLUME, load_config
from emitter.scenarios.retail import FACT_TABLES, RetailScenario

DAY = date(2024, 3, 15)


@pytest.fixture(scope="session")
def retail_day() -> dict[str, pa.Table]:
    """Every retail table: the master tables plus one day of facts, at a small volume."""
    scenario = RetailScenario(load_config(overrides={"volume": SMALL_VOLUME}, environ={}))
    tables = dict(scenario.master())
    for _, facts in scenario.facts([DAY], FACT_TABLES):
        tables.update(facts)
    return tables


def fastavro_messages(schema: dict[str, Any], records: Iterable[dict[str, Any]]) -> list[bytes]:
    """The reference: one ``fastavro.schemaless_writer`` call per record."""
    parsed = fastavro.parse_schema(schema)
    out = []
    for record in records:
        buffer = io.BytesIO()
        fastavro.schemaless_writer(buffer, parsed, record)
        out.append(buffer.getvalue())
    return out
