"""Banking rules over reference tables plus consecutive days of per-day tables (money rules: ``money_rules.py``)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from emitter.core.columns import EPOCH_ORDINAL
from emitter.scenarios.banking.calendar import is_payday
from emitter.scenarios.banking.customers import YEAR
from emitter.scenarios.banking.money_rules import ACCOUNTS, TRANSACTIONS, check_money
from emitter.scenarios.banking.settings import BankingSettings
from emitter.scenarios.banking.vocabulary import FOREIGN_CITIES
from emitter.scenarios.rules import RuleResult, at_rows, counted, days, decimal_units, ints, is_, lookup

Tables = Mapping[str, pa.Table]
EMPLOYEES, PROFILES, CUSTOMERS = "employees_db.employees", "customer_db.customer_profiles", "accounts_db.customers"
LABELS = "accounts_db.fraud_labels"


def check_all(tables: Tables, settings: BankingSettings) -> list[RuleResult]:
    """Every banking rule whose tables are present, judged by the settings the tables were generated with."""
    return [
        *_staff(tables),
        *_customers(tables, settings),
        *_accounts(tables, settings),
        *check_money(tables, settings),
        *_calendar(tables),
        *_fraud(tables),
    ]


def _staff(t: Tables) -> list[RuleResult]:
    if EMPLOYEES not in t:
        return []
    e = t[EMPLOYEES]
    hired, left = ints(e, "hire_date"), ints(e, "termination_date")
    terminated = is_(e, "status", "terminated")
    return [
        counted(
            "an employee leaves after being hired", int(((left >= 0) & (left <= hired)).sum()), "employees", e.num_rows
        ),
        counted(
            "terminated employees, and only they, have a termination date",
            int((terminated != (left >= 0)).sum()),
            "employees",
            e.num_rows,
        ),
        counted(
            "the manager tree has no cycles",
            _in_cycles(ints(e, "employee_id"), ints(e, "manager_id")),
            "employees",
            e.num_rows,
        ),
    ]


def _in_cycles(ids: np.ndarray, manager: np.ndarray) -> int:
    """Employees from whom following managers never reaches the top (a head without manager)."""
    up = lookup(manager, ids)  # row of each manager, -1 at the top
    at = np.arange(ids.size)
    for _ in range(ids.size.bit_length() + 1):  # pointer doubling: 2**k steps after k rounds
        alive = at >= 0
        at[alive] = up[at[alive]]
        up = np.where(up >= 0, up[up.clip(0)], -1)
        if not (at >= 0).any():
            return 0
    return int((at >= 0).sum())


def _customers(t: Tables, settings: BankingSettings) -> list[RuleResult]:
    out = []
    if CUSTOMERS in t:
        c = t[CUSTOMERS]
        until = settings.volume.until.toordinal() - EPOCH_ORDINAL
        age = (until - ints(c, "date_of_birth")) / YEAR
        since_age = (ints(c, "customer_since") - ints(c, "date_of_birth")) / YEAR
        out += [
            counted("customers are 18 to 85", int(((age < 18) | (age >= 86)).sum()), "customers", c.num_rows),
            counted("customers join as adults", int((since_age < 18).sum()), "customers", c.num_rows),
        ]
    if CUSTOMERS in t and PROFILES in t:
        ids, profiled = t[CUSTOMERS].column("customer_id"), t[PROFILES].column("customer_id")
        missing = int(pc.sum(pc.invert(pc.is_in(ids, value_set=profiled.combine_chunks()))).as_py() or 0)
        twice = t[PROFILES].num_rows - len(pc.unique(profiled))
        out.append(
            counted("each customer has exactly one profile", missing + twice, "customers", t[CUSTOMERS].num_rows)
        )
    if PROFILES in t and EMPLOYEES in t:
        p, e = t[PROFILES], t[EMPLOYEES]
        agent = lookup(ints(p, "assigned_agent_id"), ints(e, "employee_id"))
        assigned = agent >= 0
        active = at_rows(is_(e, "status", "active"), agent, False)
        out.append(
            counted(
                "assigned agents are active employees",
                int((assigned & ~active).sum()),
                "assigned profiles",
                int(assigned.sum()),
            )
        )
    return out


def _accounts(t: Tables, settings: BankingSettings) -> list[RuleResult]:
    if ACCOUNTS not in t:
        return []
    a = t[ACCOUNTS]
    opened, closed = ints(a, "opened_date"), ints(a, "closed_date")
    until = settings.volume.until.toordinal() - EPOCH_ORDINAL
    out = [
        counted(
            "an account closes after it opens", int(((closed >= 0) & (closed <= opened)).sum()), "accounts", a.num_rows
        ),
        counted(
            "closed accounts, and only they, have a closing date by `until`",
            int((is_(a, "status", "closed") != ((closed >= 0) & (closed <= until))).sum()),
            "accounts",
            a.num_rows,
        ),
        counted(
            "only checking accounts have an overdraft limit",
            int(((decimal_units(a, "overdraft_limit") > 0) & ~is_(a, "account_type", "checking")).sum()),
            "accounts",
            a.num_rows,
        ),
    ]
    if CUSTOMERS in t:
        since = at_rows(
            ints(t[CUSTOMERS], "customer_since"), lookup(ints(a, "customer_id"), ints(t[CUSTOMERS], "customer_id")), -1
        )
        out.append(
            counted("no account opens before its customer joined", int((opened < since).sum()), "accounts", a.num_rows)
        )
    return out


def _calendar(t: Tables) -> list[RuleResult]:
    if TRANSACTIONS not in t:
        return []
    tx = t[TRANSACTIONS]
    day = days(tx, "transaction_at")
    salary = is_(tx, "transaction_type", "direct_deposit")
    interest = is_(tx, "transaction_type", "interest")
    fee = is_(tx, "transaction_type", "fee")
    card = is_(tx, "transaction_type", "card_purchase")
    month_end = _day_of_month(day + 1) == 1
    return [
        counted(
            "salaries arrive on paydays (month end, mid-month or a Friday; business days)",
            int((salary & ~is_payday(day)).sum()),
            "salaries",
            int(salary.sum()),
        ),
        counted(
            "interest is paid on the last day of the month",
            int((interest & ~month_end).sum()),
            "interest rows",
            int(interest.sum()),
        ),
        counted(
            "fees are charged on the first of the month",
            int((fee & (_day_of_month(day) != 1)).sum()),
            "fees",
            int(fee.sum()),
        ),
        counted(
            "card purchases carry a merchant and a category",
            int((card & ((_strings(tx, "merchant_name") == "") | (_strings(tx, "merchant_category") == ""))).sum()),
            "card purchases",
            int(card.sum()),
        ),
    ]


def _day_of_month(day: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """1 … 31 of days since 1970."""
    dates = day.astype("datetime64[D]")
    return np.asarray((dates - dates.astype("datetime64[M]")).astype(np.int64) + 1, dtype=np.int64)


def _fraud(t: Tables) -> list[RuleResult]:
    if LABELS not in t or TRANSACTIONS not in t:
        return []
    labels, tx = t[LABELS], t[TRANSACTIONS]
    found_at = pc.index_in(labels["transaction_id"], value_set=tx["transaction_id"].combine_chunks())
    row = np.asarray(pc.fill_null(found_at, -1).to_numpy(), dtype=np.int64)
    found = row >= 0
    kind = at_rows(_strings(tx, "transaction_type"), row, "")
    country = at_rows(_strings(tx, "country"), row, "")
    takeover = is_(labels, "pattern", "account_takeover")
    abroad = np.isin(country, sorted({c.country for c in FOREIGN_CITIES}))
    wrong_kind = np.where(takeover, kind != "transfer", kind != "card_purchase")
    return [
        counted(
            "card testing and impossible travel are card purchases; takeovers are transfers",
            int((found & wrong_kind).sum()),
            "labels",
            labels.num_rows,
        ),
        counted(
            "takeovers and impossible travel happen abroad",
            int((found & ~is_(labels, "pattern", "card_testing") & ~abroad).sum()),
            "labels",
            labels.num_rows,
        ),
    ]


def _strings(t: pa.Table, name: str) -> npt.NDArray[np.object_]:
    """A string column as Python strings, null as ""."""
    return np.asarray(pc.fill_null(t[name], "").to_numpy(zero_copy_only=False), dtype=object)
