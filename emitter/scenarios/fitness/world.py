"""The chain's master data and timetable, drawn once per run; arrays serve the day generators."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from emitter.core.columns import decimal_from_units
from emitter.core.pools import build_name_pools
from emitter.core.rng import BlockKeys
from emitter.scenarios.fitness.clubs import Clubs, build_clubs
from emitter.scenarios.fitness.members import Members, build_members
from emitter.scenarios.fitness.settings import FitnessSettings
from emitter.scenarios.fitness.timetable import Timetable, build_timetable
from emitter.scenarios.fitness.vocabulary import CLASS_TYPES, PLANS
from emitter.scenarios.tables import Catalog


@dataclass(frozen=True)
class FitnessWorld:
    clubs: Clubs
    members: Members
    timetable: Timetable
    tables: dict[str, pa.Table]  # every reference table, by id


def build_world(keys: BlockKeys, settings: FitnessSettings, catalog: Catalog) -> FitnessWorld:
    names = build_name_pools(keys.seed)
    clubs = build_clubs(keys.rng("clubs", 0), settings, names, catalog)
    members = build_members(keys.rng("members", 0), settings, clubs, names, catalog)
    timetable = build_timetable(keys.rng("timetable", 0), clubs, members, settings, catalog)
    tables = {
        "mdm.membershiptypes": _plans(catalog),
        "mdm.classtypes": _class_types(catalog),
        **clubs.tables,
        "mdm.members": members.table,
        "ods.classschedules": timetable.table,
    }
    return FitnessWorld(clubs, members, timetable, {t.id: tables[t.id] for t in catalog.reference})


def _money(cents: list[int]) -> pa.Array:
    return decimal_from_units(np.array(cents, dtype=np.int64), 10, 2)


def _plans(catalog: Catalog) -> pa.Table:
    return catalog.conform(
        "mdm.membershiptypes",
        {
            "membershiptypeid": np.arange(1, len(PLANS) + 1, dtype=np.int32),
            "typename": [p.name for p in PLANS],
            "description": [p.description for p in PLANS],
            "registrationfee": _money([p.registration_cents for p in PLANS]),
            "monthlyprice": _money([p.monthly_cents for p in PLANS]),
            "annualprice": _money([p.annual_cents for p in PLANS]),
            "autorenewdefault": [p.autorenew for p in PLANS],
            "minage": pa.array([p.min_age for p in PLANS], type=pa.int32()),
            "maxage": pa.array([p.max_age for p in PLANS], type=pa.int32()),
            "corporatediscountpct": decimal_from_units(np.array([p.corporate_discount_bp for p in PLANS]), 5, 2),
        },
    )


def _class_types(catalog: Catalog) -> pa.Table:
    return catalog.conform(
        "mdm.classtypes",
        {
            "classtypeid": np.arange(1, len(CLASS_TYPES) + 1, dtype=np.int32),
            "classname": [c[0] for c in CLASS_TYPES],
            "category": [c[1] for c in CLASS_TYPES],
            "durationminutes": np.array([c[2] for c in CLASS_TYPES], dtype=np.int32),
            "intensity": [c[3] for c in CLASS_TYPES],
            "maxcapacity": np.array([c[4] for c in CLASS_TYPES], dtype=np.int32),
            "areatype": [c[5] for c in CLASS_TYPES],
            "popularity": [c[6] for c in CLASS_TYPES],
        },
    )
