"""End-to-end promises of a retail backfill: same seed same bytes, however the range is chunked."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

from emitter.backfill import run_backfill
from emitter.config import Config

START, END = date(2024, 1, 1), date(2024, 1, 7)


def _checksums(out: Path) -> dict[str, str]:
    partitions = json.loads((out / "_manifest.json").read_text())["partitions"]
    return {key: record["sha256"] for key, record in partitions.items()}


def _files(out: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(out)): path.read_bytes()
        for path in sorted(out.rglob("*"))
        if path.is_file() and not path.name.startswith(".")
    }


def test_two_runs_are_byte_identical(small_config: Config, tmp_path: Path) -> None:
    run_backfill(small_config, START, START + timedelta(days=1), tmp_path / "a")
    run_backfill(small_config, START, START + timedelta(days=1), tmp_path / "b")

    first, second = _files(tmp_path / "a"), _files(tmp_path / "b")
    assert len(first) == 1 + 6 + 2 * 10  # manifest, master tables, two days of every fact table
    assert first == second


@pytest.mark.slow
def test_chunking_does_not_change_the_data(small_config: Config, tmp_path: Path) -> None:
    run_backfill(small_config, START, END, tmp_path / "one-run")
    for offset in range(7):
        day = START + timedelta(days=offset)
        run_backfill(small_config, day, day, tmp_path / "day-by-day")
    run_backfill(small_config, START, END, tmp_path / "four-workers", workers=4)

    one_run = _checksums(tmp_path / "one-run")
    assert len(one_run) == 6 + 7 * 10
    assert _checksums(tmp_path / "day-by-day") == one_run
    assert _checksums(tmp_path / "four-workers") == one_run


def test_duckdb_reads_the_partitions_as_a_hive_dataset(small_config: Config, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run_backfill(small_config, START, START + timedelta(days=2), out, tables=["stores", "receipts"])
    manifest = json.loads((out / "_manifest.json").read_text())["partitions"]
    expected_rows = sum(r["rows"] for r in manifest.values() if r["table"] == "receipts")

    con = duckdb.connect(str(tmp_path / "check.duckdb"))
    rows, days, first_day, wrong_day, bad_totals, orphans = con.execute(
        f"""
        select count(*), count(distinct dt), min(dt),
               count(*) filter (where cast(event_ts at time zone 'UTC' as date) <> dt),
               count(*) filter (where total <> subtotal + tax),
               count(*) filter (where store_id not in (select store_id from '{out}/master/stores.parquet'))
        from read_parquet('{out}/facts/receipts/*/*.parquet', hive_partitioning = true)
        """
    ).fetchone()
    con.close()

    assert rows == expected_rows > 0
    assert days == 3
    assert str(first_day) == "2024-01-01"
    assert wrong_day == 0, "every row sits in the partition of its own day"
    assert bad_totals == 0 and orphans == 0
