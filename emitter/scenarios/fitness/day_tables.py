"""A day's operational tables, assembled from the visits of the day and the members' drawn history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from emitter.core.clock import MICROS_PER_DAY, yyyymmdd
from emitter.core.columns import Decimals, pooled, timestamps
from emitter.scenarios.event_tables import EventTables
from emitter.scenarios.fitness.clubs import epoch_days
from emitter.scenarios.fitness.lifecycle import (
    KINDS,
    OK,
    OUTCOMES,
    PLAN_AUTORENEW,
    RETRIED,
    TERM_MONTHS,
    add_months,
)
from emitter.scenarios.fitness.visits import Visits
from emitter.scenarios.fitness.vocabulary import ACCESS_METHODS, FAILURE_REASONS, PAYMENT_METHODS
from emitter.scenarios.fitness.world import FitnessWorld

I64 = npt.NDArray[np.int64]
# two-digit codes inside event ids, one per table
EVENT_CODES = {
    "ods.membermemberships": 1,
    "ods.memberpayments": 2,
    "ods.classinstances": 3,
    "ods.classenrollments": 4,
    "ods.memberaccess": 5,
}
INSTANCE_FACTOR = 1_000_000  # instanceid = yyyymmdd * 10**6 + scheduleid (2,000 clubs run < 500,000 weekly slots)
ENROLLMENT_FACTOR = 1_000  # enrollmentid = instanceid * 1000 + the booking's number in its session
VISIT_FACTOR = 10_000_000  # visitid = yyyymmdd * 10**7 + the visit's number in its day
PAYMENT_FACTOR = 1_000  # paymentid = membershipid * 1000 + charge number * 2 + attempt - 1
STATUSES = ("Active", *OUTCOMES)
ENROLLMENT_STATUSES = ("Attended", "NoShow", "Waitlisted")
BILLING = ("Monthly", "Annual")
PAYMENT_STATUSES = ("Completed", "Failed")
SESSION_STATUS = "Completed"  # every session in the log has run
ACCESS_TYPES = ("CheckIn", "CheckOut")


def _dates(days: I64) -> pa.Array:
    return pa.array(np.asarray(days, dtype=np.int32), type=pa.int32()).view(pa.date32())


@dataclass(frozen=True)
class TableBuilder:
    events: EventTables
    world: FitnessWorld

    def memberships(self, day: date) -> pa.Table:
        """Enrollments that start today (Active), and those whose last covered day was yesterday."""
        e = self.world.members.enrollments
        d = epoch_days(day)
        opened, closed = e.starting(d), e.ending(d)
        rows = np.concatenate([opened, closed])
        is_open = np.arange(rows.size) < opened.size
        term_end = add_months(e.start[rows], np.full(rows.size, TERM_MONTHS))
        ts = d * MICROS_PER_DAY + np.where(is_open, e.opened_us[rows], e.closed_us[rows])
        previous = np.where(e.number[rows] > 0, e.ids[rows] - 1, 0)
        return self.events.finish(
            "ods.membermemberships",
            day,
            ts,
            {
                "membershipid": e.ids[rows],
                "memberid": (e.member[rows] + 1).astype(np.int32),
                "membershiptypeid": (e.plan[rows] + 1).astype(np.int32),
                "billing": pooled(BILLING, e.annual[rows].astype(np.int64)),
                "startdate": _dates(e.start[rows]),
                "enddate": _dates(np.where(is_open, term_end, e.end[rows]) - 1),
                "status": pooled(STATUSES, np.where(is_open, 0, 1 + e.outcome[rows])),
                "autorenew": PLAN_AUTORENEW[e.plan[rows]],
                "price": Decimals(e.price_cents[rows], 10, 2),
                "discountpct": Decimals(e.discount_bp[rows], 5, 2),
                "previousmembershipid": pa.array(previous, mask=e.number[rows] == 0, type=pa.int64()),
            },
        )

    def payments(self, day: date) -> pa.Table:
        """Charges due today (first attempts), and retries of those that failed ``retry_days`` ago."""
        c = self.world.members.charges
        e = self.world.members.enrollments
        d = epoch_days(day)
        first, retry = c.first_attempts(d), c.retries(d)
        rows = np.concatenate([first, retry])
        attempt = np.where(np.arange(rows.size) < first.size, 1, 2)
        failed = np.where(attempt == 1, c.outcome[rows] != OK, c.outcome[rows] != RETRIED)
        enrollment = c.enrollment[rows]
        membership = e.ids[enrollment]
        member = e.member[enrollment]
        ts = d * MICROS_PER_DAY + np.where(attempt == 1, c.at_us[rows], c.retry_us[rows])
        return self.events.finish(
            "ods.memberpayments",
            day,
            ts,
            {
                "paymentid": membership * PAYMENT_FACTOR + c.number[rows].astype(np.int64) * 2 + attempt - 1,
                "memberid": (member + 1).astype(np.int32),
                "membershipid": membership,
                "paymenttype": pooled(KINDS, c.kind[rows].astype(np.int64)),
                "amount": Decimals(c.amount_cents[rows], 10, 2),
                "paymentmethod": pooled(PAYMENT_METHODS, c.method[rows].astype(np.int64)),
                "status": pooled(PAYMENT_STATUSES, failed.astype(np.int64)),
                "attempt": attempt.astype(np.int32),
                "failurereason": pa.array(
                    np.array(FAILURE_REASONS, dtype=object)[c.reason[rows]], mask=~failed, type=pa.string()
                ),
            },
        )

    def instances(self, day: date, visits: Visits) -> pa.Table:
        cl = visits.classes
        tt = self.world.timetable
        s = cl.schedule
        return self.events.finish(
            "ods.classinstances",
            day,
            cl.start_us,
            {
                "endtime": timestamps(cl.end_us),
                "instanceid": self._instance_ids(day, s),
                "scheduleid": (s + 1).astype(np.int32),
                "facilityid": (tt.facility[s] + 1).astype(np.int32),
                "classtypeid": (tt.class_type[s] + 1).astype(np.int32),
                "instructorid": (tt.instructor[s] + 1).astype(np.int32),
                "classdate": _dates(np.full(s.size, epoch_days(day))),
                "capacity": tt.capacity[s].astype(np.int32),
                "bookedcount": cl.booked.astype(np.int32),
                "actualparticipants": cl.attended.astype(np.int32),
                "noshowcount": cl.no_show.astype(np.int32),
                "waitlistcount": cl.waitlisted.astype(np.int32),
                "status": pooled([SESSION_STATUS], np.zeros(s.size, dtype=np.int64)),
            },
        )

    def enrollments(self, day: date, visits: Visits) -> pa.Table:
        cl = visits.classes
        session = cl.booking_session
        instance = self._instance_ids(day, cl.schedule)[session]
        # number bookings within their session, in the order they were handed out
        order = np.argsort(session, kind="stable")
        first = np.searchsorted(session[order], session[order])
        number = np.empty(session.size, dtype=np.int64)
        number[order] = np.arange(session.size) - first
        return self.events.finish(
            "ods.classenrollments",
            day,
            cl.start_us[session],
            {
                "enrollmentid": instance * ENROLLMENT_FACTOR + number,
                "instanceid": instance,
                "memberid": (cl.booking_member + 1).astype(np.int32),
                "facilityid": (self.world.timetable.facility[cl.schedule[session]] + 1).astype(np.int32),
                "bookedat": timestamps(cl.booked_at_us),
                "status": pooled(ENROLLMENT_STATUSES, cl.booking_status),
            },
        )

    def access(self, day: date, visits: Visits) -> pa.Table:
        """Two rows per visit: its check-in and its check-out."""
        n = visits.member.size
        visit = yyyymmdd(day) * VISIT_FACTOR + np.arange(n, dtype=np.int64)
        instance = self._instance_ids(day, visits.classes.schedule)
        has_class = visits.session >= 0
        for_class = np.where(has_class, instance[np.maximum(visits.session, 0)] if instance.size else 0, 0)
        both = np.concatenate
        return self.events.finish(
            "ods.memberaccess",
            day,
            both([visits.check_in_us, visits.check_out_us]),
            {
                "accessid": both([visit * 10 + 1, visit * 10 + 2]),
                "visitid": both([visit, visit]),
                "memberid": both([visits.member, visits.member]).astype(np.int32) + 1,
                "facilityid": both([visits.facility, visits.facility]).astype(np.int32) + 1,
                "accesstype": pooled(ACCESS_TYPES, np.repeat([0, 1], n)),
                "method": pooled([m[0] for m in ACCESS_METHODS], both([visits.method, visits.method])),
                "instanceid": pa.array(
                    both([for_class, for_class]), mask=both([~has_class, ~has_class]), type=pa.int64()
                ),
            },
        )

    @staticmethod
    def _instance_ids(day: date, schedule: I64) -> I64:
        return yyyymmdd(day) * INSTANCE_FACTOR + schedule + 1
