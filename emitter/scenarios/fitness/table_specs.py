"""Fitness tables as the contract declares them: master data (``mdm``) and the operational store (``ods``).

Schemas: ``schemas/<namespace>/<table>.avsc`` beside this file. Generators: ``world.py`` (master data and
the timetable), ``lifecycle.py`` (every member's enrollments and charges, closed form), ``visits.py``
(who comes to which club when, and who takes which class), assembled per day by ``day_tables.py``.
Rules: ``rules.py``.
"""

from __future__ import annotations

from emitter.scenarios.tables import ForeignKey, TableKind, TableSpec

MDM, ODS = "mdm", "ods"

_FACILITY = ForeignKey("facilityid", "mdm.facilities", "facilityid")
_AREA = ForeignKey("areaid", "mdm.facilityareas", "areaid")
_MEMBER = ForeignKey("memberid", "mdm.members", "memberid")
_PLAN = ForeignKey("membershiptypeid", "mdm.membershiptypes", "membershiptypeid")
_CLASS_TYPE = ForeignKey("classtypeid", "mdm.classtypes", "classtypeid")
_INSTRUCTOR = ForeignKey("instructorid", "mdm.staff", "staffid")
_SCHEDULE = ForeignKey("scheduleid", "ods.classschedules", "scheduleid")
_HOME = ForeignKey("homefacilityid", "mdm.facilities", "facilityid")


def _master(name: str, *fks: ForeignKey, namespace: str = MDM, doc: str = "") -> TableSpec:
    return TableSpec(name, TableKind.REFERENCE, namespace, foreign_keys=fks, doc=doc)


def _daily(
    name: str, kind: TableKind, key: str, time: str, *fks: ForeignKey, moves: tuple[str, ...] = (), doc: str = ""
) -> TableSpec:
    return TableSpec(
        name,
        kind,
        ODS,
        key=key,
        event_time=time,
        moves_with_event_time=moves,
        event_id="eventid",
        foreign_keys=fks,
        doc=doc,
    )


# Access and classes key by club, so one club's door and timetable stay in order on one partition;
# memberships and payments key by member. A payment's enrollment may have started on an earlier day, so
# it is checked by the rules over the days at hand, not declared as a key that must resolve in any window.
TABLES = (
    _master("membershiptypes", doc="The ten plans: registration fee, monthly and annual price, auto-renewal."),
    _master("classtypes", doc="Forty group classes: duration, intensity, capacity, the room they need."),
    _master("facilities", doc="Clubs in cities, with size and opening hours; some open 24/7."),
    _master("facilityareas", _FACILITY, doc="Cardio, strength, studio, cycle, pool and functional areas."),
    _master("members", _HOME, _PLAN, doc="Demographics, home and home club, plan, join date and status."),
    _master("staff", _FACILITY, doc="Roles, club and hire date."),
    _master(
        "staffcertifications",
        ForeignKey("staffid", "mdm.staff", "staffid"),
        _CLASS_TYPE,
        doc="The class types each instructor may teach.",
    ),
    _master("equipment", _FACILITY, _AREA, doc="Machines and gear by area type, with purchase date and status."),
    _master(
        "classschedules",
        _FACILITY,
        _AREA,
        _CLASS_TYPE,
        _INSTRUCTOR,
        namespace=ODS,
        doc="The weekly timetable, each class with a certified instructor.",
    ),
    _daily(
        "membermemberships",
        TableKind.ENTITY,
        "memberid",
        "changedat",
        _MEMBER,
        _PLAN,
        doc="Enrollments as they start, renew, lapse, are cancelled or suspended.",
    ),
    _daily(
        "memberpayments",
        TableKind.EVENT,
        "memberid",
        "paymentdate",
        _MEMBER,
        doc="Registration fees and monthly or annual charges, with retries of failed ones.",
    ),
    _daily(
        "classinstances",
        TableKind.EVENT,
        "facilityid",
        "starttime",
        _SCHEDULE,
        _FACILITY,
        _CLASS_TYPE,
        _INSTRUCTOR,
        moves=("endtime",),
        doc="Each dated class session: booked, attended, no-shows, waitlist.",
    ),
    _daily(
        "classenrollments",
        TableKind.EVENT,
        "facilityid",
        "classstart",
        _MEMBER,
        _FACILITY,
        ForeignKey("instanceid", "ods.classinstances", "instanceid"),
        moves=("bookedat",),
        doc="Bookings: attended, no-show or waitlisted.",
    ),
    _daily(
        "memberaccess",
        TableKind.EVENT,
        "facilityid",
        "accesstime",
        _MEMBER,
        _FACILITY,
        doc="The door log: check-ins and check-outs.",
    ),
)
