"""SQL over a loaded fitness warehouse: the seed's three analytics queries, and what ``emitter demo`` asks.

Each entry is title → (SQL over ``<namespace>.<table>``, the table ids it needs). The seed's queries run
unchanged but for the schema-qualified table names.
"""

from __future__ import annotations

SEED_QUERIES = {
    "member retention by join month": (
        """SELECT
    DATE_TRUNC('month', joindate) as join_month,
    COUNT(*) as new_members,
    SUM(CASE WHEN memberstatus = 'Active' THEN 1 ELSE 0 END) as retained
FROM mdm.members
GROUP BY DATE_TRUNC('month', joindate)
ORDER BY join_month""",
        frozenset({"mdm.members"}),
    ),
    "class popularity": (
        """SELECT
    ct.classname,
    COUNT(ce.enrollmentid) as total_enrollments,
    AVG(ci.actualparticipants) as avg_attendance
FROM mdm.classtypes ct
JOIN ods.classschedules cs ON ct.classtypeid = cs.classtypeid
JOIN ods.classinstances ci ON cs.scheduleid = ci.scheduleid
JOIN ods.classenrollments ce ON ci.instanceid = ce.instanceid
GROUP BY ct.classname
ORDER BY total_enrollments DESC""",
        frozenset({"mdm.classtypes", "ods.classschedules", "ods.classinstances", "ods.classenrollments"}),
    ),
    "monthly revenue": (
        """SELECT
    DATE_TRUNC('month', paymentdate) as payment_month,
    SUM(amount) as monthly_revenue,
    COUNT(*) as transaction_count
FROM ods.memberpayments
WHERE status = 'Completed'
GROUP BY DATE_TRUNC('month', paymentdate)
ORDER BY payment_month""",
        frozenset({"ods.memberpayments"}),
    ),
}

DEMO_QUERIES = {
    "check-ins per club and hour": (
        """SELECT f.facilityname AS club, date_trunc('hour', a.accesstime) AS hour, count(*) AS check_ins
        FROM ods.memberaccess a JOIN mdm.facilities f USING (facilityid)
        WHERE a.accesstype = 'CheckIn' GROUP BY ALL ORDER BY hour, check_ins DESC LIMIT 12""",
        frozenset({"ods.memberaccess", "mdm.facilities"}),
    ),
    "classes: booked, attended, waitlisted": (
        """SELECT ct.classname, count(*) AS sessions, sum(ci.capacity) AS places, sum(ci.bookedcount) AS booked,
            sum(ci.actualparticipants) AS attended, sum(ci.waitlistcount) AS waitlisted
        FROM ods.classinstances ci JOIN mdm.classtypes ct USING (classtypeid)
        GROUP BY ct.classname ORDER BY waitlisted DESC, booked DESC LIMIT 8""",
        frozenset({"ods.classinstances", "mdm.classtypes"}),
    ),
    "members in the clubs right now": (
        """SELECT f.facilityname AS club, count(*) AS inside
        FROM ods.memberaccess a JOIN mdm.facilities f USING (facilityid)
        WHERE a.accesstype = 'CheckIn' AND NOT EXISTS (
            SELECT 1 FROM ods.memberaccess o WHERE o.visitid = a.visitid AND o.accesstype = 'CheckOut')
        GROUP BY ALL ORDER BY inside DESC""",
        frozenset({"ods.memberaccess", "mdm.facilities"}),
    ),
}
