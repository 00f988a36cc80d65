"""The fitness chain the tests share: windows of days generated once per test session."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from functools import cache
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from emitter.config import load_config
from emitter.scenarios import open_scenario
from emitter.scenarios.fitness import rules
from emitter.scenarios.fitness.scenario import FitnessScenario
from emitter.scenarios.fitness.settings import FitnessSettings
from emitter.scenarios.rules import ints

CATALOG = FitnessScenario.catalog()
PER_DAY_TABLES = tuple(t.id for t in CATALOG.per_day)
DEMO_DAY = date(2025, 1, 13)  # a Monday in the new-year rush


@cache
def scenario(preset: str = "small") -> FitnessScenario:
    sc = open_scenario(load_config(None, {"scenario": "fitness", "preset": preset}, {}))
    assert isinstance(sc, FitnessScenario)
    return sc


@cache
def generated(
    preset: str = "small", start: date = DEMO_DAY, days: int = 7
) -> tuple[FitnessScenario, dict[str, pa.Table]]:
    """The scenario and its reference tables plus ``days`` consecutive days of each per-day table, in day order."""
    sc = scenario(preset)
    span = [start + timedelta(days=i) for i in range(days)]
    by_day = dict(sc.days(span, None))
    per_day = {t: pa.concat_tables([by_day[d][t] for d in span]) for t in PER_DAY_TABLES}
    return sc, {**sc.reference(), **per_day}


HISTORY = (date(2022, 1, 1), date(2025, 12, 31))  # the default join window, end to end


@cache
def money_history(preset: str = "full-scale") -> tuple[FitnessScenario, pa.Table, pa.Table]:
    """The scenario, and every membership and payment row of ``HISTORY``: both tables from one pass."""
    sc = scenario(preset)
    start, end = HISTORY
    span = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    tables = ["ods.membermemberships", "ods.memberpayments"]
    by_day = dict(sc.days(span, tables))
    memberships, payments = (pa.concat_tables([by_day[d][t] for d in span]) for t in tables)
    return sc, memberships, payments


def strings(t: pa.Table, name: str) -> npt.NDArray[np.object_]:
    return np.asarray(t.column(name).to_numpy(zero_copy_only=False), dtype=object)


# ---- breaking a window of tables on purpose ----------------------------------------------------------

Tables = Mapping[str, pa.Table]


def first(rows: npt.NDArray[np.bool_]) -> list[int]:
    """The first of ``rows``, which must hold one: a breach needs a row to break."""
    found = np.flatnonzero(rows)
    assert found.size, "no row to break"
    return [int(found[0])]


def set_cells(t: pa.Table, column: str, rows: Iterable[int], value: Any) -> pa.Table:
    """``t`` with ``column`` set at ``rows``: to ``value``, or to ``value(old)`` when it is callable."""
    values = t.column(column).to_pylist()
    for r in rows:
        values[int(r)] = value(values[int(r)]) if callable(value) else value
    i = t.schema.get_field_index(column)
    return t.set_column(i, t.schema.field(i), pa.array(values, type=t.schema.field(i).type))


def edit(tables: Tables, name: str, column: str, rows: Iterable[int], value: Any) -> dict[str, pa.Table]:
    return {**tables, name: set_cells(tables[name], column, rows, value)}


def drop(tables: Tables, name: str, rows: npt.NDArray[np.bool_]) -> dict[str, pa.Table]:
    return {**tables, name: tables[name].filter(pa.array(~rows))}


def where(t: pa.Table, column: str, *values: str) -> npt.NDArray[np.bool_]:
    return np.isin(strings(t, column), values)


def day_of(t: pa.Table, column: str) -> npt.NDArray[np.int64]:
    return ints(t, column) // 86_400_000_000


def epoch_day(d: date) -> int:
    return (d - date(1970, 1, 1)).days


# ---- judging a breach by the rules ------------------------------------------------------------------

SCHEDULES, INSTANCES, ENROLLMENTS, ACCESS = (
    "ods.classschedules",
    "ods.classinstances",
    "ods.classenrollments",
    "ods.memberaccess",
)
MEMBERSHIPS, PAYMENTS, MEMBERS, PLANS = (
    "ods.membermemberships",
    "ods.memberpayments",
    "mdm.members",
    "mdm.membershiptypes",
)
DAY = timedelta(days=1)
SETTINGS = FitnessSettings()  # the presets change only volumes, so every window here is judged by these


def failed(tables: Tables) -> list[str]:
    return [r.rule for r in rules.check_all(tables, SETTINGS) if not r.ok]


def assert_only(base: Tables, broken: Tables, *fragments: str) -> None:
    """Exactly the rules named by ``fragments`` fail on ``broken`` that hold on ``base`` (each fragment naming one).

    Measured against ``base``, so that a rule the generated data itself breaks (reported by test_rules.py)
    does not hide what a breach does.
    """
    before = set(failed(base))
    assert not any(f in r for f in fragments for r in before), f"already failing before the breach: {before}"
    bad = [r for r in failed(broken) if r not in before]
    assert bad, f"no rule failed; expected {fragments}"
    strays = [r for r in bad if not any(f in r for f in fragments)]
    assert not strays, f"other rules failed too: {strays}"
    for f in fragments:
        assert any(f in r for r in bad), f"{f} did not fail; failed: {bad}"


def last_day(tables: Tables) -> int:
    return int(
        max(day_of(tables[name], time).max() for name, time in ((ACCESS, "accesstime"), (PAYMENTS, "paymentdate")))
    )
