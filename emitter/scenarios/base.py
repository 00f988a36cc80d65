"""The interface every scenario implements; backfill and stream depend only on this."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date

import pyarrow as pa

from emitter.config import Config

DayTables = dict[str, pa.Table]


@dataclass(frozen=True)
class RuleResult:
    """Outcome of one business-rule check."""

    rule: str
    ok: bool
    detail: str


class Scenario(ABC):
    """A business domain: master tables, plus fact tables generated one day at a time.

    Output for a day depends only on (config, day), never on which other days were asked for,
    so any chunking of a date range, in any number of processes, yields the same rows.
    """

    name: str
    master_tables: tuple[str, ...]
    fact_tables: tuple[str, ...]

    def __init__(self, config: Config) -> None:
        self.config = config

    @property
    def tables(self) -> tuple[str, ...]:
        return self.master_tables + self.fact_tables

    @abstractmethod
    def master(self) -> DayTables:
        """All master tables, built once per instance."""

    @abstractmethod
    def facts(self, days: Iterable[date], tables: Collection[str]) -> Iterator[tuple[date, DayTables]]:
        """Yield ``(day, {table: batch})`` for each day, in the order given.

        Consecutive days are cheapest: stateful parts (inventory) carry over instead of being rebuilt.
        Each batch conforms to ``arrow_schema(self.name, table)`` and is sorted by ``event_ts``.
        """

    def check(self, tables: Mapping[str, pa.Table]) -> list[RuleResult]:
        """Run the scenario's business-rule checks over master tables plus consecutive days of facts."""
        return []

    def event_keys(self, table: str, batch: pa.Table) -> pa.Array:
        """Message keys (strings) for a batch of ``table`` when streamed: related events share a partition."""
        raise NotImplementedError(f"{self.name} does not define stream keys for {table}")
