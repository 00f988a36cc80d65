"""``status --warehouse`` and ``clear --warehouse``: a scenario's tables in a warehouse, and emitter's records of them.

A warehouse may hold several scenarios (each namespace is a schema of its own), and emitter's
bookkeeping tables are shared by all of them, so clearing one scenario drops its tables and deletes only
its own bookkeeping rows: the loaded files of its tables, the stored offsets and dead letters of the
topics the sink routes to its tables (``Catalog.for_topic``, the sink's own rule), and the runs ``load``
recorded for it. Tables are dropped rather than truncated so a following ``load`` or ``sink`` creates
them from the current schemas: columns an older run added, or a type that changed since, don't linger.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from emitter.errors import ConfigError
from emitter.scenarios import scenario_class, scenario_names
from emitter.scenarios.holdings import Holdings, TableHolding, all_namespaces, chosen_tables, quantity
from emitter.scenarios.tables import Catalog, TableSpec
from emitter.sink.destinations import DEAD_LETTERS, LOADED_FILES, OFFSETS, Destination, TableName
from emitter.sink.destinations.interface import quote


@dataclass(frozen=True)
class Bookkeeping:
    """emitter's records about the chosen tables: loaded files, stored offsets, dead letters, recorded runs."""

    loaded_files: int = 0
    offsets: int = 0  # (topic, partition) pairs with a stored next offset
    dead_letters: int = 0
    topics: tuple[str, ...] = ()  # the topics the offsets and dead letters are of
    runs: tuple[tuple[str, int], ...] = ()  # (scenario, seed) recorded by ``load``; only when all namespaces

    def describe(self) -> str:
        return (
            f"{quantity(self.loaded_files, 'loaded file')}, {quantity(self.offsets, 'stored offset')}, "
            f"{quantity(self.dead_letters, 'dead letter')}, {quantity(len(self.runs), 'recorded run')}"
        )


@dataclass(frozen=True)
class WarehouseHoldings:
    holdings: Holdings
    bookkeeping: Bookkeeping = field(default_factory=Bookkeeping)


def held_scenario(destination: Destination, given: str | None, configured: str) -> str:
    """The scenario to show or clear: ``given``, else the one the warehouse holds, else ``configured``.

    Held means recorded by ``load`` or owning a table there; a warehouse holding several asks for --scenario.
    """
    if given is not None:
        scenario_class(given)  # an unknown name is its own error
        return given
    held = {name for name, _, _ in destination.origins() if name in scenario_names()}
    for name in scenario_names():
        catalog = scenario_class(name).catalog()
        if _present(destination, catalog):
            held.add(name)
    if len(held) > 1:
        raise ConfigError(
            f"{destination.where} holds tables of scenarios {', '.join(sorted(held))}; pass --scenario to pick one"
        )
    return held.pop() if held else configured


def warehouse_holdings(
    destination: Destination, catalog: Catalog, namespaces: Iterable[str] | None = None
) -> WarehouseHoldings:
    """Rows and event days per declared table of ``namespaces`` (all when None), and emitter's records of them."""
    selected = list(namespaces) if namespaces is not None else None
    specs = chosen_tables(catalog, selected)
    present = _present(destination, catalog)
    tables = tuple(
        _holding(destination, spec) if _name(spec) in present else TableHolding(spec, None) for spec in specs
    )
    return WarehouseHoldings(
        Holdings(catalog.scenario, tables), _bookkeeping(destination, catalog, specs, all_namespaces(catalog, selected))
    )


def clear_warehouse(
    destination: Destination, catalog: Catalog, namespaces: Iterable[str] | None = None
) -> WarehouseHoldings:
    """Drop the scenario's tables (of ``namespaces``, or all) and delete emitter's records of them; return what was."""
    selected = list(namespaces) if namespaces is not None else None
    found = warehouse_holdings(destination, catalog, selected)
    everything = all_namespaces(catalog, selected)
    destination.clear(
        [_name(t.spec) for t in found.holdings.tables],
        found.bookkeeping.topics,
        catalog.scenario if everything else None,
    )
    return found


def _name(spec: TableSpec) -> TableName:
    return TableName(spec.namespace, spec.name)


def _present(destination: Destination, catalog: Catalog) -> set[TableName]:
    landed = set(destination.data_tables(catalog.namespaces))
    return {_name(spec) for spec in catalog.tables} & landed


def _holding(destination: Destination, spec: TableSpec) -> TableHolding:
    table = f"{quote(spec.namespace)}.{quote(spec.name)}"
    if spec.event_time is None or not spec.per_day:
        return TableHolding(spec, _scalar(destination, f"SELECT count(*) AS n FROM {table}", spec.namespace))
    moment = quote(spec.event_time)
    found = destination.query(
        f"SELECT count(*) AS n, CAST(min({moment}) AS DATE) AS first_day, CAST(max({moment}) AS DATE) AS last_day, "
        f"count(DISTINCT CAST({moment} AS DATE)) AS days FROM {table}",
        spec.namespace,
    ).to_pylist()[0]
    return TableHolding(spec, int(found["n"]), found["first_day"], found["last_day"], int(found["days"]))


def _scalar(destination: Destination, sql: str, namespace: str) -> int:
    return int(destination.query(sql, namespace).column(0)[0].as_py())


def _bookkeeping(
    destination: Destination, catalog: Catalog, specs: Sequence[TableSpec], everything: bool
) -> Bookkeeping:
    ids = {spec.id for spec in specs}
    names = {str(_name(spec)) for spec in specs}

    def per(table: str, column: str) -> dict[str, int]:
        values = destination.bookkeeping_rows(table, [column]).column(column).to_pylist()
        return dict(Counter(value for value in values if value is not None))

    def routed(topic: str) -> bool:
        spec = catalog.for_topic(topic)
        return spec is not None and spec.id in ids

    offsets = {t: n for t, n in per(OFFSETS, "topic").items() if routed(t)}
    dead = {t: n for t, n in per(DEAD_LETTERS, "topic").items() if routed(t)}
    loaded = sum(n for table, n in per(LOADED_FILES, "table_name").items() if table in names)
    runs = tuple((name, seed) for name, seed, _ in destination.origins() if name == catalog.scenario)
    return Bookkeeping(
        loaded_files=loaded,
        offsets=sum(offsets.values()),
        dead_letters=sum(dead.values()),
        topics=tuple(sorted(set(offsets) | set(dead))),
        runs=runs if everything else (),
    )
