"""Column helpers shared by the fitness rules: integer views of Arrow columns, keyed lookups, results."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from emitter.core.clock import MICROS_PER_DAY
from emitter.scenarios.rules import RuleResult, at_rows, counted, days, ints, lookup

Tables = Mapping[str, pa.Table]
I64 = npt.NDArray[np.int64]
B = npt.NDArray[np.bool_]

MEMBERS, PLANS, CLASS_TYPES = "mdm.members", "mdm.membershiptypes", "mdm.classtypes"
FACILITIES, AREAS, STAFF, CERTIFICATIONS = "mdm.facilities", "mdm.facilityareas", "mdm.staff", "mdm.staffcertifications"
SCHEDULES, MEMBERSHIPS, PAYMENTS = "ods.classschedules", "ods.membermemberships", "ods.memberpayments"
INSTANCES, ENROLLMENTS, ACCESS = "ods.classinstances", "ods.classenrollments", "ods.memberaccess"
# per-day tables and their event time: together they span the window of days at hand
EVENT_TIME = {
    MEMBERSHIPS: "changedat",
    PAYMENTS: "paymentdate",
    INSTANCES: "starttime",
    ENROLLMENTS: "classstart",
    ACCESS: "accesstime",
}
ENDINGS = ("Renewed", "Cancelled", "Expired", "Suspended")


def micros_of_day(t: pa.Table, name: str) -> I64:
    return ints(t, name) % MICROS_PER_DAY


def pair(a: I64, b: I64) -> I64:
    """One int64 key of two non-negative ids (each below 2**31)."""
    return a << 31 | b


def window(t: Tables) -> tuple[int, int] | None:
    """First and last day any per-day table at hand covers, or None without events."""
    found = [days(t[name], col) for name, col in EVENT_TIME.items() if name in t and t[name].num_rows]
    if not found:
        return None
    every = np.concatenate(found)
    return int(every.min()), int(every.max())


def not_before(rule: str, day: I64, key: I64, ref_key: I64, ref_day: I64, what: str) -> RuleResult:
    """Each row's ``day`` is on or after the ``ref_day`` of the row its ``key`` finds (rows it doesn't find are
    not judged): a class not before its instructor's hiring, a booking not before joining."""
    row = lookup(key, ref_key)
    known = row >= 0
    early = known & (day < at_rows(ref_day, row, -1))
    return counted(rule, int(early.sum()), what, int(known.sum()))


def misfit_plans(plans: pa.Table, plan: I64, age: I64) -> tuple[B, B]:
    """Which rows' plan is among ``plans``, and which of those has an age band ``age`` falls outside."""
    row = lookup(plan, ints(plans, "membershiptypeid"))
    known = row >= 0
    low, high = at_rows(ints(plans, "minage", null=0), row, 0), at_rows(ints(plans, "maxage", null=1_000), row, 1_000)
    return known, known & ((age < low) | (age > high))
