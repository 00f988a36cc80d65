"""The bank's staff: twelve departments, employees with a manager tree, and training programs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from emitter.core.arrivals import cdf_pick, shares_cdf
from emitter.core.columns import date_column, decimal_from_units, fixed_width_ids
from emitter.core.pools import OTHER, first_names, last_names
from emitter.scenarios.banking.settings import BankingSettings
from emitter.scenarios.banking.vocabulary import BRANCH_ROLES, BRANCHES, DEPARTMENTS, SALARY_BY_LEVEL, TRAINING_PROGRAMS
from emitter.scenarios.tables import Catalog

I64 = npt.NDArray[np.int64]
FIRST_EMPLOYEE_ID = 1_000_001  # seven digits however many staff
HIRED_FROM = date(2000, 1, 1)
LEVELS = ("staff", "senior", "manager", "head")
STAFF, SENIOR, MANAGER, HEAD = range(4)
TERMINATED = 0.09  # of staff and seniors, by `until`
ROLES = tuple(dict.fromkeys(role for *_, roles in DEPARTMENTS for role, _ in roles))


@dataclass(frozen=True)
class Staff:
    employee_id: I64
    department: I64  # index into DEPARTMENTS
    role: I64  # index into ROLES; -1 for a department head
    active: npt.NDArray[np.bool_]
    tables: dict[str, pa.Table]


def build_staff(rng: np.random.Generator, settings: BankingSettings, catalog: Catalog) -> Staff:
    n = settings.volume.employees
    until = settings.volume.until
    # a head for each department first (the largest first, when there are fewer staff than departments),
    # the rest by the departments' shares
    heads = min(n, len(DEPARTMENTS))
    largest = np.argsort([-d[2] for d in DEPARTMENTS], kind="stable")[:heads]
    dept = np.concatenate([largest, cdf_pick(rng, shares_cdf([d[2] for d in DEPARTMENTS]), n - heads)])
    level = np.full(n, HEAD, dtype=np.int64)
    level[heads:] = np.minimum(cdf_pick(rng, shares_cdf([0.62, 0.26, 0.12]), n - heads), 2)
    role = np.full(n, -1, dtype=np.int64)
    for d, (_, _, _, roles) in enumerate(DEPARTMENTS):
        rows = np.flatnonzero((dept == d) & (level != HEAD))
        picks = cdf_pick(rng, shares_cdf([s for _, s in roles]), rows.size)
        role[rows] = np.array([ROLES.index(r) for r, _ in roles])[picks]
    manager = _managers(rng, dept, level)

    span = (until - HIRED_FROM).days
    # heads and managers have been here longer: earlier hires by level
    hired = HIRED_FROM.toordinal() + (span * rng.beta(1.2 + 0.6 * (3 - level), 1.0 + level)).astype(np.int64)
    leaves = (level <= SENIOR) & (rng.random(n) < TERMINATED) & (until.toordinal() - hired > 60)
    left = np.where(leaves, hired + 30 + (rng.random(n) * (until.toordinal() - hired - 30)).astype(np.int64), -1)
    in_branch = np.isin(role, [ROLES.index(r) for r in BRANCH_ROLES])
    branch = np.where(in_branch, rng.integers(0, len(BRANCHES), n), -1)

    ids = FIRST_EMPLOYEE_ID + np.arange(n, dtype=np.int64)
    first = first_names(rng, np.full(n, OTHER))  # staff records hold no gender
    last = last_names(rng, n)
    salary = np.array(SALARY_BY_LEVEL, dtype=np.int64)[level] * rng.lognormal(0.0, 0.12, n)
    dept_names = pa.array([d[0] for d in DEPARTMENTS])
    role_names = pa.array([*ROLES, *(f"Head of {d[0]}" for d in DEPARTMENTS)])
    role_or_head = np.where(role >= 0, role, len(ROLES) + dept)
    branch_codes = pa.array([b for b, _ in BRANCHES])
    employees = catalog.conform(
        "employees_db.employees",
        {
            "employee_id": ids,
            "first_name": first,
            "last_name": last,
            "email": emails(first, last, ids, "bank.example"),
            "role": role_names.take(pa.array(role_or_head)),
            "department": dept_names.take(pa.array(dept)),
            "level": pa.array(LEVELS).take(pa.array(level)),
            "manager_id": pa.array(np.where(manager >= 0, ids[manager.clip(0)], 0), mask=manager < 0),
            "branch_code": branch_codes.take(pa.array(branch.clip(0), mask=branch < 0)),
            "hire_date": date_column(hired),
            "termination_date": date_column(left, mask=left < 0),
            "status": pa.array(np.where(leaves, "terminated", "active")),
            "salary": decimal_from_units(np.round(salary).astype(np.int64) * 100, 14, 2),
        },
    )
    tables = {
        "employees_db.departments": _departments(catalog),
        "employees_db.employees": employees,
        "employees_db.training_programs": _training(catalog),
    }
    return Staff(ids, dept, role, ~leaves, tables)


def _managers(rng: np.random.Generator, dept: I64, level: I64) -> I64:
    """Each employee's manager row (-1 for heads): one level up in the same department, so the tree has no cycles."""
    manager = np.full(dept.size, -1, dtype=np.int64)
    for d in np.unique(dept):
        head = np.flatnonzero((dept == d) & (level == HEAD))[0]
        managers = np.flatnonzero((dept == d) & (level == MANAGER))
        manager[managers] = head
        reports = np.flatnonzero((dept == d) & (level < MANAGER))
        above = managers if managers.size else np.array([head])
        manager[reports] = above[rng.integers(0, above.size, reports.size)]
    return manager


def emails(first: pa.Array, last: pa.Array, ids: I64, domain: str) -> pa.Array:
    """first.last.id@domain, lower case, without spaces."""
    digits = len(str(int(ids.max()))) if ids.size else 1
    local = pc.binary_join_element_wise(
        pc.utf8_lower(first), pc.utf8_lower(last), fixed_width_ids("", [(ids, digits)]).to_arrow(), "."
    )
    return pc.binary_join_element_wise(pc.replace_substring(local, " ", ""), pa.scalar(domain), "@")


def _departments(catalog: Catalog) -> pa.Table:
    n = len(DEPARTMENTS)
    return catalog.conform(
        "employees_db.departments",
        {
            "department_id": np.arange(1, n + 1, dtype=np.int32),
            "department_name": [d[0] for d in DEPARTMENTS],
            "division": [d[1] for d in DEPARTMENTS],
            "cost_center": [f"CC-{100 + 10 * i}" for i in range(n)],
            "head_office_city": ["New York"] * n,
        },
    )


def _training(catalog: Catalog) -> pa.Table:
    return catalog.conform(
        "employees_db.training_programs",
        {
            "program_id": np.arange(1, len(TRAINING_PROGRAMS) + 1, dtype=np.int32),
            "program_name": [p[0] for p in TRAINING_PROGRAMS],
            "department": [p[1] for p in TRAINING_PROGRAMS],
            "duration_hours": np.array([p[2] for p in TRAINING_PROGRAMS], dtype=np.int32),
            "is_mandatory": [p[3] for p in TRAINING_PROGRAMS],
            "delivery": [p[4] for p in TRAINING_PROGRAMS],
        },
    )
