"""The seed's three verification queries over a real backfill loaded into PostgreSQL, in both layouts.

A month of the small bank is written by ``emitter backfill`` and loaded by ``emitter load``: once with each
namespace a schema of one database, once with each namespace a database of its own, as the seed has them
(each query reads one namespace, so it runs in that namespace's database, as written). Each answer is
checked against the files.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from support import fresh_pg_database, fresh_pg_databases, namespace_database
from typer.testing import CliRunner

from emitter.cli.app import app
from emitter.scenarios.banking.demo_queries import SEED_QUERIES
from emitter.scenarios.banking.staff import ROLES
from emitter.scenarios.banking.vocabulary import DEPARTMENTS

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def backfill(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("banking_backfill")
    (root / "config.json").write_text("{}")
    out = root / "out"
    run = subprocess.run(
        [sys.executable, "-m", "emitter", "backfill", "--scenario", "banking", "--preset", "small",
         "--start", "2025-01-01", "--days", "31", "--out", str(out), "--config", str(root / "config.json"), "--quiet"],
        cwd=root, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    return out


def _load(backfill: Path, url: str) -> None:
    config = backfill.parent / "config.json"
    result = CliRunner().invoke(app, ["load", str(backfill), "--warehouse", url, "--config", str(config), "--quiet"])
    assert result.exit_code == 0, (result.output, result.exception)


def _run(url: str, sql: str) -> list[tuple[Any, ...]]:
    import psycopg

    with psycopg.connect(url) as conn:
        return conn.execute(sql).fetchall()


@pytest.fixture(scope="module", params=["a schema per namespace", "a database per namespace"])
def answers(request: pytest.FixtureRequest, backfill: Path, pg_dsn: str) -> Iterator[dict[str, list[tuple[Any, ...]]]]:
    if request.param == "a schema per namespace":
        with fresh_pg_database(pg_dsn) as url:
            _load(backfill, url)
            schemas = {r[0] for r in _run(url, "SELECT schema_name FROM information_schema.schemata")}
            assert {"employees_db", "customer_db", "accounts_db"} <= schemas
            yield {title: _run(url, sql) for title, (sql, _) in SEED_QUERIES.items()}
        return
    with fresh_pg_databases(pg_dsn) as template:
        _load(backfill, template)
        out = {}
        for title, (sql, needs) in SEED_QUERIES.items():
            (namespace,) = {table.split(".")[0] for table in needs}  # each query reads one database
            out[title] = _run(namespace_database(template, namespace), sql)
        yield out


def _master(out: Path, table_id: str) -> list[dict[str, Any]]:
    namespace, name = table_id.split(".")
    return pq.read_table(out / "master" / namespace / f"{name}.parquet").to_pylist()


def test_employees_join_their_departments(answers: dict[str, list[tuple[Any, ...]]]) -> None:
    rows = answers["employees and their departments"]
    assert len(rows) == 5
    roles = {d[0]: {r for r, _ in d[3]} | {f"Head of {d[0]}"} for d in DEPARTMENTS}
    for first_name, role, department in rows:
        assert first_name and role in roles[department] and role in {*ROLES, f"Head of {department}"}


def test_customers_join_their_accounts(answers: dict[str, list[tuple[Any, ...]]], backfill: Path) -> None:
    rows = answers["customers and their accounts"]
    assert len(rows) == 5
    accounts = _master(backfill, "accounts_db.accounts")
    customers = {c["customer_id"]: c["first_name"] for c in _master(backfill, "accounts_db.customers")}
    known = {(customers[a["customer_id"]], a["account_type"], a["balance"]) for a in accounts}
    for row in rows:
        assert (row[0], row[1], Decimal(row[2])) in known


def test_assigned_agents_are_employees(answers: dict[str, list[tuple[Any, ...]]], backfill: Path) -> None:
    rows = answers["assigned agents"]
    assert len(rows) == 5
    staff = {e["employee_id"] for e in _master(backfill, "employees_db.employees")}
    profiles = {p["customer_id"]: p["full_name"] for p in _master(backfill, "customer_db.customer_profiles")}
    for customer_id, full_name, agent in rows:
        assert profiles[customer_id] == full_name and agent in staff
