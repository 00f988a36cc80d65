"""What ``emitter report`` shows of fitness: visits per member per week, payments, attendance, top classes and clubs."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from emitter.scenarios.figures import Figure, distribution, have, mix, names_of, top
from emitter.scenarios.rules import ints

DAY_US = 86_400_000_000


def figures(tables: Mapping[str, pa.Table]) -> list[Figure]:
    """Fitness's domain figures over the tables at hand."""
    out = []
    check_ins = None
    if have(tables, "ods.memberaccess"):
        access = tables["ods.memberaccess"]
        check_ins = access.filter(pc.equal(access.column("accesstype"), "CheckIn"))
        out.append(
            distribution(
                "Visit frequency",
                _visits_per_member_week(check_ins),
                x="visits in the week",
                y="member-weeks",
                cap=7,
                least=1,
                note="check-ins per member per Monday-to-Sunday week, for members who came that week",
            )
        )
    if have(tables, "ods.memberpayments"):
        payments = tables["ods.memberpayments"]
        out.append(mix("Payment mix", payments.column("paymentmethod"), x="method", y="payments"))
        out.append(mix("Charges by type", payments.column("paymenttype"), x="charge", y="payments"))
    if have(tables, "ods.classenrollments"):
        out.append(mix("Class bookings", tables["ods.classenrollments"].column("status"), x="outcome", y="bookings"))
    if have(tables, "ods.classenrollments", "ods.classinstances", "mdm.classtypes"):
        bookings = tables["ods.classenrollments"]
        instances = tables["ods.classinstances"]
        at = pc.index_in(bookings.column("instanceid"), value_set=instances.column("instanceid").combine_chunks())
        out.append(
            top(
                "Top classes by bookings",
                pc.take(instances.column("classtypeid"), at),
                names_of(tables["mdm.classtypes"], "classtypeid", "classname"),
                x="class",
                y="bookings",
            )
        )
    if check_ins is not None and have(tables, "mdm.facilities"):
        out.append(
            top(
                "Top clubs by check-ins",
                check_ins.column("facilityid"),
                names_of(tables["mdm.facilities"], "facilityid", "facilityname"),
                x="club",
                y="check-ins",
            )
        )
    return out


def _visits_per_member_week(check_ins: pa.Table) -> np.ndarray:
    """Check-ins of each (member, week) that has any; weeks start on Monday (1970-01-01 was a Thursday)."""
    week = (ints(check_ins, "accesstime") // DAY_US + 3) // 7
    member = ints(check_ins, "memberid")
    _, counts = np.unique(member * 100_000 + week, return_counts=True)
    return np.asarray(counts, dtype=np.int64)
