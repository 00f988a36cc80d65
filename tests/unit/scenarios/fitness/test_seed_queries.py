"""The seed's three analytics queries, verbatim, over a real backfill loaded into DuckDB and into PostgreSQL.

Sixty days of the small chain (January and February 2024) are written by ``emitter backfill`` and loaded by
``emitter load``; each query's answer is checked for plausibility and, where it can be, against the files.
Sessions run in UTC, the time zone the data is written in, so months are cut where the files cut them.
"""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from collections import defaultdict
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest
from support import fresh_pg_database
from typer.testing import CliRunner

from emitter.cli.app import app
from emitter.scenarios.fitness.demo_queries import SEED_QUERIES

pytestmark = pytest.mark.slow
START, DAYS = date(2024, 1, 1), 60  # 1 January to 29 February 2024
RETENTION, POPULARITY, REVENUE = "member retention by join month", "class popularity", "monthly revenue"


@pytest.fixture(scope="module")
def backfill(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("fitness_backfill")
    (root / "config.json").write_text("{}")
    out = root / "out"
    run = subprocess.run(
        [sys.executable, "-m", "emitter", "backfill", "--scenario", "fitness", "--preset", "small",
         "--start", START.isoformat(), "--days", str(DAYS), "--out", str(out), "--config", str(root / "config.json"),
         "--quiet"],
        cwd=root, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    return out


def _table(out: Path, table_id: str) -> pa.Table:
    namespace, name = table_id.split(".")
    master = out / "master" / namespace / f"{name}.parquet"
    if master.exists():
        return pq.read_table(master)
    return ds.dataset(out / "facts" / namespace / name, format="parquet", partitioning="hive").to_table()


def _load(out: Path, url: str) -> None:
    config = out.parent / "config.json"
    result = CliRunner().invoke(app, ["load", str(out), "--warehouse", url, "--config", str(config), "--quiet"])
    assert result.exit_code == 0, (result.output, result.exception)


@pytest.fixture(scope="module")
def pg_database(pg_dsn: str) -> Iterator[str]:
    """A fresh PostgreSQL database for this module, dropped afterwards."""
    with fresh_pg_database(pg_dsn) as url:
        yield url


def _duckdb_answers(out: Path) -> dict[str, list[tuple[Any, ...]]]:
    import duckdb

    path = out.parent / f"warehouse_{uuid.uuid4().hex[:8]}.duckdb"
    _load(out, f"duckdb:///{path}")
    with duckdb.connect(str(path), read_only=True) as conn:
        conn.execute("SET TimeZone = 'UTC'")
        return {title: conn.execute(sql).fetchall() for title, (sql, _) in SEED_QUERIES.items()}


def _postgres_answers(out: Path, url: str) -> dict[str, list[tuple[Any, ...]]]:
    import psycopg

    _load(out, url)
    with psycopg.connect(url) as conn:
        conn.execute("SET TIME ZONE 'UTC'")
        return {title: conn.execute(sql).fetchall() for title, (sql, _) in SEED_QUERIES.items()}


@pytest.fixture(scope="module", params=["duckdb", "postgres"])
def answers(request: pytest.FixtureRequest, backfill: Path) -> dict[str, list[tuple[Any, ...]]]:
    if request.param == "duckdb":
        return _duckdb_answers(backfill)
    return _postgres_answers(backfill, request.getfixturevalue("pg_database"))


def _month(value: Any) -> tuple[int, int]:
    assert isinstance(value, date | datetime), value
    return value.year, value.month


def test_the_queries_need_only_tables_the_backfill_wrote(backfill: Path) -> None:
    manifest = json.loads((backfill / "_manifest.json").read_text())
    written = {r["table"] for r in manifest["partitions"].values()}
    for title, (_, needs) in SEED_QUERIES.items():
        for table_id in needs:
            assert _table(backfill, table_id).num_rows > 0, f"{title}: {table_id} is empty"
    assert {"memberpayments", "classenrollments"} <= {t.split(".")[-1] for t in written}


def test_retention_by_join_month(answers: dict[str, list[tuple[Any, ...]]], backfill: Path) -> None:
    rows = answers[RETENTION]
    members = _table(backfill, "mdm.members")
    joins = defaultdict(int)
    for d in members.column("joindate").to_pylist():
        joins[(d.year, d.month)] += 1
    assert [_month(r[0]) for r in rows] == sorted(joins), "one row per join month, in order"
    assert [int(r[1]) for r in rows] == [joins[k] for k in sorted(joins)]
    assert all(0 <= int(r[2]) <= int(r[1]) for r in rows), rows
    assert sum(int(r[2]) for r in rows) == pc.sum(pc.equal(members.column("memberstatus"), "Active")).as_py()
    # older cohorts retain fewer: the first half of the join months against the second
    share = [int(r[2]) / int(r[1]) for r in rows]
    half = len(share) // 2
    older, newer = sum(share[:half]) / half, sum(share[half:]) / (len(share) - half)
    assert older < newer, f"retained share: older cohorts {older:.1%}, newer {newer:.1%}"


def test_class_popularity(answers: dict[str, list[tuple[Any, ...]]], backfill: Path) -> None:
    rows = answers[POPULARITY]
    types = _table(backfill, "mdm.classtypes")
    capacity = dict(zip(types.column("classname").to_pylist(), types.column("maxcapacity").to_pylist(), strict=True))
    assert rows, "no class had a booking"
    assert len({r[0] for r in rows}) == len(rows) <= types.num_rows
    totals = [int(r[1]) for r in rows]
    assert all(t > 0 for t in totals) and totals == sorted(totals, reverse=True), rows
    for name, _, avg in rows:
        assert 0 <= float(avg) <= capacity[name], (name, avg, capacity[name])
    # every booking is counted once, under its class
    assert sum(totals) == _table(backfill, "ods.classenrollments").num_rows


def test_monthly_revenue(answers: dict[str, list[tuple[Any, ...]]], backfill: Path) -> None:
    rows = answers[REVENUE]
    payments = _table(backfill, "ods.memberpayments").to_pylist()
    revenue: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    count: dict[tuple[int, int], int] = defaultdict(int)
    for p in payments:
        if p["status"] == "Completed":
            key = (p["paymentdate"].year, p["paymentdate"].month)
            revenue[key] += p["amount"]
            count[key] += 1
    assert [_month(r[0]) for r in rows] == [(2024, 1), (2024, 2)], rows
    for month, amount, n in rows:
        key = _month(month)
        assert Decimal(str(amount)) > 0 and int(n) > 0, (month, amount, n)
        assert Decimal(str(amount)) == revenue[key], (key, amount, revenue[key])
        assert int(n) == count[key]
