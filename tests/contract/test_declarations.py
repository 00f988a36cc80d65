"""What every scenario declares: tables, schemas, keys, foreign keys, settings, presets, scale and flags."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pytest
import typer
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from emitter.avro.schemas import record_full_name
from emitter.cli.app import app
from emitter.errors import ConfigError
from emitter.scenarios import TableKind, scenario_class
from emitter.scenarios.registry import effective_settings

from .conftest import SCENARIOS, TEST_DOMAINS, small_config


def test_the_test_only_domains_are_registered_next_to_the_built_in_ones() -> None:
    assert "retail" in SCENARIOS
    assert TEST_DOMAINS and set(TEST_DOMAINS) <= set(SCENARIOS)


def test_every_table_has_a_schema_whose_record_is_the_table(scenario_name: str) -> None:
    catalog = scenario_class(scenario_name).catalog()
    names = [record_full_name(catalog.avro(t)) for t in catalog.tables]
    assert len(set(names)) == len(names), "Avro full names must be unique within a scenario"
    for spec in catalog.tables:
        assert catalog.avro(spec)["name"] == spec.name
        assert catalog.for_record(record_full_name(catalog.avro(spec))) == spec


def test_record_names_never_collide_across_scenarios() -> None:
    seen: dict[str, str] = {}
    for name in SCENARIOS:
        catalog = scenario_class(name).catalog()
        for spec in catalog.tables:
            full = record_full_name(catalog.avro(spec))
            assert full not in seen, f"{full} is declared by {seen.get(full)} and {name}"
            seen[full] = name


def test_per_day_tables_declare_key_event_time_and_event_id_columns_of_the_right_types(scenario_name: str) -> None:
    catalog = scenario_class(scenario_name).catalog()
    assert catalog.per_day, "a scenario without per-day tables has nothing to stream"
    for spec in catalog.per_day:
        schema = catalog.arrow(spec)
        assert spec.key in schema.names and spec.event_id in schema.names, spec
        assert spec.event_time is not None and pa.types.is_timestamp(schema.field(spec.event_time).type), spec
        for moved in spec.moves_with_event_time:
            assert pa.types.is_timestamp(schema.field(moved).type), (spec.id, moved)


def test_declared_foreign_keys_name_real_columns(scenario_name: str) -> None:
    catalog = scenario_class(scenario_name).catalog()
    for spec in catalog.tables:
        for fk in spec.foreign_keys:
            parent = catalog.get(fk.table)
            assert fk.column in catalog.arrow(spec).names, (spec.id, fk)
            assert fk.references in catalog.arrow(parent).names, (spec.id, fk)


def test_table_ids_are_qualified_exactly_when_there_are_several_namespaces(scenario_name: str) -> None:
    catalog = scenario_class(scenario_name).catalog()
    for spec in catalog.tables:
        assert spec.id == (spec.qualified if len(catalog.namespaces) > 1 else spec.name)
        assert catalog.get(spec.id) == spec
        assert catalog.for_topic(catalog.topic(f"{scenario_name}.", spec)) == spec
    assert {t.kind for t in catalog.tables} <= set(TableKind)


def test_every_scenario_has_a_small_preset_and_scale_multiplies_only_what_it_declares(scenario_name: str) -> None:
    model = scenario_class(scenario_name).settings_model
    assert "small" in model.PRESETS
    base = effective_settings(small_config(scenario_name)).model_dump()
    doubled = effective_settings(small_config(scenario_name, scale=2.0)).model_dump()
    scalable = set(model.SCALABLE)
    for path in _leaves(base):
        value, twice = _at(base, path), _at(doubled, path)
        if path in scalable:
            assert twice == (max(1, round(value * 2)) if isinstance(value, int) else value * 2), path
        else:
            assert twice == value, f"{path} is not declared scalable but changed with --scale"


def _numeric_fields(model: type[BaseModel], prefix: str = "") -> list[tuple[str, FieldInfo]]:
    out = []
    for name, info in model.model_fields.items():
        kind = info.annotation
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            out += _numeric_fields(kind, f"{prefix}{name}.")
        elif kind in (int, float, Decimal):
            out.append((f"{prefix}{name}", info))
    return out


def test_every_numeric_setting_has_an_upper_bound(scenario_name: str) -> None:
    """A volume without one lets a typo (a billion visits a day) run into a MemoryError instead of one line."""
    model = scenario_class(scenario_name).settings_model
    fields = _numeric_fields(model)
    assert fields
    for path, info in fields:
        bounded = any(getattr(m, "le", None) is not None or getattr(m, "lt", None) is not None for m in info.metadata)
        digits = any(getattr(m, "max_digits", None) is not None for m in info.metadata)
        assert bounded or digits, f"{scenario_name} setting {path} has no upper bound (Field(le=...))"


def test_every_flag_sets_a_setting_and_shadows_no_command_option(scenario_name: str) -> None:
    """A flag named like a command's option would never reach the scenario; a wrong path fails only when used."""
    model = scenario_class(scenario_name).settings_model
    leaves = set(_leaves(model().model_dump()))
    root: Any = typer.main.get_command(app)
    commands = root.commands
    taken = {opt for name in ("backfill", "stream", "demo") for param in commands[name].params for opt in param.opts}
    for flag, path in model.FLAGS.items():
        assert re.fullmatch(r"[a-z][a-z0-9-]*", flag), f"{scenario_name} flag {flag!r}: lowercase, no leading dashes"
        assert f"--{flag}" not in taken, f"{scenario_name} flag --{flag} is already an option of a command"
        assert path in leaves, f"{scenario_name} flag --{flag} sets {path}, which is not one of its settings"


def test_an_unknown_preset_is_one_clear_error(scenario_name: str) -> None:
    with pytest.raises(ConfigError, match="unknown preset 'nope'"):
        small_config(scenario_name, preset="nope")


def _leaves(data: dict[str, object], prefix: str = "") -> list[str]:
    out = []
    for key, value in data.items():
        path = f"{prefix}{key}"
        out.extend(_leaves(value, path + ".") if isinstance(value, dict) else [path])
    return out


def _at(data: dict[str, object], path: str) -> object:
    node: object = data
    for part in path.split("."):
        assert isinstance(node, dict)
        node = node[part]
    return node
