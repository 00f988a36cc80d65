"""A scenario that breaks the contract is refused with one clear line, never a traceback."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import date, datetime
from typing import Any

import pyarrow as pa
import pytest
from support import fails_with
from typer.testing import CliRunner

from emitter.cli.app import app
from emitter.errors import ConfigError
from emitter.scenarios import DemoSpec, RuleResult, Scenario, ScenarioSettings, TableKind, TableSpec, registry


class _Settings(ScenarioSettings):
    rows: int = 1


class MissingSchema(Scenario[_Settings]):
    """Declares a table whose schema file does not exist."""

    name = "missing-schema"
    title = "a table without a schema"
    settings_model = _Settings
    TABLES = (TableSpec("ghosts", TableKind.EVENT, "nowhere", key="id", event_time="ts", event_id="id"),)
    demo = DemoSpec(start=datetime(2024, 1, 1))

    def reference(self) -> dict[str, pa.Table]:
        return {}

    def generate(self, day: date, state: Any, tables: Collection[str]) -> tuple[dict[str, pa.Table], Any]:
        return {}, None

    def check(self, tables: Mapping[str, pa.Table]) -> list[RuleResult]:
        return []


class NotAScenario:
    name = "impostor"


@pytest.fixture
def with_missing_schema(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setitem(registry._registered, MissingSchema.name, f"{__name__}:MissingSchema")
    return MissingSchema.name


def test_a_missing_schema_file_is_one_line_ending_in_a_newline(with_missing_schema: str) -> None:
    runner = CliRunner()
    line = fails_with(runner, ["tables", "--scenario", with_missing_schema], "no schema for missing-schema.ghosts")
    assert "schemas/ghosts.avsc is missing" in line
    result = runner.invoke(app, ["tables", "--scenario", with_missing_schema])
    assert result.stderr.endswith("\n")


def test_registering_what_is_not_a_scenario_is_refused() -> None:
    with pytest.raises(ConfigError, match="is not a Scenario subclass"):
        registry.register(f"{__name__}:NotAScenario")
    with pytest.raises(ConfigError, match="can't import"):
        registry.register("no.such.module:Thing")
