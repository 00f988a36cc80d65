"""Banking tables as the contract declares them: three databases (namespaces) with keys across them.

Schemas: ``schemas/<namespace>/<table>.avsc`` beside this file. Generators: ``staff.py`` (departments,
employees, training), ``customers.py`` (customers and their CRM profiles), ``accounts.py`` (accounts and
relationships), ``ledger.py`` (every account's movements and balances, a day at a time), ``fraud.py`` (the
labelled incidents), assembled per day by ``day_tables.py``. Rules: ``rules.py`` and ``money_rules.py``.
"""

from __future__ import annotations

from emitter.scenarios.tables import ForeignKey, TableKind, TableSpec

EMPLOYEES, CUSTOMER, ACCOUNTS = "employees_db", "customer_db", "accounts_db"

_DEPARTMENT = ForeignKey("department", "employees_db.departments", "department_name")
_EMPLOYEE = "employees_db.employees"
_CUSTOMER = ForeignKey("customer_id", "accounts_db.customers", "customer_id")
_ACCOUNT = ForeignKey("account_id", "accounts_db.accounts", "account_id")


def _master(namespace: str, name: str, *fks: ForeignKey, doc: str) -> TableSpec:
    return TableSpec(name, TableKind.REFERENCE, namespace, foreign_keys=fks, doc=doc)


# Every per-day table keys by account, so an account's movements and balances stay in order on one partition.
TABLES = (
    _master(EMPLOYEES, "departments", doc="The twelve departments."),
    _master(
        EMPLOYEES,
        "employees",
        _DEPARTMENT,
        ForeignKey("manager_id", _EMPLOYEE, "employee_id"),
        doc="Staff: role, department, manager, hire and termination dates.",
    ),
    _master(EMPLOYEES, "training_programs", _DEPARTMENT, doc="Training programs by department."),
    _master(
        CUSTOMER,
        "customer_profiles",
        _CUSTOMER,
        ForeignKey("assigned_agent_id", _EMPLOYEE, "employee_id"),
        doc="CRM profiles: segment, KYC status, assigned agent.",
    ),
    _master(ACCOUNTS, "customers", doc="The customer master: demographics, since when."),
    _master(ACCOUNTS, "accounts", _CUSTOMER, doc="Accounts: type, branch, dates, status, limits, starting balance."),
    _master(
        ACCOUNTS,
        "account_relationships",
        _ACCOUNT,
        ForeignKey("related_customer_id", "accounts_db.customers", "customer_id"),
        ForeignKey("related_account_id", "accounts_db.accounts", "account_id"),
        doc="Joint holders, linked savings, beneficiaries.",
    ),
    TableSpec(
        "transactions",
        TableKind.EVENT,
        ACCOUNTS,
        key="account_id",
        event_time="transaction_at",
        event_id="transaction_id",
        foreign_keys=(_ACCOUNT, _CUSTOMER),
        doc="Card purchases, transfers, deposits, bills, fees, interest; posted or declined, with the balance after.",
    ),
    TableSpec(
        "fraud_labels",
        TableKind.EVENT,
        ACCOUNTS,
        key="account_id",
        event_time="transaction_at",
        event_id="label_id",
        foreign_keys=(_ACCOUNT, ForeignKey("transaction_id", "accounts_db.transactions", "transaction_id")),
        streamed=False,
        doc="Ground truth for fraud detection: each fraudulent transaction and its pattern (not streamed by default).",
    ),
    TableSpec(
        "account_events",
        TableKind.ENTITY,
        ACCOUNTS,
        key="account_id",
        event_time="event_at",
        event_id="event_id",
        foreign_keys=(_ACCOUNT, _CUSTOMER),
        doc="Change events as accounts open (a new customer with the first) and close.",
    ),
)
