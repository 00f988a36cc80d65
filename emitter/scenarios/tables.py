"""What a scenario declares about each table, and the catalog that answers every question about them.

Every other part of emitter (backfill layout, topics, stream keys, the sink's warehouse schemas,
reconcile, validate) asks the catalog, so no name is ever derived by stripping a prefix.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from functools import cached_property
from importlib import resources
from typing import Any

import pyarrow as pa

from emitter.avro.schemas import AvroSchema, arrow_schema, conform, record_full_name
from emitter.errors import ConfigError, SchemaError


class TableKind(StrEnum):
    """How a table changes over time."""

    REFERENCE = "reference"  # static: written once (master/), loaded before any stream
    ENTITY = "entity"  # rows that appear or change over time (members, accounts): per day, streamable
    EVENT = "event"  # facts and events: per day, streamable


@dataclass(frozen=True)
class ForeignKey:
    """``column`` of this table holds values of ``table.column`` (a table id of the same scenario)."""

    column: str
    table: str
    references: str

    def __str__(self) -> str:
        return f"{self.column} -> {self.table}.{self.references}"


@dataclass(frozen=True)
class TableSpec:
    """One table as its scenario declares it.

    Args:
        name: the table's name inside its namespace (the Avro record name).
        kind: reference, entity or event.
        namespace: the logical database or system; it becomes the warehouse schema.
        key: the stream key column (related events share a partition); per-day tables only.
        event_time: the column that orders events and paces the stream; per-day tables only.
        moves_with_event_time: other time columns that shift with ``event_time`` when a live stream
            restamps events (planned arrival and departure of a truck, say).
        event_id: a column unique per row, for reconcile's checksums.
        foreign_keys: checked by ``emitter validate`` and the contract suite for every scenario.
        streamed: False keeps a per-day table out of streams and demos unless ``--tables`` names it (ground
            truth for a detection exercise, say); backfill writes it like any other.
        doc: one line for ``emitter scenarios``.
    """

    name: str
    kind: TableKind
    namespace: str
    key: str | None = None
    event_time: str | None = None
    moves_with_event_time: tuple[str, ...] = ()
    event_id: str | None = None
    foreign_keys: tuple[ForeignKey, ...] = ()
    streamed: bool = True
    doc: str = ""
    id: str = field(default="", compare=False)  # filled in by the Catalog: unique within the scenario

    @property
    def qualified(self) -> str:
        return f"{self.namespace}.{self.name}"

    @property
    def per_day(self) -> bool:
        """Written per day (facts/...) and streamable; reference tables are written once."""
        return self.kind is not TableKind.REFERENCE

    @property
    def sort_key(self) -> str | None:
        """The column a warehouse that keeps rows sorted sorts by: the event time; None for a reference table
        (sorted by its first column, its id)."""
        return self.event_time if self.per_day else None


class Catalog:
    """The tables of one scenario, with their ids, topics, file paths and Avro schemas.

    A table's id is its name when the scenario has one namespace, else ``namespace.name``; the id is
    what ``--tables`` takes, what topics end with (``<prefix><id>``), and the file layout's folder.

    Args:
        scenario: the scenario's name (for messages).
        package: the scenario's package; its ``schemas/`` folder holds ``<id with / for .>.avsc``.
        tables: the declarations, in the scenario's order.
    """

    def __init__(self, scenario: str, package: str, tables: Sequence[TableSpec]) -> None:
        self.scenario = scenario
        self.package = package
        self.namespaces = tuple(dict.fromkeys(t.namespace for t in tables))
        several = len(self.namespaces) > 1
        self.tables = tuple(replace(t, id=t.qualified if several else t.name) for t in tables)
        self._by_id = {t.id: t for t in self.tables}
        if len(self._by_id) != len(self.tables):
            raise SchemaError(f"scenario {scenario}: two tables share the id of {self.tables}")

    # --- naming ----------------------------------------------------------------------------------
    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(self._by_id)

    @property
    def reference(self) -> tuple[TableSpec, ...]:
        return tuple(t for t in self.tables if not t.per_day)

    @property
    def per_day(self) -> tuple[TableSpec, ...]:
        return tuple(t for t in self.tables if t.per_day)

    def get(self, name: str) -> TableSpec:
        """The table with this id, or with this plain name if only one table has it."""
        found = self._by_id.get(name)
        if found is not None:
            return found
        same = [t for t in self.tables if t.name == name]
        if len(same) == 1:
            return same[0]
        if same:
            raise ConfigError(
                f"tables: {name} is in several namespaces of scenario {self.scenario}; "
                f"say which: {', '.join(t.id for t in same)}"
            )
        raise ConfigError(
            f"tables: unknown table {name} for scenario {self.scenario}; valid tables: {', '.join(self.ids)}"
        )

    @property
    def streamed(self) -> tuple[TableSpec, ...]:
        """The per-day tables a stream carries when no table is named."""
        return tuple(t for t in self.per_day if t.streamed)

    def select(self, names: Iterable[str] | None, per_day_only: bool = False, stream: bool = False) -> list[TableSpec]:
        """The named tables in the scenario's order; ``per_day_only`` (implied by ``stream``) refuses reference ones.

        None names every table, or with ``stream`` every table streamed by default.
        """
        pool = self.per_day if per_day_only or stream else self.tables
        if names is None:
            return list(self.streamed if stream else pool)
        wanted = {self.get(n).id for n in names}
        if not wanted:
            raise ConfigError(f"tables: no table given; valid tables: {', '.join(t.id for t in pool)}")
        refused = sorted(wanted - {t.id for t in pool})
        if refused:
            raise ConfigError(
                f"tables: {', '.join(refused)} can't be streamed (reference data); "
                f"choose from {', '.join(t.id for t in pool)}"
            )
        return [t for t in pool if t.id in wanted]

    def topic(self, prefix: str, spec: TableSpec) -> str:
        return prefix + spec.id

    def for_topic(self, topic: str) -> TableSpec | None:
        """The table a topic carries: the longest table id that ends the topic name at a dot."""
        best: TableSpec | None = None
        for t in self.tables:
            if (topic == t.id or topic.endswith("." + t.id)) and (best is None or len(t.id) > len(best.id)):
                best = t
        return best

    def for_record(self, full_name: str) -> TableSpec | None:
        """The table whose Avro record has this full name (``namespace.name``)."""
        return self._by_record.get(full_name)

    def path(self, spec: TableSpec) -> str:
        """The table's folder or file stem, relative: ``receipts`` or ``accounts_db/customers``."""
        return spec.id.replace(".", "/")

    # --- schemas ---------------------------------------------------------------------------------
    def avro(self, spec: TableSpec) -> AvroSchema:
        return self._avro[spec.id]

    def arrow(self, spec: TableSpec) -> pa.Schema:
        return self._arrow[spec.id]

    @cached_property
    def _arrow(self) -> dict[str, pa.Schema]:
        # every generated batch is conformed and checked against its schema: serialize each one once
        return {t.id: arrow_schema(self.avro(t)) for t in self.tables}

    def conform(self, table: str, columns: dict[str, Any]) -> pa.Table:
        """Assemble a generated table's columns under its schema (by table id or name)."""
        spec = self.get(table)
        return conform(self.arrow(spec), columns, f"{self.scenario}.{spec.id}")

    def all_avro(self) -> list[AvroSchema]:
        return [self.avro(t) for t in self.tables]

    @cached_property
    def _avro(self) -> dict[str, AvroSchema]:
        root = resources.files(self.package).joinpath("schemas")
        out = {}
        for t in self.tables:
            where = f"{self.package}: schemas/{self.path(t)}.avsc"
            try:
                schema = json.loads(root.joinpath(f"{self.path(t)}.avsc").read_text())
            except FileNotFoundError as exc:
                raise SchemaError(f"no schema for {self.scenario}.{t.id}: {where} is missing") from exc
            except json.JSONDecodeError as exc:
                raise SchemaError(f"{where}: invalid JSON ({exc.msg} at line {exc.lineno})") from exc
            if schema.get("name") != t.name:
                raise SchemaError(f"{where}: the record is named {schema.get('name')!r}, expected {t.name!r}")
            out[t.id] = schema
        return out

    @cached_property
    def _by_record(self) -> dict[str, TableSpec]:
        out = {record_full_name(self.avro(t)): t for t in self.tables}
        if len(out) != len(self.tables):
            raise SchemaError(f"scenario {self.scenario}: two Avro records share a full name; give each a namespace")
        return out
