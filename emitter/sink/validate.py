"""``validate --warehouse``: run a scenario's rules (declared foreign keys included) over loaded tables.

The rules need the scenario, seed and settings the rows were generated with. ``emitter load`` and
``emitter demo`` record them in the warehouse (``_emitter_origins``); rows that came through
``emitter sink`` carry none, so their settings come from the same config and flags the stream ran with.
Reference tables the warehouse doesn't hold (a sink only loads the streamed tables) are rebuilt from that
seed and settings, which give exactly the rows the stream's events refer to.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from emitter.errors import ConfigError
from emitter.scenarios import RuleResult, Scenario, scenario_class
from emitter.scenarios.tables import Catalog
from emitter.sink.destinations import Destination
from emitter.sink.read_back import read_tables


@dataclass
class WarehouseCheck:
    """What ``validate_warehouse`` judged: the rule results, and where the scenario and reference came from."""

    scenario: Scenario[Any]
    results: list[RuleResult]
    rows: dict[str, int]  # table id → rows read from the warehouse
    rebuilt: list[str]  # reference tables not in the warehouse, rebuilt from the seed
    span: tuple[datetime, datetime] | None  # earliest and latest event time of the per-day tables


def recorded_scenario(destination: Destination) -> Scenario[Any] | None:
    """The scenario the warehouse's rows were loaded from, if ``load`` or ``demo`` recorded exactly one."""
    origins = destination.origins()
    if not origins:
        return None
    if len(origins) > 1:
        shown = "; ".join(f"{name} seed {seed}" for name, seed, _ in origins[:3])
        raise ConfigError(
            f"{destination.where} holds rows of {len(origins)} different runs ({shown}); validate the one the "
            "stream or backfill used by passing its --scenario, --config and --seed"
        )
    name, seed, settings = origins[0]
    cls = scenario_class(name)
    return cls(seed, cls.settings_model.model_validate(json.loads(settings)))


def same_run(a: Scenario[Any], b: Scenario[Any]) -> bool:
    return a.name == b.name and a.seed == b.seed and a.settings == b.settings


@dataclass
class WarehouseTables:
    """A scenario's tables as a warehouse holds them, with the reference tables it lacks rebuilt."""

    tables: dict[str, pa.Table]  # table id → rows, reference tables included
    rows: dict[str, int]  # table id → rows read from the warehouse
    rebuilt: list[str]  # reference tables not in the warehouse, rebuilt from the seed


def warehouse_tables(destination: Destination, scenario: Scenario[Any]) -> WarehouseTables:
    """Every table of ``scenario`` the warehouse holds, plus the reference tables it lacks, from the seed."""
    catalog = scenario.catalog()
    tables = read_tables(destination, catalog)
    if not tables:
        where = f"{destination.capabilities.namespace_holder}s {', '.join(catalog.namespaces)}"
        raise ConfigError(
            f"{destination.where} holds no table of scenario {scenario.name} ({where}); "
            "load or sink it first, or pass the --scenario it was loaded with"
        )
    rows = {name: table.num_rows for name, table in tables.items()}
    missing = [spec.id for spec in catalog.reference if spec.id not in tables]
    if missing:
        reference = scenario.reference()
        tables.update({name: reference[name] for name in missing})
    return WarehouseTables(tables, rows, missing)


def validate_warehouse(destination: Destination, scenario: Scenario[Any]) -> WarehouseCheck:
    """Every rule of ``scenario`` over what the warehouse holds of its tables, plus one load per event."""
    catalog = scenario.catalog()
    found = warehouse_tables(destination, scenario)
    loaded = {k: v for k, v in found.tables.items() if k in found.rows}
    results = [*loaded_once(catalog, loaded), *scenario.rules(found.tables)]
    return WarehouseCheck(scenario, results, found.rows, found.rebuilt, event_span(catalog, found.tables))


def event_span(catalog: Catalog, tables: Mapping[str, pa.Table]) -> tuple[datetime, datetime] | None:
    """The earliest and the latest event time over the per-day tables (None without events)."""
    ends = []
    for spec in catalog.per_day:
        table = tables.get(spec.id)
        if spec.event_time is not None and table is not None and table.num_rows:
            ends.extend(pc.min_max(table.column(spec.event_time)).values())
    moments = [m.as_py() for m in ends if m.is_valid]
    return (min(moments), max(moments)) if moments else None


def loaded_once(catalog: Catalog, tables: Mapping[str, pa.Table]) -> list[RuleResult]:
    """Exactly once, as the warehouse sees it: no table holds an event id twice."""
    twice: list[str] = []
    for name, table in tables.items():
        event_id = catalog.get(name).event_id
        if event_id is None or table.num_rows == 0:
            continue
        extra = table.num_rows - pc.count_distinct(table.column(event_id)).as_py()
        if extra:
            twice.append(f"{name} {extra:,}")
    return [RuleResult("each event is loaded once", not twice, ", ".join(twice) or "no event id twice")]
