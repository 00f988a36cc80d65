"""Fixtures for the Avro tests: one small retail day (reference and per-day tables) and a fastavro reference."""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import date
from typing import Any

import fastavro
import pyarrow as pa
import pytest

from emitter.avro.schemas import AvroSchema, record_full_name
from emitter.config import Config
from emitter.scenarios import open_scenario
from emitter.scenarios.retail import RetailScenario

DAY = date(2024, 3, 15)
CATALOG = RetailScenario.catalog()
REFERENCE_TABLES = [t.id for t in CATALOG.reference]
PER_DAY_TABLES = [t.id for t in CATALOG.per_day]
ALL_TABLES = REFERENCE_TABLES + PER_DAY_TABLES


def retail_schema(table: str) -> AvroSchema:
    """The Avro schema of a retail table, from the scenario's catalog."""
    return CATALOG.avro(CATALOG.get(table))


def full_name(table: str) -> str:
    """The full name of a retail table's record (``emitter.retail.receipts``): what decoded batches are keyed by."""
    return record_full_name(retail_schema(table))


@pytest.fixture(scope="session")
def retail_day(small_config: Config) -> dict[str, pa.Table]:
    """Every retail table: the reference tables plus one day of the per-day tables, at the small volume."""
    scenario = open_scenario(small_config)
    tables = dict(scenario.reference())
    for _, day in scenario.days([DAY], None):
        tables.update(day)
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
