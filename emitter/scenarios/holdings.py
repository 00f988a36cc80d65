"""What a place (a backfill directory, a warehouse) holds of a scenario's tables, grouped per namespace.

``emitter status`` shows it and ``emitter clear`` says from it what it would delete; every declared table
is listed, the ones the place lacks as absent, so a missing table is seen rather than silently left out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from emitter.errors import ConfigError
from emitter.scenarios.tables import Catalog, TableSpec


@dataclass(frozen=True)
class TableHolding:
    """One declared table: its rows there (None when absent) and the days its rows cover (per-day tables).

    ``files`` and ``bytes`` are known for a backfill directory only.
    """

    spec: TableSpec
    rows: int | None
    first_day: date | None = None
    last_day: date | None = None
    days: int = 0
    files: int | None = None
    bytes: int | None = None

    @property
    def present(self) -> bool:
        return self.rows is not None


@dataclass(frozen=True)
class Holdings:
    """Every declared table of the chosen namespaces, in the scenario's order."""

    scenario: str
    tables: tuple[TableHolding, ...]

    @property
    def rows(self) -> int:
        return sum(t.rows or 0 for t in self.tables)

    @property
    def files(self) -> int:
        return sum(t.files or 0 for t in self.tables)

    @property
    def bytes(self) -> int:
        return sum(t.bytes or 0 for t in self.tables)

    @property
    def present(self) -> tuple[TableHolding, ...]:
        return tuple(t for t in self.tables if t.present)

    def by_namespace(self) -> dict[str, tuple[TableHolding, ...]]:
        """namespace → its tables, namespaces in the scenario's order."""
        out: dict[str, list[TableHolding]] = {}
        for table in self.tables:
            out.setdefault(table.spec.namespace, []).append(table)
        return {namespace: tuple(tables) for namespace, tables in out.items()}

    def describe(self) -> str:
        """``1,234 rows in 5 tables of scenario retail`` (what a clear would delete)."""
        return f"{quantity(self.rows, 'row')} in {quantity(len(self.present), 'table')} of scenario {self.scenario}"


def chosen_tables(catalog: Catalog, namespaces: Iterable[str] | None) -> list[TableSpec]:
    """The catalog's tables in ``namespaces`` (all when None); an unknown namespace is one clear error."""
    if namespaces is None:
        return list(catalog.tables)
    wanted = list(dict.fromkeys(namespaces))
    unknown = [n for n in wanted if n not in catalog.namespaces]
    if unknown or not wanted:
        raise ConfigError(
            f"--namespace: scenario {catalog.scenario} has no namespace {', '.join(unknown) or '(none given)'}; "
            f"choose from {', '.join(catalog.namespaces)}"
        )
    return [t for t in catalog.tables if t.namespace in wanted]


def all_namespaces(catalog: Catalog, namespaces: Iterable[str] | None) -> bool:
    """Whether ``namespaces`` leaves none of the scenario's out (what the scenario-wide records go with)."""
    return namespaces is None or set(catalog.namespaces) <= set(namespaces)


def quantity(count: int, noun: str) -> str:
    """``1 table``, ``1,234 rows``: a count and its noun, plural unless the count is one."""
    return f"{count:,} {noun}" if count == 1 else f"{count:,} {noun}s"
