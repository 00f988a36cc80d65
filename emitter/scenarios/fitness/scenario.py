"""The fitness scenario: a gym chain's master data, enrollments, payments, classes and door log (seed 000)."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import date, datetime
from functools import cached_property

import pyarrow as pa

from emitter.plan.volume import TableVolume
from emitter.scenarios.contract import DayTables, DemoSpec, Scenario
from emitter.scenarios.event_tables import EventTables
from emitter.scenarios.figures import Figure
from emitter.scenarios.fitness.day_tables import EVENT_CODES, TableBuilder
from emitter.scenarios.fitness.demo_queries import DEMO_QUERIES
from emitter.scenarios.fitness.plan import FitnessPlan
from emitter.scenarios.fitness.report import figures
from emitter.scenarios.fitness.rules import check_all
from emitter.scenarios.fitness.settings import FitnessSettings
from emitter.scenarios.fitness.table_specs import TABLES
from emitter.scenarios.fitness.visits import draw_visits
from emitter.scenarios.fitness.world import FitnessWorld, build_world
from emitter.scenarios.rules import RuleResult


class FitnessScenario(Scenario[FitnessSettings]):
    """A gym chain: clubs, members and their enrollments, payments, the class timetable, classes and the door log.

    Every member's history is drawn once with the world, so a day needs no state from the days before it.
    """

    name = "fitness"
    title = "A gym chain: master data, memberships and payments, classes with waitlists, the door access log"
    settings_model = FitnessSettings
    TABLES = TABLES
    demo = DemoSpec(
        start=datetime(2025, 1, 13, 6, 0),  # a Monday morning in the new-year rush
        speed=240.0,
        queries=DEMO_QUERIES,
        hint=(
            "SELECT date_trunc('hour', accesstime) AS hour, count(*) AS check_ins FROM ods.memberaccess "
            "WHERE accesstype = 'CheckIn' GROUP BY 1 ORDER BY 1"
        ),
    )

    def __init__(self, seed: int, settings: FitnessSettings) -> None:
        super().__init__(seed, settings)
        self.events = EventTables(self.catalog(), self.run_tag, EVENT_CODES, id_column="eventid", prefix="FIT")

    def memory_estimate(self) -> int:
        return self.settings.volume.memory_estimate()

    @cached_property
    def world(self) -> FitnessWorld:
        return build_world(self.keys, self.settings, self.catalog())

    @cached_property
    def builder(self) -> TableBuilder:
        return TableBuilder(self.events, self.world)

    def reference(self) -> DayTables:
        return dict(self.world.tables)

    def check(self, tables: Mapping[str, pa.Table]) -> list[RuleResult]:
        return check_all(tables, self.settings)

    def figures(self, tables: Mapping[str, pa.Table]) -> list[Figure]:
        return figures(tables)

    def plan_volumes(self, days: Sequence[date]) -> dict[str, TableVolume]:
        return FitnessPlan(self, days).volumes()

    def generate(self, day: date, state: None, tables: Collection[str]) -> tuple[DayTables, None]:
        wanted = set(tables)
        b = self.builder
        out: DayTables = {}
        if "ods.membermemberships" in wanted:
            out["ods.membermemberships"] = b.memberships(day)
        if "ods.memberpayments" in wanted:
            out["ods.memberpayments"] = b.payments(day)
        if wanted & {"ods.classinstances", "ods.classenrollments", "ods.memberaccess"}:
            visits = draw_visits(self.world, self.keys, self.settings, day)
            if "ods.classinstances" in wanted:
                out["ods.classinstances"] = b.instances(day, visits)
            if "ods.classenrollments" in wanted:
                out["ods.classenrollments"] = b.enrollments(day, visits)
            if "ods.memberaccess" in wanted:
                out["ods.memberaccess"] = b.access(day, visits)
        return out, None
