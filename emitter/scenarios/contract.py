"""The scenario contract: what a business domain declares and provides. Nothing else knows a domain.

A domain is one package under ``emitter/scenarios/`` (or anywhere importable, registered in
``emitter.scenarios.registry``) holding a ``Scenario`` subclass, its settings model, its table
declarations, its generators, its rules and its Avro schemas (``schemas/``, package data).
"""

from __future__ import annotations

import sys
from abc import ABC, abstractmethod
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

import pyarrow as pa
from pydantic import BaseModel, ConfigDict

from emitter.core.rng import BlockKeys, run_tag
from emitter.errors import ConfigError
from emitter.scenarios.figures import Figure
from emitter.scenarios.rules import RuleResult, check_foreign_keys
from emitter.scenarios.tables import Catalog, TableSpec

if TYPE_CHECKING:
    from emitter.plan.volume import TableVolume

DayTables = dict[str, pa.Table]  # table id → batch


class SettingsGroup(BaseModel):
    """A group inside a scenario's settings (its volumes, its shares, ...): strict and immutable like the whole."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class ScenarioSettings(BaseModel):
    """Base of every scenario's settings model: volumes and shares of one domain.

    Class attributes:
        PRESETS: named partial settings (``--preset NAME``); every scenario has ``small``, a world that
            builds in a fraction of a second for quick tries and the test suite.
        SCALABLE: dotted paths of the counts ``--scale F`` multiplies (fixed reference sizes stay out).
        FLAGS: command-line flags of ``backfill``, ``stream`` and ``demo`` for this scenario: flag name
            (no dashes) → dotted settings path, e.g. ``{"members": "volume.members"}``; ``--members 2000``
            is then exactly ``--set <scenario>.volume.members=2000``. Names must not be a command's own option.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    PRESETS: ClassVar[dict[str, dict[str, Any]]] = {"small": {}}
    SCALABLE: ClassVar[tuple[str, ...]] = ()
    FLAGS: ClassVar[dict[str, str]] = {}


@dataclass(frozen=True)
class DemoSpec:
    """How ``emitter demo`` shows the scenario: where the replay starts, how fast, what to ask the warehouse.

    ``queries`` maps a title to (SQL over ``<namespace>.<table>`` names, the table ids it needs).
    ``also_streams`` names per-day tables kept out of streams by default that the demo streams too (ground
    truth its queries score against, say). ``preset`` is the settings preset the demo runs when the user
    names none.
    """

    start: datetime
    speed: float = 1200.0
    queries: Mapping[str, tuple[str, frozenset[str]]] = field(default_factory=dict)
    hint: str = ""  # a query to suggest afterwards
    also_streams: frozenset[str] = frozenset()
    preset: str | None = None


S = TypeVar("S", bound=ScenarioSettings)


class Scenario(ABC, Generic[S]):
    """A business domain: reference tables, plus entity and event tables generated one day at a time.

    A day's output depends only on (seed, settings, day), never on which other days were asked for,
    so any chunking of a date range, in any number of processes, and a stream starting anywhere, yield
    the same rows. History-dependent state (stock, balances, statuses) comes from ``state_at``.

    Class attributes:
        name: the registered name (``--scenario``); it also keys every random draw.
        title: one line for ``emitter scenarios``.
        settings_model: the domain's pydantic settings (its section of config.json).
        TABLES: the table declarations, in output order.
        demo: what ``emitter demo`` replays and asks.
    """

    name: ClassVar[str]
    title: ClassVar[str]
    settings_model: ClassVar[type[ScenarioSettings]]
    TABLES: ClassVar[tuple[TableSpec, ...]]
    demo: ClassVar[DemoSpec]

    def __init__(self, seed: int, settings: S) -> None:
        self.seed = seed
        self.settings = settings
        self.keys = BlockKeys(seed, self.name)
        # Event ids carry it: unique across seeds, settings and scenarios, identical on a re-run.
        self.run_tag = run_tag(seed, self.name, settings.model_dump_json())

    @classmethod
    def catalog(cls) -> Catalog:
        return _catalog(cls)

    # --- what a domain provides --------------------------------------------------------------------
    @abstractmethod
    def reference(self) -> DayTables:
        """Every reference table, built once per instance."""

    def state_at(self, day: date) -> Any:
        """The history-dependent state at the start of ``day``, cheaply (closed form or a state pass).

        Stateless domains keep the default (None).
        """
        return None

    @abstractmethod
    def generate(self, day: date, state: Any, tables: Collection[str]) -> tuple[DayTables, Any]:
        """One day's batches of the per-day tables ``tables`` (ids), and the state at the next day's start.

        Each batch conforms to its schema and is sorted by its event time.
        """

    @abstractmethod
    def check(self, tables: Mapping[str, pa.Table]) -> list[RuleResult]:
        """The domain's business rules over reference tables plus consecutive days of per-day tables.

        Declared foreign keys are checked apart (``rules``); this holds every other rule.
        """

    def memory_estimate(self) -> int | None:
        """Peak bytes one process needs to build the reference tables and generate a day of every table.

        Commands refuse a run that would not fit before starting it; None (the default) skips that check.
        """
        return None

    def figures(self, tables: Mapping[str, pa.Table]) -> list[Figure]:
        """The domain's charts for ``emitter report`` (distributions, mixes, top entities) over ``tables``.

        ``tables`` may hold only some of the scenario's tables: leave out a figure whose tables are absent.
        The report draws the volume charts of every table from its declaration; the default adds none.
        """
        return []

    def plan_volumes(self, days: Sequence[date]) -> Mapping[str, TableVolume]:
        """Every table's expected rows over ``days`` (per-day tables per 15-minute slot) and bytes per row.

        ``emitter plan`` prints them. They come from the model's own rate curves and settings, without
        generating the days; a domain without an estimator keeps this default, a one-line refusal.
        """
        raise ConfigError(f"plan is not available for scenario {self.name}: it has no estimator (plan_volumes)")

    def stream_keys(self, table: str, batch: pa.Table) -> pa.Array:
        """Message keys (strings) for a batch of ``table``: its declared key column."""
        spec = self.catalog().get(table)
        column = batch.column(spec.key or spec.event_id or batch.column_names[0]).combine_chunks()
        return column if pa.types.is_string(column.type) else column.cast(pa.string())

    # --- the one path every mode uses ----------------------------------------------------------------
    def days(self, days: Iterable[date], tables: Collection[str] | None) -> Iterator[tuple[date, DayTables]]:
        """Yield ``(day, {table id: batch})`` for each day, in the order given (all per-day tables for None).

        Consecutive days carry the state; any other day starts from ``state_at``. Backfill chunks and
        workers, ``stream --start`` and replays all come through here.
        """
        ids = [t.id for t in self.catalog().select(tables, per_day_only=True)]
        state: Any = None
        expected: date | None = None
        for day in days:
            if expected != day:
                state = self.state_at(day)
            out, state = self.generate(day, state, ids)
            expected = day + timedelta(days=1)
            yield day, {t: out[t] for t in ids}

    def rules(self, tables: Mapping[str, pa.Table]) -> list[RuleResult]:
        """Every rule: the declared foreign keys, then the domain's own checks."""
        return [*check_foreign_keys(self.catalog(), tables), *self.check(tables)]


@cache
def _catalog(cls: type[Scenario[Any]]) -> Catalog:
    package = sys.modules[cls.__module__].__package__ or cls.__module__
    return Catalog(cls.name, package, cls.TABLES)
